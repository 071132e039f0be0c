import { QUEUE_NAMES, type DeadLetteredTask } from '../ports';
import type { AppDeps } from './deps';
import { notFound } from './errors';

/** The task queues an operator can inspect: one per task type (QUEUE_NAMES). */
export function taskQueueNames(): string[] {
  return [...QUEUE_NAMES];
}

function requireQueue(queue: string): void {
  if (!taskQueueNames().includes(queue)) throw notFound(`Queue ${queue}`);
}

/** Tasks of a queue that exhausted their attempts (or could not be read), oldest first. */
export async function listDeadLetters(deps: Pick<AppDeps, 'deadLetters'>, queue: string, limit: number): Promise<DeadLetteredTask[]> {
  requireQueue(queue);
  return deps.deadLetters.deadLettered(queue, limit);
}

/** Sends a dead-lettered task again as a fresh task (attempt 1), e.g. after the cause was fixed. */
export async function requeueDeadLetter(deps: Pick<AppDeps, 'deadLetters' | 'logger'>, queue: string, id: string): Promise<void> {
  requireQueue(queue);
  if (!(await deps.deadLetters.requeueDeadLettered(queue, id))) throw notFound(`Dead-lettered task ${id} of queue ${queue}`);
  deps.logger.info('re-queued a dead-lettered task', { queue, deadLetterId: id });
}
