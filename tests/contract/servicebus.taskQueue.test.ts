import Long from 'long';
import { isServiceBusError } from '@azure/service-bus';
import {
  createServiceBusTaskQueue,
  LeaseLostError,
  type ServiceBusTaskQueue,
} from '../../shared/adapters/servicebus/serviceBusTaskQueue';
import { serviceBusClientFromConfig } from '../../shared/adapters/servicebus/client';
import { InvalidTaskMessageError, taskFromServiceBusMessage } from '../../shared/adapters/servicebus/taskMessage';
import { systemClock } from '../../shared/ports/clock';
import { QUEUE_OF, type LeasedTask, type SmsSendTask, type Task } from '../../shared/ports/taskQueue';
import { FakeClock } from '../fixtures/fakeClock';
import { FakeServiceBus, type FakeQueueOptions } from '../fixtures/fakeServiceBus';
import { describeTaskQueueContract } from './taskQueue.contract';

const LEASE_MS = 30_000;
const MAX_ATTEMPTS = 3;
const SMS = QUEUE_OF['sms.send.v1'];

function fakeBus(clock: FakeClock, overrides: FakeQueueOptions = {}): FakeServiceBus {
  const queue: FakeQueueOptions = {
    lockDurationMs: LEASE_MS,
    maxDeliveryCount: MAX_ATTEMPTS,
    requiresDuplicateDetection: true,
    duplicateDetectionHistoryTimeWindowMs: 10 * 60_000,
    ...overrides,
  };
  return new FakeServiceBus({
    clock,
    queues: Object.fromEntries(Object.values(QUEUE_OF).map((name) => [name, queue])),
  });
}

function adapterOver(bus: FakeServiceBus, clock: FakeClock): ServiceBusTaskQueue {
  return createServiceBusTaskQueue({ client: bus, clock, maxAttempts: MAX_ATTEMPTS, receiveWaitMs: 0 });
}

describeTaskQueueContract('Service Bus adapter over FakeServiceBus', async (clock) => {
  const bus = fakeBus(clock);
  const adapter = adapterOver(bus, clock);
  return {
    queue: adapter,
    receiver: adapter,
    leaseMs: LEASE_MS,
    maxAttempts: MAX_ATTEMPTS,
    cleanup: async () => {
      await adapter.close();
      await bus.close();
    },
  };
});

const sms = (n: number): SmsSendTask => ({ type: 'sms.send.v1', accountId: 'acc_sb', messageId: `msg_${n}` });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function codeOf(err: unknown): string | undefined {
  return isServiceBusError(err) ? err.code : undefined;
}

