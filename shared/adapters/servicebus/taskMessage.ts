/**
 * How a Task travels as a Service Bus message, shared by the queue adapter and the Azure Functions
 * queue triggers so both read attempts and validate payloads the same way.
 *
 * Body: the task itself as JSON (the SDK JSON-encodes object bodies into an AMQP data section, and
 * both the SDK and the Functions host parse it back). Application properties:
 *  - `dfAttempt`: the attempt number of this message's FIRST delivery. A retry is a new message (a
 *    scheduled copy), so the broker's deliveryCount restarts at 1 for it; the attempt the worker
 *    sees is therefore `dfAttempt + deliveryCount - 1`.
 *  - `dfDedupeId`: the dedupe id the task was sent with, for tracing (the messageId carries it for
 *    the broker's duplicate detection).
 *  - `dfAttempts`, `dfDeadLetteredAt`: stamped when the adapter dead-letters a message itself.
 */
import type { WebhookTarget } from '../../domain/webhooks';
import { QUEUE_OF, type Task, type TaskType } from '../../ports/taskQueue';

export const ATTEMPT_PROPERTY = 'dfAttempt';
export const DEDUPE_PROPERTY = 'dfDedupeId';
export const LAST_ERROR_PROPERTY = 'dfLastError';
export const DEAD_LETTER_ATTEMPTS_PROPERTY = 'dfAttempts';
export const DEAD_LETTERED_AT_PROPERTY = 'dfDeadLetteredAt';

export const TASK_CONTENT_TYPE = 'application/json';

/** The message body is not a task this version understands (unknown type, missing field, not JSON). */
export class InvalidTaskMessageError extends Error {
  override readonly name = 'InvalidTaskMessageError';
}

const KNOWN_TYPES = new Set<string>(Object.keys(QUEUE_OF));

export function isTaskType(value: unknown): value is TaskType {
  return typeof value === 'string' && KNOWN_TYPES.has(value);
}

/**
 * Turns a received body into a value: the SDK hands back the parsed JSON object, the Functions host
 * may hand a string or a Buffer depending on the binding's data type.
 */
export function decodeBody(body: unknown): unknown {
  if (body instanceof Uint8Array) return parseJson(Buffer.from(body).toString('utf8'));
  if (typeof body === 'string') return parseJson(body);
  return body;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidTaskMessageError('message body is not JSON');
  }
}

function requireString(record: Record<string, unknown>, field: string, type: string): string {
  const value = record[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidTaskMessageError(`${type}: field "${field}" must be a non-empty string`);
  }
  return value;
}

function requireCount(record: Record<string, unknown>, field: string, type: string): number {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidTaskMessageError(`${type}: field "${field}" must be a whole number of at least 0`);
  }
  return value;
}

/**
 * Validates a decoded value as a Task and returns a copy with only the known fields. Unknown types
 * are rejected: a message from a newer producer must not be half-understood by an older consumer.
 */
export function parseTask(value: unknown): Task {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidTaskMessageError('task must be a JSON object');
  }
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (!isTaskType(type)) {
    throw new InvalidTaskMessageError(`unknown task type ${JSON.stringify(type)}`);
  }
  switch (type) {
    case 'sms.send.v1':
      return {
        type,
        accountId: requireString(record, 'accountId', type),
        messageId: requireString(record, 'messageId', type),
        ...(typeof record.slotAt === 'number' && Number.isFinite(record.slotAt) ? { slotAt: record.slotAt } : {}),
      };
    case 'simulator.dlr.v1':
      return {
        type,
        carrierMessageId: requireString(record, 'carrierMessageId', type),
        outcome: requireString(record, 'outcome', type),
      };
    case 'webhook.deliver.v1':
      return {
        type,
        accountId: requireString(record, 'accountId', type),
        eventId: requireString(record, 'eventId', type),
        target: parseWebhookTarget(record.target, type),
        attempt: typeof record.attempt === 'number' && Number.isInteger(record.attempt) && record.attempt >= 1 ? record.attempt : 1,
        ...(typeof record.body === 'string' ? { body: record.body } : {}),
      };
    case 'campaign.batch.v1':
      return {
        type,
        accountId: requireString(record, 'accountId', type),
        campaignId: requireString(record, 'campaignId', type),
        batch: requireCount(record, 'batch', type),
      };
  }
}

function parseWebhookTarget(value: unknown, type: string): WebhookTarget {
  if (typeof value !== 'object' || value === null) throw new InvalidTaskMessageError(`${type}: field "target" must be an object`);
  const t = value as Record<string, unknown>;
  switch (t.kind) {
    case 'subscription':
      return { kind: 'subscription', subscriptionId: requireString(t, 'subscriptionId', type) };
    case 'message_callback':
      return { kind: 'message_callback', messageId: requireString(t, 'messageId', type), url: requireString(t, 'url', type) };
    case 'account_webhook': {
      const stage = t.stage;
      if (stage !== 'sent' && stage !== 'delivery') throw new InvalidTaskMessageError(`${type}: target.stage must be sent or delivery`);
      return { kind: 'account_webhook', messageId: requireString(t, 'messageId', type), url: requireString(t, 'url', type), stage };
    }
    default:
      throw new InvalidTaskMessageError(`${type}: unknown target kind ${JSON.stringify(t.kind)}`);
  }
}

type PropertyBag = Readonly<Record<string, unknown>> | undefined;

/** `dfAttempt` as a positive integer, 1 when absent or malformed (a message from another producer). */
export function firstAttemptOf(applicationProperties: PropertyBag): number {
  const raw = applicationProperties?.[ATTEMPT_PROPERTY];
  const n = typeof raw === 'string' ? Number(raw) : raw;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : 1;
}

/**
 * Attempt number of a delivery. `deliveryCount` is the broker's count for this message, 1 on its
 * first delivery (the SDK and the Functions host both report it that way).
 */
export function attemptOf(applicationProperties: PropertyBag, deliveryCount: number | undefined): number {
  const deliveries = typeof deliveryCount === 'number' && deliveryCount >= 1 ? Math.floor(deliveryCount) : 1;
  return firstAttemptOf(applicationProperties) + deliveries - 1;
}

export interface ReceivedTaskMessage {
  /** The message body as received (object, JSON string or Buffer). */
  body: unknown;
  /** The broker's delivery count, 1 on the first delivery. */
  deliveryCount: number | undefined;
  /** The message's application properties (Functions: `triggerMetadata.applicationProperties`). */
  applicationProperties?: PropertyBag;
}

/**
 * For the Azure Functions queue triggers: a received message as `{ task, attempt }`, the trigger-side
 * equivalent of a LeasedTask (the Functions host owns the lock, so there is no handle or token).
 * Throws InvalidTaskMessageError for an unknown type or a malformed task, and when `expectedQueue`
 * is given and the task belongs to another queue.
 */
export function taskFromServiceBusMessage(message: ReceivedTaskMessage, expectedQueue?: string): { task: Task; attempt: number } {
  const task = parseTask(decodeBody(message.body));
  if (expectedQueue !== undefined && QUEUE_OF[task.type] !== expectedQueue) {
    throw new InvalidTaskMessageError(`task type ${task.type} belongs to queue ${QUEUE_OF[task.type]}, not ${expectedQueue}`);
  }
  return { task, attempt: attemptOf(message.applicationProperties, message.deliveryCount) };
}
