import Long from 'long';
import { LeaseLostError, type ServiceBusTaskQueue } from '../../shared/adapters/servicebus/serviceBusTaskQueue';
import { InvalidTaskMessageError } from '../../shared/adapters/servicebus/taskMessage';
import type { LeasedTask, Task } from '../../shared/ports/taskQueue';
import { FakeClock } from '../fixtures/fakeClock';
import type { FakeServiceBus } from '../fixtures/fakeServiceBus';
import { adapterOver, fakeBus, LEASE_MS, MAX_ATTEMPTS, SMS, sms } from './serviceBusSetup';
import { describeTaskQueueContract } from './taskQueue.contract';

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
