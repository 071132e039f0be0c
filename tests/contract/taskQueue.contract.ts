/**
 * The behaviour every TaskQueue/TaskReceiver adapter must show (SQLite, Service Bus, ...).
 * Time moves only through the FakeClock handed to `open`; no test sleeps.
 *
 * What the suite deliberately leaves to the adapter (the Service Bus broker cannot do otherwise):
 *  - whether `leased.handle.id` equals the id `send` returned (a Service Bus sequence number changes
 *    when a scheduled message is enqueued);
 *  - whether an immediate task that nobody has received yet can be cancelled;
 *  - what a dedupe id does once its task has been completed or cancelled (Service Bus remembers a
 *    message id for a fixed window, whatever happened to the message);
 *  - whether settling a lost lease throws or resolves (only that it changes nothing);
 *  - nextDueInMs while a task is leased.
 */
import fc from 'fast-check';
import {
  QUEUE_OF,
  type LeasedTask,
  type SimulatorDlrTask,
  type SmsSendTask,
  type Task,
  type TaskQueue,
  type TaskReceiver,
} from '../../shared/ports/taskQueue';
import { FakeClock } from '../fixtures/fakeClock';

export interface TaskQueueUnderTest {
  queue: TaskQueue;
  receiver: TaskReceiver;
  /** The lease (lock) duration the adapter was opened with. */
  leaseMs: number;
  /** Deliveries without completion after which a task is dead-lettered. At least 3 for this suite. */
  maxAttempts: number;
  cleanup: () => Promise<void>;
}

const SMS = QUEUE_OF['sms.send.v1'];
const DLR = QUEUE_OF['simulator.dlr.v1'];

function keyOf(task: Task): string {
  if (task.type === 'sms.send.v1') return `sms:${task.messageId}`;
  if (task.type === 'simulator.dlr.v1') return `dlr:${task.carrierMessageId}`;
  if (task.type === 'campaign.batch.v1') return `campaign:${task.campaignId}:${task.batch}`;
  return `${task.type}:${task.eventId}`;
}

export function describeTaskQueueContract(
  name: string,
  open: (clock: FakeClock) => Promise<TaskQueueUnderTest>,
): void {
  describe(`TaskQueue contract: ${name}`, () => {
    let clock: FakeClock;
    let queue: TaskQueue;
    let receiver: TaskReceiver;
    let leaseMs: number;
    let maxAttempts: number;
    let cleanup: (() => Promise<void>) | undefined;
    let counter = 0;

    const sms = (): SmsSendTask => ({ type: 'sms.send.v1', accountId: 'acc_contract', messageId: `msg_${++counter}` });
    const dlr = (): SimulatorDlrTask => ({
      type: 'simulator.dlr.v1',
      carrierMessageId: `sim_${++counter}`,
      outcome: 'DELIVRD',
    });
    const expireLease = (): void => clock.advance(leaseMs + 1);

    /** Receives until a receive comes back empty (bounded, so a broken adapter cannot hang the suite). */
    async function receiveAll(q: string, r: TaskReceiver = receiver): Promise<LeasedTask[]> {
      const all: LeasedTask[] = [];
      for (let i = 0; i < 100; i += 1) {
        const batch = await r.receive(q, 10);
        if (batch.length === 0) return all;
        all.push(...batch);
      }
      throw new Error('receive never ran dry');
    }

    async function receiveOne(q: string): Promise<LeasedTask> {
      const batch = await receiver.receive(q, 10);
      expect(batch).toHaveLength(1);
      return batch[0] as LeasedTask;
    }

    beforeEach(async () => {
      clock = new FakeClock();
      const sut = await open(clock);
      ({ queue, receiver, leaseMs, maxAttempts, cleanup } = sut);
      expect(leaseMs).toBeGreaterThan(2);
      expect(maxAttempts).toBeGreaterThanOrEqual(3);
    });

    afterEach(async () => {
      await cleanup?.();
      cleanup = undefined;
    });

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
        await cleanup?.();
        cleanup = undefined;
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 12 }),
            fc.array(fc.integer({ min: 1, max: 3_000 }), { maxLength: 8 }),
            async (delays, steps) => {
              const runClock = new FakeClock();
              const sut = await open(runClock);
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

    describe('receive limits and concurrency', () => {
      it('never returns more than max', async () => {
        const tasks = [sms(), sms(), sms(), sms(), sms()];
        for (const task of tasks) await queue.send(task);
        expect(await receiver.receive(SMS, 1)).toHaveLength(1);
        expect(await receiver.receive(SMS, 2)).toHaveLength(2);
        expect(await receiver.receive(SMS, 2)).toHaveLength(2);
        expect(await receiver.receive(SMS, 2)).toEqual([]);
      });

      it('never hands the same task to two concurrent receives', async () => {
        const tasks = Array.from({ length: 7 }, () => sms());
        for (const task of tasks) await queue.send(task);
        const batches = await Promise.all([
          receiver.receive(SMS, 3),
          receiver.receive(SMS, 3),
          receiver.receive(SMS, 3),
          receiver.receive(SMS, 3),
        ]);
        for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(3);
        const first = batches.flat().map((l) => keyOf(l.task));
        expect(new Set(first).size).toBe(first.length);
        const rest = (await receiveAll(SMS)).map((l) => keyOf(l.task));
        expect([...first, ...rest].sort()).toEqual(tasks.map(keyOf).sort());
      });
    });

    describe('queues are independent', () => {
      it('delivers a task only from its own queue', async () => {
        const a = sms();
        const b = dlr();
        await queue.send(a);
        await queue.send(b);
        expect((await receiveAll(DLR)).map((l) => l.task)).toStrictEqual([b]);
        expect((await receiveAll(SMS)).map((l) => l.task)).toStrictEqual([a]);
      });

      it('keeps due times and dead letters per queue', async () => {
        await queue.send(sms(), { delayMs: 5_000 });
        expect(await receiver.nextDueInMs(DLR)).toBeNull();
        await queue.send(dlr());
        await receiver.deadLetter(await receiveOne(DLR), 'bad');
        expect(await receiver.deadLettered(SMS, 10)).toEqual([]);
        expect(await receiver.deadLettered(DLR, 10)).toHaveLength(1);
        expect(await receiver.nextDueInMs(SMS)).toBe(5_000);
      });
    });
  });
}
