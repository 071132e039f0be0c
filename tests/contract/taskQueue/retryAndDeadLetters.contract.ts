/** The TaskQueue contract, retries, lease expiry and dead letters (run by describeTaskQueueContract). */
import type { LeasedTask, TaskQueue, TaskReceiver } from '../../../shared/ports/taskQueue';
import type { FakeClock } from '../../fixtures/fakeClock';
import { DLR, SMS, keyOf, type TaskQueueHarness } from './harness';

export function describeRetryAndDeadLetterContract(t: TaskQueueHarness): void {
  let clock: FakeClock;
  let queue: TaskQueue;
  let receiver: TaskReceiver;
  let leaseMs: number;
  let maxAttempts: number;
  beforeEach(() => {
    ({ clock, queue, receiver, leaseMs, maxAttempts } = t.current());
  });
  const { sms, expireLease, receiveAll, receiveOne } = t;

  describe('retry and lease expiry', () => {
    it('retry(delayMs) redelivers after the delay with attempt 2', async () => {
      const task = sms();
      await queue.send(task);
      await receiver.retry(await receiveOne(SMS), 2_000, 'carrier busy');
      expect(await receiver.receive(SMS, 10)).toEqual([]);
      expect(await receiver.nextDueInMs(SMS)).toBe(2_000);
      clock.advance(1_999);
      expect(await receiver.receive(SMS, 10)).toEqual([]);
      clock.advance(1);
      const again = await receiveOne(SMS);
      expect(again.task).toStrictEqual(task);
      expect(again.attempt).toBe(2);
      await receiver.complete(again);
      clock.advance(leaseMs * 3);
      expect(await receiver.receive(SMS, 10)).toEqual([]);
    });

    it('retry(0) makes the task receivable at once with attempt 2', async () => {
      await queue.send(sms());
      await receiver.retry(await receiveOne(SMS), 0, 'try again');
      expect((await receiveOne(SMS)).attempt).toBe(2);
    });

    it('retry releases the lease: the task comes back once, not also when the old lease runs out', async () => {
      await queue.send(sms());
      await receiver.retry(await receiveOne(SMS), 2_000, 'carrier busy');
      clock.advance(2_000 + leaseMs + 1);
      const got = await receiveAll(SMS);
      expect(got.map((l) => l.attempt)).toEqual([2]);
    });

    it('redelivers a task whose lease expired without complete, with attempt + 1 (crash recovery)', async () => {
      const task = sms();
      await queue.send(task);
      await receiveOne(SMS);
      expireLease();
      const again = await receiveOne(SMS);
      expect(again.task).toStrictEqual(task);
      expect(again.attempt).toBe(2);
      await receiver.complete(again);
      clock.advance(leaseMs * 3);
      expect(await receiver.receive(SMS, 10)).toEqual([]);
    });

    it('does not let a lost lease settle the task after it was delivered again', async () => {
      await queue.send(sms());
      const stale = await receiveOne(SMS);
      expireLease();
      const current = await receiveOne(SMS);
      expect(current.attempt).toBe(2);
      await receiver.complete(stale).catch(() => undefined); // may throw: the lease is gone
      clock.advance(leaseMs - 1);
      expect(await receiver.receive(SMS, 10)).toEqual([]); // still leased to `current`
      clock.advance(2);
      expect((await receiveOne(SMS)).attempt).toBe(3); // not removed by the stale complete
    });
  });

  describe('dead letters', () => {
    it('dead-letters a task after maxAttempts deliveries whose leases expired', async () => {
      const task = sms();
      await queue.send(task);
      for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
        const got = await receiver.receive(SMS, 10);
        expect(got.map((l) => l.attempt)).toEqual([attempt]);
        expireLease();
      }
      expect(await receiver.receive(SMS, 10)).toEqual([]);
      clock.advance(leaseMs * 3);
      expect(await receiver.receive(SMS, 10)).toEqual([]);

      const dead = await receiver.deadLettered(SMS, 10);
      expect(dead).toHaveLength(1);
      const [entry] = dead as [(typeof dead)[number]];
      expect(entry.queue).toBe(SMS);
      expect(entry.task).toStrictEqual(task);
      expect(entry.attempts).toBe(maxAttempts);
      expect(typeof entry.reason).toBe('string');
      expect(entry.reason.length).toBeGreaterThan(0);
      expect(entry.id.length).toBeGreaterThan(0);
      expect(Date.parse(entry.deadLetteredAt)).toBeLessThanOrEqual(clock.now());
      expect(await receiver.nextDueInMs(SMS)).toBeNull();
    });

    it('dead-letters a task after maxAttempts deliveries that each ended in retry', async () => {
      const task = sms();
      await queue.send(task);
      for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
        const got = await receiver.receive(SMS, 10);
        expect(got.map((l) => l.attempt)).toEqual([attempt]);
        await receiver.retry(got[0] as LeasedTask, 1_000, `failure ${attempt}`);
        clock.advance(1_000);
      }
      clock.advance(leaseMs + 1);
      expect(await receiver.receive(SMS, 10)).toEqual([]);
      const dead = await receiver.deadLettered(SMS, 10);
      expect(dead.map((d) => [d.task, d.attempts])).toStrictEqual([[task, maxAttempts]]);
    });

    it('dead-letters after maxAttempts deliveries mixing a retry and expired leases', async () => {
      await queue.send(sms());
      await receiver.retry(await receiveOne(SMS), 0, 'first failure');
      for (let attempt = 2; attempt <= maxAttempts; attempt += 1) {
        expect((await receiveOne(SMS)).attempt).toBe(attempt);
        expireLease();
      }
      expect(await receiver.receive(SMS, 10)).toEqual([]);
      const dead = await receiver.deadLettered(SMS, 10);
      expect(dead.map((d) => d.attempts)).toEqual([maxAttempts]);
    });

    it('deadLetter() dead-letters at once, with the given reason and the attempts so far', async () => {
      const task = sms();
      await queue.send(task);
      await receiveOne(SMS);
      expireLease();
      const second = await receiveOne(SMS);
      await receiver.deadLetter(second, 'number is not valid');
      expect(await receiver.receive(SMS, 10)).toEqual([]);
      clock.advance(leaseMs * 3);
      expect(await receiver.receive(SMS, 10)).toEqual([]);
      const dead = await receiver.deadLettered(SMS, 10);
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ queue: SMS, task, attempts: 2, reason: 'number is not valid' });
    });

    it('lists dead letters oldest first, per queue, up to the limit', async () => {
      const tasks = [sms(), sms(), sms()];
      for (const task of tasks) {
        await queue.send(task);
        clock.advance(1);
      }
      const leased = await receiveAll(SMS);
      for (const task of tasks) {
        const lease = leased.find((l) => keyOf(l.task) === keyOf(task));
        await receiver.deadLetter(lease as LeasedTask, 'bad');
        clock.advance(1);
      }
      expect((await receiver.deadLettered(SMS, 2)).map((d) => d.task)).toStrictEqual(tasks.slice(0, 2));
      expect((await receiver.deadLettered(SMS, 10)).map((d) => d.task)).toStrictEqual(tasks);
      expect(await receiver.deadLettered(DLR, 10)).toEqual([]);
    });

    it('requeueDeadLettered sends it again as a fresh task with attempt 1', async () => {
      const task = sms();
      await queue.send(task);
      await receiver.deadLetter(await receiveOne(SMS), 'operator will fix');
      const [entry] = await receiver.deadLettered(SMS, 10);
      expect(entry).toBeDefined();
      const id = (entry as { id: string }).id;

      expect(await receiver.requeueDeadLettered(SMS, id)).toBe(true);
      expect(await receiver.deadLettered(SMS, 10)).toEqual([]);
      const again = await receiveOne(SMS);
      expect(again.task).toStrictEqual(task);
      expect(again.attempt).toBe(1);
      expect(await receiver.requeueDeadLettered(SMS, id)).toBe(false);
    });

    it('requeues an automatically dead-lettered task with its attempts reset', async () => {
      await queue.send(sms());
      for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
        await receiveOne(SMS);
        expireLease();
      }
      expect(await receiver.receive(SMS, 10)).toEqual([]);
      const [entry] = await receiver.deadLettered(SMS, 10);
      expect(await receiver.requeueDeadLettered(SMS, (entry as { id: string }).id)).toBe(true);
      expect((await receiveOne(SMS)).attempt).toBe(1);
      expireLease();
      expect((await receiveOne(SMS)).attempt).toBe(2);
    });

    it('requeueDeadLettered is false for unknown ids and for tasks that are not dead-lettered', async () => {
      expect(await receiver.requeueDeadLettered(SMS, '987654321')).toBe(false);
      expect(await receiver.requeueDeadLettered(SMS, 'no-such-task')).toBe(false);
      await queue.send(sms());
      const live = await receiveOne(SMS);
      expect(await receiver.requeueDeadLettered(SMS, live.handle.id)).toBe(false);
      expireLease();
      expect((await receiveOne(SMS)).attempt).toBe(2); // untouched by the refused requeue
    });

    it('requeues only the named dead letter', async () => {
      const [a, b] = [sms(), sms()];
      await queue.send(a);
      await queue.send(b);
      for (const leased of await receiveAll(SMS)) await receiver.deadLetter(leased, 'bad');
      const dead = await receiver.deadLettered(SMS, 10);
      const entryB = dead.find((d) => keyOf(d.task) === keyOf(b));
      expect(await receiver.requeueDeadLettered(SMS, (entryB as { id: string }).id)).toBe(true);
      expect((await receiveAll(SMS)).map((l) => l.task)).toStrictEqual([b]);
      expect((await receiver.deadLettered(SMS, 10)).map((d) => d.task)).toStrictEqual([a]);
    });
  });
}
