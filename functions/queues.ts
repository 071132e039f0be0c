import type { InvocationContext } from '@azure/functions';
import { InvalidTaskMessageError, taskFromServiceBusMessage } from '../shared/config/azureTriggers';
import type { RuntimeProvider } from './runtimeProvider';

/**
 * Thrown so the Functions host abandons the delivery: Service Bus delivers it again and, after the
 * queue's maxDeliveryCount, moves it to the dead-letter queue (where the admin routes list it).
 */
export class RedeliverError extends Error {
  override readonly name = 'RedeliverError';
}

function numberOr(value: unknown, fallback: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * The Service Bus trigger of one queue (cardinality one, auto-complete on). It runs the same batch
 * handler the embedded workers run and settles the outcome the way a trigger can:
 *  - done: return; the host completes the message.
 *  - retry, attempts left: schedule a copy carrying the next attempt number after the delay, then
 *    return; the host completes this one. (Throwing would redeliver at once, with no backoff.)
 *  - retry, no attempts left, or a message that is not a task: throw; the broker redelivers it and
 *    dead-letters it after maxDeliveryCount. Deliveries past the last attempt throw without running
 *    the handler again.
 * Cardinality one because a trigger can only settle a whole batch: one task's retry must not
 * re-run (or complete) its neighbours.
 */
export function createQueueHandler(
  queue: string,
  runtime: RuntimeProvider,
): (message: unknown, context: InvocationContext) => Promise<void> {
  return async (message, context) => {
    const rt = await runtime();
    const { logger } = rt.deps;
    const meta = context.triggerMetadata ?? {};
    const messageId = typeof meta.messageId === 'string' ? meta.messageId : undefined;
    let envelope: ReturnType<typeof taskFromServiceBusMessage>;
    try {
      envelope = taskFromServiceBusMessage(
        { body: message, deliveryCount: numberOr(meta.deliveryCount, 1), applicationProperties: record(meta.applicationProperties) },
        queue,
      );
    } catch (err) {
      if (!(err instanceof InvalidTaskMessageError)) throw err;
      logger.error('not a task this version can handle; leaving it to the dead-letter queue', {
        queue,
        serviceBusMessageId: messageId,
        error: err.message,
      });
      throw new RedeliverError(err.message);
    }
    const handler = rt.handlers[queue];
    if (!handler) throw new RedeliverError(`no handler for queue ${queue}`);
    const maxAttempts = rt.redelivery?.maxAttempts ?? Number.POSITIVE_INFINITY;
    if (envelope.attempt > maxAttempts) {
      throw new RedeliverError(`task exhausted its ${maxAttempts} attempts; waiting for the broker to dead-letter it`);
    }
    const [outcome] = await handler([envelope]);
    if (!outcome || outcome.kind === 'done') return;
    if (rt.redelivery && envelope.attempt < rt.redelivery.maxAttempts) {
      await rt.redelivery.sendRetry(envelope.task, envelope.attempt + 1, outcome.delayMs, outcome.reason);
      return;
    }
    logger.error('task failed on its last attempt; it goes to the dead-letter queue', {
      queue,
      type: envelope.task.type,
      attempt: envelope.attempt,
      error: outcome.reason,
    });
    throw new RedeliverError(outcome.reason);
  };
}
