/** The fake broker and the adapter over it, as the Service Bus suites open them. */
import { createServiceBusTaskQueue, type ServiceBusTaskQueue } from '../../shared/adapters/servicebus/serviceBusTaskQueue';
import { QUEUE_OF, type SmsSendTask } from '../../shared/ports/taskQueue';
import type { FakeClock } from '../fixtures/fakeClock';
import { FakeServiceBus, type FakeQueueOptions } from '../fixtures/fakeServiceBus';

export const LEASE_MS = 30_000;
export const MAX_ATTEMPTS = 3;
export const SMS = QUEUE_OF['sms.send.v1'];

export function fakeBus(clock: FakeClock, overrides: FakeQueueOptions = {}): FakeServiceBus {
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

export function adapterOver(bus: FakeServiceBus, clock: FakeClock): ServiceBusTaskQueue {
  return createServiceBusTaskQueue({ client: bus, clock, maxAttempts: MAX_ATTEMPTS, receiveWaitMs: 0 });
}

export const sms = (n: number): SmsSendTask => ({ type: 'sms.send.v1', accountId: 'acc_sb', messageId: `msg_${n}` });
