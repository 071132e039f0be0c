/** The TaskQueue contract, sending, receiving and delays (run by describeTaskQueueContract). */
import fc from 'fast-check';
import type { LeasedTask, TaskQueue, TaskReceiver } from '../../../shared/ports/taskQueue';
import { FakeClock } from '../../fixtures/fakeClock';
import { DLR, SMS, keyOf, type TaskQueueHarness } from './harness';

export function describeDeliveryContract(t: TaskQueueHarness): void {
  let clock: FakeClock;
  let queue: TaskQueue;
  let receiver: TaskReceiver;
  let leaseMs: number;
  beforeEach(() => {
    ({ clock, queue, receiver, leaseMs } = t.current());
  });
  const { sms, dlr, receiveAll, receiveOne } = t;

  describe('send and receive', () => {
    it('delivers a sent task once, with attempt 1, its exact payload and its queue', async () => {
      const task = sms();
      const handle = await queue.send(task);
      expect(handle.queue).toBe(SMS);
      expect(typeof handle.id).toBe('string');
      expect(handle.id.length).toBeGreaterThan(0);

      const got = await receiver.receive(SMS, 10);
      expect(got).toHaveLength(1);
      const [leased] = got as [LeasedTask];
      expect(leased.task).toStrictEqual(task);
      expect(leased.attempt).toBe(1);
      expect(leased.handle.queue).toBe(SMS);
      expect(typeof leased.lockToken).toBe('string');
      expect(leased.lockToken.length).toBeGreaterThan(0);
    });

    it('round-trips a task of the other type exactly, on its own queue', async () => {
      const task = dlr();
      const handle = await queue.send(task);
      expect(handle.queue).toBe(DLR);
      const leased = await receiveOne(DLR);
      expect(leased.task).toStrictEqual(task);
      expect(leased.attempt).toBe(1);
      expect(leased.handle.queue).toBe(DLR);
    });

    it('gives distinct handles to distinct sends', async () => {
      const a = await queue.send(sms());
      const b = await queue.send(sms());
      expect(a.id).not.toBe(b.id);
    });

    it('does not deliver a task again while it is leased, up to the end of the lease', async () => {
      await queue.send(sms());
      await receiveOne(SMS);
      expect(await receiver.receive(SMS, 10)).toEqual([]);
      clock.advance(leaseMs - 1);
      expect(await receiver.receive(SMS, 10)).toEqual([]);
    });

    it('complete removes the task for good', async () => {
      const task = sms();
      await queue.send(task);
      await receiver.complete(await receiveOne(SMS));
      expect(await receiver.receive(SMS, 10)).toEqual([]);
      clock.advance(leaseMs * 3);
      expect(await receiver.receive(SMS, 10)).toEqual([]);
      expect(await receiver.nextDueInMs(SMS)).toBeNull();
      expect(await receiver.deadLettered(SMS, 10)).toEqual([]);
    });

    it('delivers identical tasks sent without a dedupe id as separate tasks', async () => {
      const task = sms();
      await queue.send(task);
      await queue.send({ ...task });
      const got = await receiveAll(SMS);
      expect(got.map((l) => l.task)).toStrictEqual([task, task]);
    });
  });

  describe('delays and nextDueInMs', () => {
    it('reports null when nothing is waiting and 0 when a task is due now', async () => {
      expect(await receiver.nextDueInMs(SMS)).toBeNull();
      await queue.send(sms());
      expect(await receiver.nextDueInMs(SMS)).toBe(0);
    });

    it('hides a delayed task until the clock reaches its due time, reporting the wait', async () => {
      const task = sms();
      await queue.send(task, { delayMs: 5_000 });
      expect(await receiver.receive(SMS, 10)).toEqual([]);
      expect(await receiver.nextDueInMs(SMS)).toBe(5_000);

      clock.advance(4_999);
      expect(await receiver.receive(SMS, 10)).toEqual([]);
      expect(await receiver.nextDueInMs(SMS)).toBe(1);

      clock.advance(1);
      const leased = await receiveOne(SMS);
      expect(leased.task).toStrictEqual(task);
      expect(leased.attempt).toBe(1);
    });

    it('reports the earliest of several delayed tasks', async () => {
      await queue.send(sms(), { delayMs: 10_000 });
      await queue.send(sms(), { delayMs: 3_000 });
      await queue.send(sms(), { delayMs: 7_000 });
      expect(await receiver.nextDueInMs(SMS)).toBe(3_000);
    });

    it('reports null again once every task has been completed', async () => {
      await queue.send(sms(), { delayMs: 1_000 });
      clock.advance(1_000);
      await receiver.complete(await receiveOne(SMS));
      expect(await receiver.nextDueInMs(SMS)).toBeNull();
    });

    it('delivers every task once, never before it is due (random delays and clock steps)', async () => {
      await t.closeCurrent();
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 12 }),
          fc.array(fc.integer({ min: 1, max: 3_000 }), { maxLength: 8 }),
          async (delays, steps) => {
            const runClock = new FakeClock();
            const sut = await t.open(runClock);
            try {
              const due = new Map<string, number>();
              for (const delayMs of delays) {
                const task = sms();
                due.set(keyOf(task), runClock.now() + delayMs);
                await sut.queue.send(task, { delayMs });
              }
              const delivered = new Set<string>();
              const drain = async (): Promise<void> => {
                for (const leased of await receiveAll(SMS, sut.receiver)) {
                  const key = keyOf(leased.task);
                  expect(delivered.has(key)).toBe(false);
                  expect(runClock.now()).toBeGreaterThanOrEqual(due.get(key) ?? Number.POSITIVE_INFINITY);
                  expect(leased.attempt).toBe(1);
                  delivered.add(key);
                  await sut.receiver.complete(leased);
                }
              };
              await drain();
              for (const step of steps) {
                runClock.advance(step);
                await drain();
              }
              runClock.advance(10_001);
              await drain();
              expect([...delivered].sort()).toEqual([...due.keys()].sort());
              expect(await sut.receiver.nextDueInMs(SMS)).toBeNull();
            } finally {
              await sut.cleanup();
            }
          },
        ),
        { numRuns: 25 },
      );
    });
  });
}
