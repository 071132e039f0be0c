import { createHash } from 'node:crypto';
import Long from 'long';
import type { ServiceBusMessage } from '@azure/service-bus';
import type { Clock } from '../../ports/clock';
import { QUEUE_NAMES, QUEUE_OF, type SendOptions, type Task, type TaskHandle } from '../../ports/taskQueue';
import { isScheduledMessageNotFound } from './brokerErrors';
import { clip } from './deadLetterOptions';
import type { ServiceBusLinks } from './links';
import { ATTEMPT_PROPERTY, DEDUPE_PROPERTY, LAST_ERROR_PROPERTY, TASK_CONTENT_TYPE, parseTask } from './taskMessage';

export const KNOWN_QUEUES = new Set<string>(QUEUE_NAMES);
/** A sequence number as a handle id or dead-letter id carries it. */
export const DIGITS = /^[0-9]{1,19}$/;
/** Service Bus caps messageId at 128 characters. */
const MAX_MESSAGE_ID = 128;

function messageIdForDedupe(dedupeId: string): string {
  if (dedupeId.length > 0 && dedupeId.length <= MAX_MESSAGE_ID) return dedupeId;
  return `sha256:${createHash('sha256').update(dedupeId).digest('hex')}`;
}

/** The send side: send, schedule a retry or a requeued copy, cancel a scheduled send. */
export class TaskSender {
  constructor(
    private readonly links: ServiceBusLinks,
    private readonly clock: Clock,
    private readonly newMessageId: () => string,
  ) {}

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
      await this.links.sender(handle.queue).cancelScheduledMessages(sequenceNumber);
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

  /** A fresh first attempt of a task taken out of the dead-letter queue (new messageId, so not a duplicate). */
  async sendRequeued(task: Task): Promise<TaskHandle> {
    return this.schedule(task, { attempt: 1, delayMs: 0, messageId: this.newMessageId(), extraProperties: {} });
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
    const [sequenceNumber] = await this.links.sender(queue).scheduleMessages(message, new Date(this.clock.now() + delayMs));
    if (sequenceNumber === undefined) throw new Error('scheduleMessages returned no sequence number');
    return { queue, id: sequenceNumber.toString() };
  }
}
