import Long from 'long';
import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import type { DeadLetteredTask, Task } from '../../ports/taskQueue';
import { errorText } from './brokerErrors';
import type { KeyedMutex } from './keyedMutex';
import { peekAll, sequenceOf, type ServiceBusLinks } from './links';
import {
  DEAD_LETTERED_AT_PROPERTY,
  DEAD_LETTER_ATTEMPTS_PROPERTY,
  InvalidTaskMessageError,
  attemptOf,
  decodeBody,
  parseTask,
} from './taskMessage';
import { DIGITS, KNOWN_QUEUES, type TaskSender } from './taskSender';

export interface DeadLetterAdminOptions {
  links: ServiceBusLinks;
  sender: TaskSender;
  mutex: KeyedMutex;
  clock: Clock;
  maxAttempts: number;
  receiveWaitMs: number;
  requeueScanLimit: number;
  logger: Logger | undefined;
}

/** Dead-letter administration: list a queue's dead-lettered tasks and requeue one of them. */
export class DeadLetterAdmin {
  constructor(private readonly o: DeadLetterAdminOptions) {}

  async deadLettered(queue: string, limit: number): Promise<DeadLetteredTask[]> {
    const found: DeadLetteredTask[] = [];
    if (!Number.isInteger(limit) || limit < 1) return found;
    for await (const message of peekAll(this.o.links.dlqReceiver(queue), Number.POSITIVE_INFINITY)) {
      const entry = this.toDeadLettered(queue, message);
      if (entry) found.push(entry);
      if (found.length >= limit) break;
    }
    return found;
  }

  async requeueDeadLettered(queue: string, id: string): Promise<boolean> {
    if (!KNOWN_QUEUES.has(queue) || !DIGITS.test(id)) return false;
    const dlq = this.o.links.dlqReceiver(queue);
    const [peeked] = await dlq.peekMessages(1, { fromSequenceNumber: Long.fromString(id) });
    if (!peeked || sequenceOf(peeked) !== id) return false;
    // The DLQ can only be settled through a receive, and a receive cannot ask for one sequence
    // number: lock messages until the wanted one shows up, then release the others.
    return this.o.mutex.run(`dlq:${queue}`, async () => {
      const held: ServiceBusReceivedMessage[] = [];
      try {
        let target: ServiceBusReceivedMessage | undefined;
        while (!target && held.length < this.o.requeueScanLimit) {
          const batch = await dlq.receiveMessages(Math.min(50, this.o.requeueScanLimit - held.length), {
            maxWaitTimeInMs: this.o.receiveWaitMs,
          });
          if (batch.length === 0) break;
          for (const message of batch) {
            if (!target && sequenceOf(message) === id) target = message;
            else held.push(message);
          }
        }
        if (!target) return false;
        let task: Task;
        try {
          task = parseTask(decodeBody(target.body));
        } catch (err) {
          held.push(target);
          if (err instanceof InvalidTaskMessageError) return false;
          throw err;
        }
        // Fresh copy (new messageId, so duplicate detection does not drop it) before removing the
        // dead-lettered one: a failure in between leaves a duplicate, never a loss.
        await this.o.sender.sendRequeued(task);
        await dlq.completeMessage(target);
        return true;
      } finally {
        for (const message of held) {
          await dlq.abandonMessage(message).catch((err: unknown) => {
            this.o.logger?.warn('could not release a dead-lettered message', { queue, error: errorText(err) });
          });
        }
      }
    });
  }

  private toDeadLettered(queue: string, message: ServiceBusReceivedMessage): DeadLetteredTask | undefined {
    let task: Task;
    try {
      task = parseTask(decodeBody(message.body));
    } catch (err) {
      if (err instanceof InvalidTaskMessageError) return undefined; // not a task: nothing to requeue
      throw err;
    }
    const props = message.applicationProperties ?? {};
    const stamped = props[DEAD_LETTER_ATTEMPTS_PROPERTY];
    const attempts =
      typeof stamped === 'number' && Number.isInteger(stamped) && stamped >= 1
        ? stamped
        : // Deliveries past the last attempt never run the handler: a Functions trigger throws on
          // them so the broker dead-letters the message after maxDeliveryCount (functions/queues.ts).
          Math.min(attemptOf(props, message.deliveryCount), this.o.maxAttempts);
    const base = message.deadLetterReason ?? 'unknown';
    const reason = message.deadLetterErrorDescription ? `${base}: ${message.deadLetterErrorDescription}` : base;
    const at = props[DEAD_LETTERED_AT_PROPERTY];
    // The broker records no dead-letter time; for its own dead-lettering (MaxDeliveryCountExceeded)
    // the enqueue time is the best lower bound it exposes.
    const deadLetteredAt =
      typeof at === 'string' && Number.isFinite(Date.parse(at))
        ? at
        : (message.enqueuedTimeUtc ?? new Date(this.o.clock.now())).toISOString();
    return { id: sequenceOf(message), queue, task, attempts, reason, deadLetteredAt };
  }
}
