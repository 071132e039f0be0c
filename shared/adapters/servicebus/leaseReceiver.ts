import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import { QUEUE_OF, type LeasedTask, type Task } from '../../ports/taskQueue';
import { LeaseLostError, errorText, isLockLost } from './brokerErrors';
import { deadLetterProperties, maxAttemptsExceeded } from './deadLetterOptions';
import type { KeyedMutex } from './keyedMutex';
import { peekAll, sequenceOf, type ServiceBusLinks, type ServiceBusReceiverLike } from './links';
import { InvalidTaskMessageError, LAST_ERROR_PROPERTY, attemptOf, decodeBody, parseTask } from './taskMessage';
import type { TaskSender } from './taskSender';

interface Lease {
  queue: string;
  receiver: ServiceBusReceiverLike;
  message: ServiceBusReceivedMessage;
  sequence: string;
  lockedUntil: number;
}

/** Leases kept this long past their lock expiry, so a late settle still gets the broker's answer. */
const LEASE_GRACE_MS = 60_000;

export interface LeaseReceiverOptions {
  links: ServiceBusLinks;
  sender: TaskSender;
  mutex: KeyedMutex;
  clock: Clock;
  maxAttempts: number;
  receiveWaitMs: number;
  peekScanLimit: number;
  logger: Logger | undefined;
}

/**
 * The pull side of the TaskReceiver: peekLock receives become leases, which are settled by
 * complete, retry (a scheduled copy, then complete) or dead-letter. The broker owns lock expiry.
 */
export class LeaseReceiver {
  private readonly leases = new Map<string, Lease>();
  /** The same leases by `queue#sequence`, so `nextDueInMs` knows when our own locks run out. */
  private readonly leasedSequences = new Map<string, Lease>();

  constructor(private readonly o: LeaseReceiverOptions) {}

  async receive(queue: string, max: number): Promise<LeasedTask[]> {
    if (!Number.isInteger(max) || max < 1) return [];
    return this.o.mutex.run(`receive:${queue}`, async () => {
      this.pruneLeases();
      const receiver = this.o.links.receiver(queue);
      const messages = await receiver.receiveMessages(max, { maxWaitTimeInMs: this.o.receiveWaitMs });
      const leased: LeasedTask[] = [];
      for (const message of messages) {
        try {
          const task = await this.acceptOrDeadLetter(queue, receiver, message);
          if (task) leased.push(task);
        } catch (err) {
          // Don't lose the rest of the batch: this message stays locked and the broker
          // redelivers it when the lock runs out.
          this.o.logger?.error('could not accept a received task message', { queue, error: errorText(err) });
        }
      }
      return leased;
    });
  }

  /** Turns a received message into a LeasedTask, or dead-letters it when it can't be one. */
  private async acceptOrDeadLetter(
    queue: string,
    receiver: ServiceBusReceiverLike,
    message: ServiceBusReceivedMessage,
  ): Promise<LeasedTask | undefined> {
    let task: Task;
    try {
      task = parseTask(decodeBody(message.body));
      if (QUEUE_OF[task.type] !== queue) {
        throw new InvalidTaskMessageError(`task type ${task.type} does not belong to queue ${queue}`);
      }
    } catch (err) {
      if (!(err instanceof InvalidTaskMessageError)) throw err;
      this.o.logger?.warn('dead-lettering an invalid task message', { queue, reason: err.message });
      await receiver.deadLetterMessage(message, deadLetterProperties(this.o.clock.now(), 'InvalidTask', err.message));
      return undefined;
    }
    const attempt = attemptOf(message.applicationProperties, message.deliveryCount);
    if (attempt > this.o.maxAttempts) {
      // A retry copy starts a fresh broker delivery count, so the broker's maxDeliveryCount alone
      // would allow more deliveries than maxAttempts across copies; this closes that gap.
      const lastError = message.applicationProperties?.[LAST_ERROR_PROPERTY];
      await receiver.deadLetterMessage(
        message,
        maxAttemptsExceeded(this.o.clock.now(), attempt - 1, typeof lastError === 'string' ? lastError : undefined),
      );
      return undefined;
    }
    const lockToken = message.lockToken;
    if (!lockToken) throw new Error('received a Service Bus message without a lock token (not peekLock?)');
    const sequence = sequenceOf(message);
    const lease: Lease = {
      queue,
      receiver,
      message,
      sequence,
      lockedUntil: message.lockedUntilUtc?.getTime() ?? this.o.clock.now(),
    };
    this.leases.set(lockToken, lease);
    this.leasedSequences.set(`${queue}#${sequence}`, lease);
    // The handle names the message as enqueued now: its sequence number changed when it left the
    // scheduled state, so it is not the id `send` returned (and cancel(handle) resolves false).
    return { task, attempt, handle: { queue, id: sequence }, lockToken };
  }

