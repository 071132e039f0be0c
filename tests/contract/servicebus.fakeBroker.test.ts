/** The broker behaviour the Service Bus adapter relies on, as tests/fixtures/fakeServiceBus.ts models it. */
import Long from 'long';
import { isServiceBusError } from '@azure/service-bus';
import { FakeClock } from '../fixtures/fakeClock';
import type { FakeServiceBus } from '../fixtures/fakeServiceBus';
import { fakeBus, LEASE_MS, MAX_ATTEMPTS, SMS } from './serviceBusSetup';

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
    await sender.scheduleMessages(
      [
        { body: 1, messageId: 'same' },
        { body: 2, messageId: 'same' },
      ],
      new Date(clock.now()),
    );
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
    expect(bThird?.applicationProperties?.note).toBe('abandoned');
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