describe('FakeServiceBus behaves like the broker', () => {
  let clock: FakeClock;
  let bus: FakeServiceBus;
  beforeEach(() => {
    clock = new FakeClock();
    bus = fakeBus(clock);
  });

  it('gives a scheduled message a new sequence number when it is enqueued; the old one no longer cancels', async () => {
    const sender = bus.createSender(SMS);
    const receiver = bus.createReceiver(SMS);
    const [scheduled] = await sender.scheduleMessages({ body: { n: 1 } }, new Date(clock.now() + 1_000));
    const peeked = await receiver.peekMessages(10, { fromSequenceNumber: Long.ZERO });
    expect(peeked.map((m) => [m.state, m.sequenceNumber?.toString()])).toEqual([['scheduled', scheduled?.toString()]]);

    clock.advance(1_000);
    const [received] = await receiver.receiveMessages(10);
    expect(received?.state).toBe('active');
    expect(received?.sequenceNumber?.toString()).not.toBe(scheduled?.toString());
    expect(received?.deliveryCount).toBe(1);
    expect(received?.body).toEqual({ n: 1 });
    const err = await rejection(sender.cancelScheduledMessages(scheduled as Long));
    expect(codeOf(err)).toBe('MessageNotFound');
    expect(String((err as Error).message)).toMatch(/Missing sequence numbers/);
  });

  it('cancels a message while it is scheduled', async () => {
    const sender = bus.createSender(SMS);
    const [seq] = await sender.scheduleMessages({ body: 'x' }, new Date(clock.now() + 1_000));
    await sender.cancelScheduledMessages(seq as Long);
    clock.advance(2_000);
    expect(await bus.createReceiver(SMS).receiveMessages(10)).toEqual([]);
    expect(codeOf(await rejection(sender.cancelScheduledMessages(seq as Long)))).toBe('MessageNotFound');
    await expect(sender.cancelScheduledMessages(7 as unknown as Long)).rejects.toThrow(TypeError);
  });

  it('drops a duplicate messageId within the window but still returns a sequence number for it', async () => {
    const sender = bus.createSender(SMS);
    const at = new Date(clock.now());
    const [first] = await sender.scheduleMessages({ body: 1, messageId: 'dup' }, at);
    const [second] = await sender.scheduleMessages({ body: 2, messageId: 'dup' }, at);
    expect(second?.toString()).not.toBe(first?.toString());
    expect(codeOf(await rejection(sender.cancelScheduledMessages(second as Long)))).toBe('MessageNotFound');
    expect(bus.counts(SMS)).toMatchObject({ scheduled: 0, active: 1 });

    // The id stays remembered after the first is gone (here: cancelled) until the window passes.
    await sender.scheduleMessages({ body: 3, messageId: 'dup2' }, new Date(clock.now() + 60_000));
    const [toCancel] = (await bus.createReceiver(SMS).peekMessages(10, { fromSequenceNumber: Long.ZERO }))
      .filter((m) => m.messageId === 'dup2')
      .map((m) => m.sequenceNumber as Long);
    await sender.cancelScheduledMessages(toCancel as Long);
    await sender.scheduleMessages({ body: 4, messageId: 'dup2' }, new Date(clock.now()));
    expect(bus.counts(SMS)).toMatchObject({ scheduled: 0, active: 1 });
    clock.advance(10 * 60_000);
    await sender.scheduleMessages({ body: 5, messageId: 'dup2' }, new Date(clock.now()));
    expect(bus.counts(SMS)).toMatchObject({ active: 2 });
  });

  it('keeps duplicates when the queue does not require duplicate detection', async () => {
    const plain = fakeBus(clock, { requiresDuplicateDetection: false });
    const sender = plain.createSender(SMS);
    await sender.scheduleMessages([{ body: 1, messageId: 'same' }, { body: 2, messageId: 'same' }], new Date(clock.now()));
    expect(plain.counts(SMS)).toMatchObject({ active: 2 });
  });

  it('redelivers on lock expiry with deliveryCount + 1 and dead-letters after maxDeliveryCount', async () => {
    const sender = bus.createSender(SMS);
    const receiver = bus.createReceiver(SMS);
    await sender.scheduleMessages({ body: 'x' }, new Date(clock.now()));
    for (let n = 1; n <= MAX_ATTEMPTS; n += 1) {
      const [m] = await receiver.receiveMessages(10);
      expect(m?.deliveryCount).toBe(n);
      expect(m?.lockedUntilUtc?.getTime()).toBe(clock.now() + LEASE_MS);
      expect(await receiver.receiveMessages(10)).toEqual([]);
      clock.advance(LEASE_MS);
    }
    expect(await receiver.receiveMessages(10)).toEqual([]);
    const [dead] = await bus.createReceiver(SMS, { subQueueType: 'deadLetter' }).peekMessages(10, {
      fromSequenceNumber: Long.ZERO,
    });
    expect(dead?.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    expect(dead?.deadLetterErrorDescription).toBe(`Message could not be consumed after ${MAX_ATTEMPTS} delivery attempts.`);
    expect(dead?.deliveryCount).toBe(MAX_ATTEMPTS);
  });

  it('refuses to settle with a lost lock, twice, or a peeked message', async () => {
    const sender = bus.createSender(SMS);
    const receiver = bus.createReceiver(SMS);
    await sender.scheduleMessages([{ body: 'a' }, { body: 'b' }], new Date(clock.now()));
    const [a, b] = await receiver.receiveMessages(10);
    clock.advance(LEASE_MS);
    expect(codeOf(await rejection(receiver.completeMessage(a as never)))).toBe('MessageLockLost');
    const [aAgain, bAgain] = await receiver.receiveMessages(10);
    expect(codeOf(await rejection(receiver.completeMessage(b as never)))).toBe('MessageLockLost');
    await receiver.completeMessage(aAgain as never);
    await expect(receiver.completeMessage(aAgain as never)).rejects.toThrow(/already settled/);
    const [peeked] = await receiver.peekMessages(1, { fromSequenceNumber: Long.ZERO });
    await expect(receiver.completeMessage(peeked as never)).rejects.toThrow(/peeked messages/);
    await receiver.abandonMessage(bAgain as never, { note: 'abandoned' });
    const [bThird] = await receiver.receiveMessages(10);
    expect(bThird?.deliveryCount).toBe(3);
    expect(bThird?.applicationProperties?.['note']).toBe('abandoned');
  });

  it('moves a dead-lettered message with its reason, description and extra properties', async () => {
    await bus.createSender(SMS).scheduleMessages({ body: 'x', applicationProperties: { keep: 1 } }, new Date(clock.now()));
    const receiver = bus.createReceiver(SMS);
    const [m] = await receiver.receiveMessages(1);
    await receiver.deadLetterMessage(m as never, { deadLetterReason: 'r', deadLetterErrorDescription: 'd', extra: 'e' });
    const dlq = bus.createReceiver(SMS, { subQueueType: 'deadLetter' });
    const [dead] = await dlq.receiveMessages(1);
    expect(dead).toMatchObject({ deadLetterReason: 'r', deadLetterErrorDescription: 'd', body: 'x' });
    expect(dead?.applicationProperties).toEqual({ keep: 1, extra: 'e' });
    await dlq.completeMessage(dead as never);
    expect(bus.counts(SMS).deadLettered).toBe(0);
  });

  it('refuses a second receiveMessages on a receiver that is already receiving', async () => {
    const receiver = bus.createReceiver(SMS);
    const first = receiver.receiveMessages(1);
    await expect(receiver.receiveMessages(1)).rejects.toThrow(/already receiving/);
    await first;
  });

  it('resumes a peek without fromSequenceNumber after the last peeked message', async () => {
    await bus.createSender(SMS).scheduleMessages([{ body: 1 }, { body: 2 }, { body: 3 }], new Date(clock.now() + 5));
    const receiver = bus.createReceiver(SMS);
    expect((await receiver.peekMessages(2)).map((m) => m.body)).toEqual([1, 2]);
    expect((await receiver.peekMessages(2)).map((m) => m.body)).toEqual([3]);
  });

  it('reports an unknown entity as MessagingEntityNotFound', async () => {
    const err = await rejection(bus.createSender('nope').scheduleMessages({ body: 1 }, new Date()));
    expect(codeOf(err)).toBe('MessagingEntityNotFound');
  });
});

describe('Service Bus adapter specifics', () => {
  let clock: FakeClock;
  let bus: FakeServiceBus;
  let adapter: ServiceBusTaskQueue;
  beforeEach(() => {
    clock = new FakeClock();
    bus = fakeBus(clock);
    adapter = adapterOver(bus, clock);
  });
  afterEach(() => adapter.close());

  it('schedules every send, so even an immediate one has a broker sequence number as handle', async () => {
    const handle = await adapter.send(sms(1));
    expect(handle.id).toMatch(/^[0-9]+$/);
    const [leased] = await adapter.receive(SMS, 1);
    expect(leased?.handle.id).not.toBe(handle.id); // enqueuing gave it a new sequence number
    expect(await adapter.cancel(handle)).toBe(false);
    expect(await adapter.cancel({ queue: 'not-a-queue', id: '1' })).toBe(false);
  });

  it('rejects a task of an unknown type before sending it', async () => {
    const bogus = { type: 'sms.send.v0', accountId: 'a', messageId: 'm' } as unknown as Task;
    await expect(adapter.send(bogus)).rejects.toThrow(InvalidTaskMessageError);
    expect(bus.counts(SMS)).toMatchObject({ scheduled: 0, active: 0 });
  });

  it('dead-letters a message that is not a valid task instead of handing it out', async () => {
    await bus.createSender(SMS).scheduleMessages({ body: { type: 'sms.send.v9', x: 1 } }, new Date(clock.now()));
    await adapter.send(sms(2));
    const got = await adapter.receive(SMS, 10);
    expect(got.map((l) => l.task)).toStrictEqual([sms(2)]);
    const [dead] = await bus.createReceiver(SMS, { subQueueType: 'deadLetter' }).peekMessages(10, {
      fromSequenceNumber: Long.ZERO,
    });
    expect(dead?.deadLetterReason).toBe('InvalidTask');
    expect(await adapter.deadLettered(SMS, 10)).toEqual([]); // not a task: nothing to list or requeue
  });

  it('stamps reason, description, attempts and time the same way on every path that dead-letters', async () => {
    await adapter.send(sms(1));
    let [leased] = await adapter.receive(SMS, 1);
    while (leased && leased.attempt < MAX_ATTEMPTS) {
      await adapter.retry(leased, 0, 'carrier timeout');
      [leased] = await adapter.receive(SMS, 1);
    }
    clock.advance(1_000);
    await adapter.retry(leased!, 0, 'carrier timeout'); // the last attempt: dead-lettered, not copied
    await adapter.send(sms(2));
    const [second] = await adapter.receive(SMS, 1);
    await adapter.deadLetter(second!, 'x'.repeat(2_000));
    const dead = await bus.createReceiver(SMS, { subQueueType: 'deadLetter' }).peekMessages(10, {
      fromSequenceNumber: Long.ZERO,
    });
    expect(dead.map((m) => [m.deadLetterReason, m.deadLetterErrorDescription, m.applicationProperties])).toEqual([
      [
        'MaxAttemptsExceeded',
        `not completed after ${MAX_ATTEMPTS} attempts; last error: carrier timeout`,
        expect.objectContaining({ dfAttempts: MAX_ATTEMPTS, dfDeadLetteredAt: new Date(clock.now()).toISOString() }),
      ],
      [
        `${'x'.repeat(1_023)}…`, // clipped to the broker-safe length
        '',
        expect.objectContaining({ dfAttempts: 1, dfDeadLetteredAt: new Date(clock.now()).toISOString() }),
      ],
    ]);
  });

  it('dedupes long dedupe ids (hashed into the 128-character messageId)', async () => {
    const long = 'x'.repeat(300);
    await adapter.send(sms(1), { dedupeId: long });
    await adapter.send(sms(2), { dedupeId: long });
    await adapter.send(sms(3), { dedupeId: `${long}y` });
    expect((await adapter.receive(SMS, 10)).map((l) => l.task)).toStrictEqual([sms(1), sms(3)]);
  });

  it('throws LeaseLostError when settling a lease the broker no longer honours', async () => {
    await adapter.send(sms(1));
    const [stale] = (await adapter.receive(SMS, 1)) as [LeasedTask];
    clock.advance(LEASE_MS);
    await expect(adapter.complete(stale)).rejects.toThrow(LeaseLostError);
    await expect(adapter.deadLetter(stale, 'x')).rejects.toThrow(LeaseLostError);
  });

  it('withdraws the retry copy when the original lease turns out to be lost', async () => {
    await adapter.send(sms(1));
    const [leased] = (await adapter.receive(SMS, 1)) as [LeasedTask];
    clock.advance(LEASE_MS);
    await expect(adapter.retry(leased, 5_000, 'busy')).rejects.toThrow(LeaseLostError);
    expect(bus.counts(SMS)).toMatchObject({ scheduled: 0, active: 1 });
    expect((await adapter.receive(SMS, 10)).map((l) => l.attempt)).toEqual([2]);
  });

  it('sendRetry (for Functions triggers) schedules a delivery with the given attempt', async () => {
    await adapter.sendRetry(sms(1), 2, 1_000, 'busy');
    clock.advance(1_000);
    const [leased] = await adapter.receive(SMS, 1);
    expect(leased?.attempt).toBe(2);
  });

  it('reports the lock expiry of its own leases as the next due time', async () => {
    await adapter.send(sms(1));
    await adapter.receive(SMS, 1);
    clock.advance(1_000);
    expect(await adapter.nextDueInMs(SMS)).toBe(LEASE_MS - 1_000);
  });
});

describe('taskFromServiceBusMessage (Functions trigger input)', () => {
  const task = sms(1);

  it('reads an object, JSON text or Buffer body and the attempt from deliveryCount', () => {
    expect(taskFromServiceBusMessage({ body: task, deliveryCount: 1 })).toStrictEqual({ task, attempt: 1 });
    expect(taskFromServiceBusMessage({ body: JSON.stringify(task), deliveryCount: 3 })).toStrictEqual({ task, attempt: 3 });
    expect(
      taskFromServiceBusMessage({
        body: Buffer.from(JSON.stringify(task)),
        deliveryCount: 2,
        applicationProperties: { dfAttempt: 4 },
      }),
    ).toStrictEqual({ task, attempt: 5 });
  });

  it('keeps only the fields of the task type', () => {
    const { task: parsed } = taskFromServiceBusMessage({ body: { ...task, extra: 1 }, deliveryCount: 1 });
    expect(parsed).toStrictEqual(task);
  });

  it('rejects unknown types, missing fields, non-JSON and a task of another queue', () => {
    const bad = [
      { type: 'sms.send.v2', accountId: 'a', messageId: 'm' },
      { type: 'sms.send.v1', accountId: 'a' },
      { type: 'simulator.dlr.v1', carrierMessageId: 'c', outcome: '' },
      'not json',
      null,
      [task],
    ];
    for (const body of bad) {
      expect(() => taskFromServiceBusMessage({ body, deliveryCount: 1 })).toThrow(InvalidTaskMessageError);
    }
    expect(() => taskFromServiceBusMessage({ body: task, deliveryCount: 1 }, QUEUE_OF['simulator.dlr.v1'])).toThrow(
      InvalidTaskMessageError,
    );
  });
});

// ------------------------------------------------------------ real namespace (opt-in)

const connectionString = process.env['SERVICEBUS_CONNECTION_STRING'];
const namespace = process.env['SERVICEBUS_NAMESPACE'];
const realEnabled = Boolean(connectionString || namespace);
const describeReal = realEnabled ? describe : describe.skip;
if (!realEnabled) {
  console.info(
    'Skipped "Service Bus adapter against a real namespace": neither SERVICEBUS_CONNECTION_STRING nor ' +
      'SERVICEBUS_NAMESPACE is set. To run it, point one of them at a disposable namespace whose queues ' +
      `(${Object.values(QUEUE_OF).join(', ')}, optionally prefixed by SERVICEBUS_QUEUE_PREFIX) have duplicate ` +
      'detection on, and set SERVICEBUS_MAX_DELIVERY_COUNT to their maxDeliveryCount (default 10).',
  );
}

describeReal('Service Bus adapter against a real namespace', () => {
  const prefix = process.env['SERVICEBUS_QUEUE_PREFIX'] ?? '';
  const run = `run_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  let n = 0;
  const mine = (): SmsSendTask => ({ type: 'sms.send.v1', accountId: run, messageId: `msg_${++n}` });
  const isMine = (task: Task): boolean => task.type === 'sms.send.v1' && task.accountId === run;
  let client: ReturnType<typeof serviceBusClientFromConfig>;
  let adapter: ServiceBusTaskQueue;

  beforeAll(() => {
    client = serviceBusClientFromConfig(
      connectionString ? { connectionString } : { fullyQualifiedNamespace: namespace as string },
    );
    adapter = createServiceBusTaskQueue({
      client,
      clock: systemClock,
      maxAttempts: Number(process.env['SERVICEBUS_MAX_DELIVERY_COUNT'] ?? 10),
      entityName: (queue) => `${prefix}${queue}`,
      receiveWaitMs: 5_000,
    });
  });

  afterAll(async () => {
    await adapter?.close();
    await client?.close();
  });

  /** Receives this run's tasks for `forMs`. Other messages are left to their lock expiry. */
  async function receiveMine(forMs: number, until?: (got: LeasedTask[]) => boolean): Promise<LeasedTask[]> {
    const got: LeasedTask[] = [];
    const deadline = Date.now() + forMs;
    while (Date.now() < deadline) {
      for (const leased of await adapter.receive(SMS, 10)) if (isMine(leased.task)) got.push(leased);
      if (until?.(got)) break;
    }
    return got;
  }

  it('sends, receives with attempt 1, completes; a completed handle no longer cancels', async () => {
    const task = mine();
    const handle = await adapter.send(task);
    const [leased] = await receiveMine(60_000, (g) => g.length > 0);
    expect(leased?.task).toStrictEqual(task);
    expect(leased?.attempt).toBe(1);
    await adapter.complete(leased as LeasedTask);
    expect(await adapter.cancel(handle)).toBe(false);
  }, 90_000);

  it('cancels a scheduled send once', async () => {
    const handle = await adapter.send(mine(), { delayMs: 5 * 60_000 });
    expect(await adapter.cancel(handle)).toBe(true);
    expect(await adapter.cancel(handle)).toBe(false);
  }, 30_000);

  it('dedupes sends sharing a dedupe id', async () => {
    await adapter.send(mine(), { dedupeId: `${run}-dedupe` });
    await adapter.send(mine(), { dedupeId: `${run}-dedupe` });
    const got = await receiveMine(15_000);
    expect(got).toHaveLength(1);
    for (const leased of got) await adapter.complete(leased);
  }, 60_000);

  it('retries with attempt 2 after the delay', async () => {
    await adapter.send(mine());
    const [first] = await receiveMine(60_000, (g) => g.length > 0);
    const retriedAt = Date.now();
    await adapter.retry(first as LeasedTask, 2_000, 'smoke test');
    const [again] = await receiveMine(60_000, (g) => g.length > 0);
    expect(again?.attempt).toBe(2);
    expect(Date.now() - retriedAt).toBeGreaterThanOrEqual(1_500);
    await adapter.complete(again as LeasedTask);
  }, 150_000);

  it('dead-letters, lists, and requeues with attempt 1', async () => {
    const task = mine();
    await adapter.send(task);
    const [leased] = await receiveMine(60_000, (g) => g.length > 0);
    await adapter.deadLetter(leased as LeasedTask, 'smoke test');
    const entry = (await adapter.deadLettered(SMS, 1_000)).find((d) => isMine(d.task));
    expect(entry).toMatchObject({ task, attempts: 1, reason: 'smoke test' });
    expect(await adapter.requeueDeadLettered(SMS, (entry as { id: string }).id)).toBe(true);
    const [again] = await receiveMine(60_000, (g) => g.length > 0);
    expect(again?.attempt).toBe(1);
    await adapter.complete(again as LeasedTask);
  }, 180_000);
});
