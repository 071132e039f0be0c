/** The TaskQueue contract, cancel and dedupe (run by describeTaskQueueContract). */
import type { LeasedTask, TaskQueue, TaskReceiver } from '../../../shared/ports/taskQueue';
import type { FakeClock } from '../../fixtures/fakeClock';
import { SMS, type TaskQueueHarness } from './harness';

export function describeCancelAndDedupeContract(t: TaskQueueHarness): void {
  let clock: FakeClock;
  let queue: TaskQueue;
  let receiver: TaskReceiver;
  let leaseMs: number;
  beforeEach(() => {
    ({ clock, queue, receiver, leaseMs } = t.current());
  });
  const { sms, expireLease, receiveAll, receiveOne } = t;

  describe('cancel', () => {
    it('cancels a pending delayed task: true, and it is never delivered', async () => {
      const handle = await queue.send(sms(), { delayMs: 60_000 });
      clock.advance(1_000);
      expect(await queue.cancel(handle)).toBe(true);
      clock.advance(120_000);
      expect(await receiver.receive(SMS, 10)).toEqual([]);
      expect(await receiver.nextDueInMs(SMS)).toBeNull();
      expect(await receiver.deadLettered(SMS, 10)).toEqual([]);
    });

    it('cancels only the task of the handle', async () => {
      const first = await queue.send(sms(), { delayMs: 5_000 });
      const kept = sms();
      await queue.send(kept, { delayMs: 5_000 });
      expect(await queue.cancel(first)).toBe(true);
      clock.advance(5_000);
      const got = await receiveAll(SMS);
      expect(got.map((l) => l.task)).toStrictEqual([kept]);
    });

    it('returns false the second time', async () => {
      const handle = await queue.send(sms(), { delayMs: 60_000 });
      expect(await queue.cancel(handle)).toBe(true);
      expect(await queue.cancel(handle)).toBe(false);
    });

    it('returns false for an unknown task', async () => {
      expect(await queue.cancel({ queue: SMS, id: '987654321' })).toBe(false);
      expect(await queue.cancel({ queue: SMS, id: 'no-such-task' })).toBe(false);
    });

    it('returns false for a completed task', async () => {
      const handle = await queue.send(sms());
      await receiver.complete(await receiveOne(SMS));
      expect(await queue.cancel(handle)).toBe(false);
    });

    it('returns false for a delayed task already delivered, and does not stop it', async () => {
      const handle = await queue.send(sms(), { delayMs: 1_000 });
      clock.advance(1_000);
      await receiveOne(SMS);
      expect(await queue.cancel(handle)).toBe(false);
      expireLease();
      expect((await receiveOne(SMS)).attempt).toBe(2);
    });
  });

  describe('dedupe', () => {
    it('delivers once when a second send shares the dedupe id of a pending one (the first payload)', async () => {
      const first = sms();
      await queue.send(first, { dedupeId: 'dedupe-1' });
      await queue.send(sms(), { dedupeId: 'dedupe-1' });
      const got = await receiveAll(SMS);
      expect(got.map((l) => l.task)).toStrictEqual([first]);
      await receiver.complete(got[0] as LeasedTask);
      clock.advance(leaseMs * 3);
      expect(await receiveAll(SMS)).toEqual([]);
    });

    it('delivers once when both sends are delayed', async () => {
      await queue.send(sms(), { delayMs: 5_000, dedupeId: 'dedupe-2' });
      await queue.send(sms(), { delayMs: 5_000, dedupeId: 'dedupe-2' });
      clock.advance(5_000);
      expect(await receiveAll(SMS)).toHaveLength(1);
    });

    it('delivers both when the dedupe ids differ', async () => {
      await queue.send(sms(), { dedupeId: 'dedupe-3' });
      await queue.send(sms(), { dedupeId: 'dedupe-4' });
      expect(await receiveAll(SMS)).toHaveLength(2);
    });
  });
}