  async complete(leased: LeasedTask): Promise<void> {
    const lease = this.lease(leased);
    await this.settle(lease, leased, () => lease.receiver.completeMessage(lease.message));
  }

  async retry(leased: LeasedTask, delayMs: number, reason: string): Promise<void> {
    const lease = this.lease(leased);
    if (leased.attempt >= this.o.maxAttempts) {
      await this.settle(lease, leased, () =>
        lease.receiver.deadLetterMessage(lease.message, maxAttemptsExceeded(this.o.clock.now(), leased.attempt, reason)),
      );
      return;
    }
    // Copy first, then complete: a crash in between duplicates the task (at-least-once allows it),
    // the other order could lose it. The JS SDK has no transactions to make the pair atomic.
    const copy = await this.o.sender.sendRetry(leased.task, leased.attempt + 1, delayMs, reason);
    try {
      await this.settle(lease, leased, () => lease.receiver.completeMessage(lease.message));
    } catch (err) {
      if (err instanceof LeaseLostError) {
        // The broker will redeliver the original anyway; withdraw the copy if it is still scheduled.
        const withdrawn = await this.o.sender.cancel(copy).catch(() => false);
        if (!withdrawn) {
          this.o.logger?.warn('retry copy could not be withdrawn after a lost lease; the task may run twice', {
            queue: lease.queue,
          });
        }
      }
      throw err;
    }
  }

  async deadLetter(leased: LeasedTask, reason: string): Promise<void> {
    const lease = this.lease(leased);
    await this.settle(lease, leased, () =>
      lease.receiver.deadLetterMessage(lease.message, deadLetterProperties(this.o.clock.now(), reason, '', leased.attempt)),
    );
  }

  async nextDueInMs(queue: string): Promise<number | null> {
    const now = this.o.clock.now();
    let best: number | null = null;
    for await (const message of peekAll(this.o.links.receiver(queue), this.o.peekScanLimit)) {
      let due: number;
      if (message.state === 'scheduled') {
        due = (message.scheduledEnqueueTimeUtc?.getTime() ?? now) - now;
      } else if (message.state === 'active') {
        // Peek does not say whether another receiver holds a lock; for our own leases we know when
        // the lock runs out. Anything else active is due now.
        const lease = this.leasedSequences.get(`${queue}#${sequenceOf(message)}`);
        if (!lease || lease.lockedUntil <= now) return 0;
        due = lease.lockedUntil - now;
      } else {
        continue; // deferred: never delivered by a plain receive
      }
      const clamped = Math.max(0, due);
      if (best === null || clamped < best) best = clamped;
      if (best === 0) return 0;
    }
    return best;
  }

  /** Forgets every lease (on close: the links they were taken on are gone). */
  clear(): void {
    this.leases.clear();
    this.leasedSequences.clear();
  }

  private lease(leased: LeasedTask): Lease {
    const lease = this.leases.get(leased.lockToken);
    if (!lease) {
      throw new LeaseLostError(`no live lease for task ${leased.handle.queue}#${leased.handle.id}`);
    }
    return lease;
  }

  private async settle(lease: Lease, leased: LeasedTask, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (err) {
      if (isLockLost(err)) {
        this.forget(leased.lockToken, lease);
        throw new LeaseLostError(`lease lost on ${lease.queue}#${lease.sequence}: ${errorText(err)}`, { cause: err });
      }
      throw err;
    }
    this.forget(leased.lockToken, lease);
  }

  private forget(lockToken: string, lease: Lease): void {
    this.leases.delete(lockToken);
    const key = `${lease.queue}#${lease.sequence}`;
    if (this.leasedSequences.get(key) === lease) this.leasedSequences.delete(key);
  }

  private pruneLeases(): void {
    const cutoff = this.o.clock.now() - LEASE_GRACE_MS;
    for (const [token, lease] of this.leases) {
      if (lease.lockedUntil < cutoff) this.forget(token, lease);
    }
  }
}
