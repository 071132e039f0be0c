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
 */
import { createHash, randomUUID } from 'node:crypto';
import Long from 'long';
import type {
  ServiceBusMessage,
  ServiceBusReceivedMessage,
  ServiceBusReceiver,
  ServiceBusReceiverOptions,
  ServiceBusSender,
} from '@azure/service-bus';
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import {
  QUEUE_OF,
  type DeadLetteredTask,
  type LeasedTask,
  type SendOptions,
  type Task,
  type TaskHandle,
  type TaskQueue,
  type TaskReceiver,
} from '../../ports/taskQueue';
import {
  ATTEMPT_PROPERTY,
  DEAD_LETTERED_AT_PROPERTY,
  DEAD_LETTER_ATTEMPTS_PROPERTY,
  DEDUPE_PROPERTY,
  InvalidTaskMessageError,
  LAST_ERROR_PROPERTY,
  TASK_CONTENT_TYPE,
  attemptOf,
  decodeBody,
  parseTask,
} from './taskMessage';

/** The part of `ServiceBusSender` the adapter uses. */
export type ServiceBusSenderLike = Pick<ServiceBusSender, 'scheduleMessages' | 'cancelScheduledMessages' | 'close'>;

/** The part of `ServiceBusReceiver` the adapter uses (peekLock mode only). */
export type ServiceBusReceiverLike = Pick<
  ServiceBusReceiver,
  'receiveMessages' | 'peekMessages' | 'completeMessage' | 'abandonMessage' | 'deadLetterMessage' | 'close'
>;

/** The part of `ServiceBusClient` the adapter uses, so an in-memory fake can stand in for tests. */
export interface ServiceBusClientLike {
  createSender(queueOrTopicName: string): ServiceBusSenderLike;
  createReceiver(queueName: string, options?: ServiceBusReceiverOptions): ServiceBusReceiverLike;
  close(): Promise<void>;
}

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

/** Settling a lease the broker no longer honours (lock expired, or the message was redelivered). */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
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

interface Lease {
  queue: string;
  receiver: ServiceBusReceiverLike;
  message: ServiceBusReceivedMessage;
  sequence: string;
  lockedUntil: number;
}

const KNOWN_QUEUES = new Set<string>(Object.values(QUEUE_OF));
const DIGITS = /^[0-9]{1,19}$/;
/** Service Bus caps messageId at 128 characters. */
const MAX_MESSAGE_ID = 128;
/** Keeps dead-letter reasons and descriptions well inside the broker's property size limits. */
const MAX_REASON = 1024;
/** Leases kept this long past their lock expiry, so a late settle still gets the broker's answer. */
const LEASE_GRACE_MS = 60_000;

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A cancel of a sequence number the broker does not hold as scheduled (never existed, cancelled,
 * or already enqueued, which gives the message a new sequence number) is refused with
 * "Messages not found. Missing sequence numbers: …", which the SDK surfaces as code MessageNotFound.
 * The text match covers a 404 that arrives without the error condition and is mapped to another code.
 */
function isScheduledMessageNotFound(err: unknown): boolean {
  if (errorCode(err) === 'MessageNotFound') return true;
  return /missing sequence numbers|message(s)? not found/i.test(errorText(err));
}

function isLockLost(err: unknown): boolean {
  return errorCode(err) === 'MessageLockLost' || /already settled/i.test(errorText(err));
}

function clip(text: string): string {
  return text.length <= MAX_REASON ? text : `${text.slice(0, MAX_REASON - 1)}…`;
}

function sequenceOf(message: ServiceBusReceivedMessage): string {
  if (!message.sequenceNumber) throw new Error('received a Service Bus message without a sequence number');
  return message.sequenceNumber.toString();
}

/** Serialises async work per key: the SDK refuses a second receiveMessages on a receiver already receiving. */
class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

class ServiceBusTaskQueueImpl implements ServiceBusTaskQueue {
  private readonly client: ServiceBusClientLike;
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly entityName: (queue: string) => string;
  private readonly receiveWaitMs: number;
  private readonly peekScanLimit: number;
  private readonly requeueScanLimit: number;
  private readonly logger: Logger | undefined;
  private readonly newMessageId: () => string;

