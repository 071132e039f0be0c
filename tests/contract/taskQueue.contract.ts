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
import { describeCancelAndDedupeContract } from './taskQueue/cancelAndDedupe.contract';
import { describeDeliveryContract } from './taskQueue/delivery.contract';
import { useTaskQueueUnderTest, type OpenTaskQueue } from './taskQueue/harness';
import { describeQueuesAndLimitsContract } from './taskQueue/queuesAndLimits.contract';
import { describeRetryAndDeadLetterContract } from './taskQueue/retryAndDeadLetters.contract';

export type { TaskQueueUnderTest } from './taskQueue/harness';

/** Every part of the contract (./taskQueue/) against a fresh adapter per test. */
export function describeTaskQueueContract(name: string, open: OpenTaskQueue): void {
  describe(`TaskQueue contract: ${name}`, () => {
    const t = useTaskQueueUnderTest(open);
    describeDeliveryContract(t);
    describeCancelAndDedupeContract(t);
    describeRetryAndDeadLetterContract(t);
    describeQueuesAndLimitsContract(t);
  });
}
