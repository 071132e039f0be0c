/** The TaskQueue contract, receive limits, concurrency and independent queues (run by describeTaskQueueContract). */
import type { TaskQueue, TaskReceiver } from '../../../shared/ports/taskQueue';
import { DLR, SMS, keyOf, type TaskQueueHarness } from './harness';

export function describeQueuesAndLimitsContract(t: TaskQueueHarness): void {
  let queue: TaskQueue;
  let receiver: TaskReceiver;
  beforeEach(() => {
    ({ queue, receiver } = t.current());
  });
  const { sms, dlr, receiveAll, receiveOne } = t;

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
}