  private readonly senders = new Map<string, ServiceBusSenderLike>();
  private readonly receivers = new Map<string, ServiceBusReceiverLike>();
  private readonly dlqReceivers = new Map<string, ServiceBusReceiverLike>();
  private readonly leases = new Map<string, Lease>();
  private readonly leasedSequences = new Map<string, Lease>();
  private readonly mutex = new KeyedMutex();

  constructor(options: ServiceBusTaskQueueOptions) {
    this.client = options.client;
    this.clock = options.clock;
    this.maxAttempts = options.maxAttempts ?? 10;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new RangeError('maxAttempts must be a positive integer');
    }
    this.entityName = options.entityName ?? ((queue) => queue);
    this.receiveWaitMs = options.receiveWaitMs ?? 1_000;
    this.peekScanLimit = options.peekScanLimit ?? 256;
    this.requeueScanLimit = options.requeueScanLimit ?? 500;
    this.logger = options.logger;
    this.newMessageId = options.newMessageId ?? randomUUID;
  }

  // ---------------------------------------------------------------- TaskQueue

  async send(task: Task, options: SendOptions = {}): Promise<TaskHandle> {
    const valid = parseTask(task);
    const { dedupeId } = options;
    return this.schedule(valid, {
      attempt: 1,
      delayMs: options.delayMs ?? 0,
      messageId: dedupeId === undefined ? this.newMessageId() : messageIdForDedupe(dedupeId),
      extraProperties: dedupeId === undefined ? {} : { [DEDUPE_PROPERTY]: dedupeId },
    });
  }

  async cancel(handle: TaskHandle): Promise<boolean> {
    if (!KNOWN_QUEUES.has(handle.queue) || !DIGITS.test(handle.id)) return false;
    const sequenceNumber = Long.fromString(handle.id);
    if (sequenceNumber.isNegative()) return false;
    try {
      await this.sender(handle.queue).cancelScheduledMessages(sequenceNumber);
      return true;
    } catch (err) {
      // Already enqueued (so possibly delivered), already cancelled, or never scheduled.
      if (isScheduledMessageNotFound(err)) return false;
      throw err;
    }
  }

  async sendRetry(task: Task, attempt: number, delayMs: number, reason: string): Promise<TaskHandle> {
    if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError('attempt must be a positive integer');
    return this.schedule(parseTask(task), {
      attempt,
      delayMs,
      messageId: this.newMessageId(),
      extraProperties: { [LAST_ERROR_PROPERTY]: clip(reason) },
    });
  }

  /**
   * Every send is a scheduled message, even an immediate one (scheduled for "now"): `sendMessages`
   * returns nothing, while `scheduleMessages` returns the broker-assigned sequence number, the only
   * key `cancelScheduledMessages` accepts. So every send yields a real, serialisable handle, and a
   * delayed send can be cancelled until it is due. An immediate one is enqueued at once and gets a
   * new sequence number then, so cancelling it resolves false, as for any task already under way.
   * The cost is a management-link round trip per send instead of a plain link transfer.
   */
  private async schedule(
    task: Task,
    spec: { attempt: number; delayMs: number; messageId: string; extraProperties: Record<string, string> },
  ): Promise<TaskHandle> {
    const queue = QUEUE_OF[task.type];
    const delayMs = Number.isFinite(spec.delayMs) && spec.delayMs > 0 ? spec.delayMs : 0;
    const message: ServiceBusMessage = {
      body: task,
      contentType: TASK_CONTENT_TYPE,
      subject: task.type,
      messageId: spec.messageId,
      applicationProperties: { ...spec.extraProperties, [ATTEMPT_PROPERTY]: spec.attempt },
    };
    const [sequenceNumber] = await this.sender(queue).scheduleMessages(
      message,
      new Date(this.clock.now() + delayMs),
    );
    if (sequenceNumber === undefined) throw new Error('scheduleMessages returned no sequence number');
    return { queue, id: sequenceNumber.toString() };
  }

  // ------------------------------------------------------------- TaskReceiver

  async receive(queue: string, max: number): Promise<LeasedTask[]> {
    if (!Number.isInteger(max) || max < 1) return [];
    return this.mutex.run(`receive:${queue}`, async () => {
      this.pruneLeases();
      const receiver = this.receiver(queue);
      const messages = await receiver.receiveMessages(max, { maxWaitTimeInMs: this.receiveWaitMs });
      const leased: LeasedTask[] = [];
      for (const message of messages) {
        try {
          const task = await this.acceptOrDeadLetter(queue, receiver, message);
          if (task) leased.push(task);
        } catch (err) {
          // Don't lose the rest of the batch: this message stays locked and the broker
          // redelivers it when the lock runs out.
          this.logger?.error('could not accept a received task message', { queue, error: errorText(err) });
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
      this.logger?.warn('dead-lettering an invalid task message', { queue, reason: err.message });
      await receiver.deadLetterMessage(message, {
        deadLetterReason: 'InvalidTask',
        deadLetterErrorDescription: clip(err.message),
        [DEAD_LETTERED_AT_PROPERTY]: new Date(this.clock.now()).toISOString(),
      });
      return undefined;
    }
    const attempt = attemptOf(message.applicationProperties, message.deliveryCount);
    if (attempt > this.maxAttempts) {
      // A retry copy starts a fresh broker delivery count, so the broker's maxDeliveryCount alone
      // would allow more deliveries than maxAttempts across copies; this closes that gap.
      const lastError = message.applicationProperties?.[LAST_ERROR_PROPERTY];
      await receiver.deadLetterMessage(message, {
        deadLetterReason: 'MaxAttemptsExceeded',
        deadLetterErrorDescription: clip(
          `not completed after ${attempt - 1} attempts${typeof lastError === 'string' ? `; last error: ${lastError}` : ''}`,
        ),
        [DEAD_LETTER_ATTEMPTS_PROPERTY]: attempt - 1,
        [DEAD_LETTERED_AT_PROPERTY]: new Date(this.clock.now()).toISOString(),
      });
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
      lockedUntil: message.lockedUntilUtc?.getTime() ?? this.clock.now(),
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
    if (leased.attempt >= this.maxAttempts) {
      await this.settle(lease, leased, () =>
        lease.receiver.deadLetterMessage(lease.message, {
          deadLetterReason: 'MaxAttemptsExceeded',
          deadLetterErrorDescription: clip(`not completed after ${leased.attempt} attempts; last error: ${reason}`),
          [DEAD_LETTER_ATTEMPTS_PROPERTY]: leased.attempt,
          [DEAD_LETTERED_AT_PROPERTY]: new Date(this.clock.now()).toISOString(),
        }),
      );
      return;
    }
    // Copy first, then complete: a crash in between duplicates the task (at-least-once allows it),
    // the other order could lose it. The JS SDK has no transactions to make the pair atomic.
    const copy = await this.sendRetry(leased.task, leased.attempt + 1, delayMs, reason);
    try {
      await this.settle(lease, leased, () => lease.receiver.completeMessage(lease.message));
    } catch (err) {
      if (err instanceof LeaseLostError) {
        // The broker will redeliver the original anyway; withdraw the copy if it is still scheduled.
        const withdrawn = await this.cancel(copy).catch(() => false);
        if (!withdrawn) {
          this.logger?.warn('retry copy could not be withdrawn after a lost lease; the task may run twice', {
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
      lease.receiver.deadLetterMessage(lease.message, {
        deadLetterReason: clip(reason),
        deadLetterErrorDescription: '',
        [DEAD_LETTER_ATTEMPTS_PROPERTY]: leased.attempt,
        [DEAD_LETTERED_AT_PROPERTY]: new Date(this.clock.now()).toISOString(),
      }),
    );
  }

  async nextDueInMs(queue: string): Promise<number | null> {
    const now = this.clock.now();
    let best: number | null = null;
    for await (const message of this.peekAll(this.receiver(queue), this.peekScanLimit)) {
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

  async deadLettered(queue: string, limit: number): Promise<DeadLetteredTask[]> {
    const found: DeadLetteredTask[] = [];
    if (!Number.isInteger(limit) || limit < 1) return found;
    for await (const message of this.peekAll(this.dlqReceiver(queue), Number.POSITIVE_INFINITY)) {
      const entry = this.toDeadLettered(queue, message);
      if (entry) found.push(entry);
      if (found.length >= limit) break;
    }
    return found;
  }

  async requeueDeadLettered(queue: string, id: string): Promise<boolean> {
    if (!KNOWN_QUEUES.has(queue) || !DIGITS.test(id)) return false;
    const dlq = this.dlqReceiver(queue);
    const [peeked] = await dlq.peekMessages(1, { fromSequenceNumber: Long.fromString(id) });
    if (!peeked || sequenceOf(peeked) !== id) return false;
    // The DLQ can only be settled through a receive, and a receive cannot ask for one sequence
    // number: lock messages until the wanted one shows up, then release the others.
    return this.mutex.run(`dlq:${queue}`, async () => {
      const held: ServiceBusReceivedMessage[] = [];
      try {
        let target: ServiceBusReceivedMessage | undefined;
        while (!target && held.length < this.requeueScanLimit) {
          const batch = await dlq.receiveMessages(Math.min(50, this.requeueScanLimit - held.length), {
            maxWaitTimeInMs: this.receiveWaitMs,
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
        await this.schedule(task, { attempt: 1, delayMs: 0, messageId: this.newMessageId(), extraProperties: {} });
        await dlq.completeMessage(target);
        return true;
      } finally {
        for (const message of held) {
          await dlq.abandonMessage(message).catch((err: unknown) => {
            this.logger?.warn('could not release a dead-lettered message', { queue, error: errorText(err) });
          });
        }
      }
    });
  }

  async close(): Promise<void> {
    const all = [...this.senders.values(), ...this.receivers.values(), ...this.dlqReceivers.values()];
    this.senders.clear();
    this.receivers.clear();
    this.dlqReceivers.clear();
    this.leases.clear();
    this.leasedSequences.clear();
    await Promise.all(all.map((link) => link.close()));
  }

  // ---------------------------------------------------------------- internals

  private sender(queue: string): ServiceBusSenderLike {
    let sender = this.senders.get(queue);
    if (!sender) {
      sender = this.client.createSender(this.entityName(queue));
      this.senders.set(queue, sender);
    }
    return sender;
  }

  private receiver(queue: string): ServiceBusReceiverLike {
    let receiver = this.receivers.get(queue);
    if (!receiver) {
      receiver = this.client.createReceiver(this.entityName(queue), { receiveMode: 'peekLock' });
      this.receivers.set(queue, receiver);
    }
    return receiver;
  }

  private dlqReceiver(queue: string): ServiceBusReceiverLike {
    let receiver = this.dlqReceivers.get(queue);
    if (!receiver) {
      receiver = this.client.createReceiver(this.entityName(queue), {
        receiveMode: 'peekLock',
        subQueueType: 'deadLetter',
      });
      this.dlqReceivers.set(queue, receiver);
    }
    return receiver;
  }

  /** Peeks from the first sequence number on (peek otherwise resumes where the last peek stopped). */
  private async *peekAll(
    receiver: ServiceBusReceiverLike,
    limit: number,
  ): AsyncGenerator<ServiceBusReceivedMessage> {
    let from = Long.ZERO;
    let seen = 0;
    while (seen < limit) {
      const page = await receiver.peekMessages(Math.min(100, limit - seen), { fromSequenceNumber: from });
      if (page.length === 0) return;
      for (const message of page) {
        yield message;
        seen += 1;
      }
      const last = page[page.length - 1];
      if (!last?.sequenceNumber) return;
      from = last.sequenceNumber.add(1);
    }
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
          Math.min(attemptOf(props, message.deliveryCount), this.maxAttempts);
    const base = message.deadLetterReason ?? 'unknown';
    const reason = message.deadLetterErrorDescription ? `${base}: ${message.deadLetterErrorDescription}` : base;
    const at = props[DEAD_LETTERED_AT_PROPERTY];
    // The broker records no dead-letter time; for its own dead-lettering (MaxDeliveryCountExceeded)
    // the enqueue time is the best lower bound it exposes.
    const deadLetteredAt =
      typeof at === 'string' && Number.isFinite(Date.parse(at))
        ? at
        : (message.enqueuedTimeUtc ?? new Date(this.clock.now())).toISOString();
    return { id: sequenceOf(message), queue, task, attempts, reason, deadLetteredAt };
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
    const cutoff = this.clock.now() - LEASE_GRACE_MS;
    for (const [token, lease] of this.leases) {
      if (lease.lockedUntil < cutoff) this.forget(token, lease);
    }
  }
}

function messageIdForDedupe(dedupeId: string): string {
  if (dedupeId.length > 0 && dedupeId.length <= MAX_MESSAGE_ID) return dedupeId;
  return `sha256:${createHash('sha256').update(dedupeId).digest('hex')}`;
}

export function createServiceBusTaskQueue(options: ServiceBusTaskQueueOptions): ServiceBusTaskQueue {
  return new ServiceBusTaskQueueImpl(options);
}
