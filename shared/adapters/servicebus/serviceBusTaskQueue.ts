/**
 * TaskQueue + TaskReceiver over Azure Service Bus (`@azure/service-bus`), one queue per task type
 * (QUEUE_OF). In Azure, tasks are consumed by Functions queue triggers (see
 * `taskFromServiceBusMessage`); the pull side here serves tooling (dead-letter listing and requeue),
 * the contract suite, and any worker that runs outside Functions.
 *
 * Requirements on every queue (set in infra):
 *  - Duplicate detection ON (`requiresDuplicateDetection`): `SendOptions.dedupeId` is sent as the
 *    messageId, and only the broker's duplicate detection turns that into "sent once". Note the
 *    broker's semantics: a messageId is remembered for the whole `duplicateDetectionHistoryTimeWindow`
 *    after it was accepted, whether the message is still pending, completed or cancelled. A re-send
 *    with the same dedupeId inside the window is dropped even after the first was cancelled, so
 *    callers must not reuse a dedupe id for a logically new send.
 *  - `maxDeliveryCount` equal to this adapter's `maxAttempts` (the broker dead-letters after that
 *    many deliveries of one message; the adapter enforces the same bound across retry copies).
 *  - `lockDuration` is the lease. The broker owns lock expiry and redelivery.
 *
 * The work is split along its seams: taskSender.ts (send, schedule, cancel), leaseReceiver.ts
 * (receive and settle leases), deadLetterAdmin.ts (list and requeue dead-lettered tasks), over
 * the links of links.ts; this module puts them together behind the TaskQueue and TaskReceiver ports.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import type { Task, TaskHandle, TaskQueue, TaskReceiver } from '../../ports/taskQueue';
import { DeadLetterAdmin } from './deadLetterAdmin';
import { KeyedMutex } from './keyedMutex';
import { LeaseReceiver } from './leaseReceiver';
import { ServiceBusLinks, type ServiceBusClientLike } from './links';
import { TaskSender } from './taskSender';

export { LeaseLostError } from './brokerErrors';
export type { ServiceBusClientLike, ServiceBusReceiverLike, ServiceBusSenderLike } from './links';

export interface ServiceBusTaskQueueOptions {
  client: ServiceBusClientLike;
  clock: Clock;
  /** Must equal the queues' `maxDeliveryCount`. Default 10, the broker's default. */
  maxAttempts?: number;
  /** Entity name of a logical queue (e.g. to add a per-environment prefix). Default: the name itself. */
  entityName?: (queue: string) => string;
  /** `maxWaitTimeInMs` for each receive call (the SDK default, 60 s, is far too long for a poll). */
  receiveWaitMs?: number;
  /** How many messages `nextDueInMs` peeks at most (peek is linear in the backlog). */
  peekScanLimit?: number;
  /** How many dead-lettered messages `requeueDeadLettered` locks at most while looking for one. */
  requeueScanLimit?: number;
  logger?: Logger;
  /** messageId for sends without a dedupe id, and for retry/requeue copies. */
  newMessageId?: () => string;
}

export interface ServiceBusTaskQueue extends TaskQueue, TaskReceiver {
  /**
   * Schedules a task as delivery number `attempt` after `delayMs`: what a Functions trigger (which has
   * no LeasedTask to `retry`) calls before returning successfully, so the host completes the original.
   */
  sendRetry(task: Task, attempt: number, delayMs: number, reason: string): Promise<TaskHandle>;
  /** Closes the senders and receivers this adapter opened (not the client, which the caller owns). */
  close(): Promise<void>;
}

export function createServiceBusTaskQueue(options: ServiceBusTaskQueueOptions): ServiceBusTaskQueue {
  const maxAttempts = options.maxAttempts ?? 10;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError('maxAttempts must be a positive integer');
  }
  const { clock } = options;
  const links = new ServiceBusLinks(options.client, options.entityName ?? ((queue) => queue));
  const sender = new TaskSender(links, clock, options.newMessageId ?? randomUUID);
  const mutex = new KeyedMutex();
  const receiveWaitMs = options.receiveWaitMs ?? 1_000;
  const logger = options.logger;
  const leases = new LeaseReceiver({
    links,
    sender,
    mutex,
    clock,
    maxAttempts,
    receiveWaitMs,
    peekScanLimit: options.peekScanLimit ?? 256,
    logger,
  });
  const deadLetters = new DeadLetterAdmin({
    links,
    sender,
    mutex,
    clock,
    maxAttempts,
    receiveWaitMs,
    requeueScanLimit: options.requeueScanLimit ?? 500,
    logger,
  });
  return {
    send: (task, sendOptions) => sender.send(task, sendOptions),
    cancel: (handle) => sender.cancel(handle),
    sendRetry: (task, attempt, delayMs, reason) => sender.sendRetry(task, attempt, delayMs, reason),
    receive: (queue, max) => leases.receive(queue, max),
    complete: (leased) => leases.complete(leased),
    retry: (leased, delayMs, reason) => leases.retry(leased, delayMs, reason),
    deadLetter: (leased, reason) => leases.deadLetter(leased, reason),
    nextDueInMs: (queue) => leases.nextDueInMs(queue),
    deadLettered: (queue, limit) => deadLetters.deadLettered(queue, limit),
    requeueDeadLettered: (queue, id) => deadLetters.requeueDeadLettered(queue, id),
    close: async () => {
      leases.clear();
      await links.close();
    },
  };
}
