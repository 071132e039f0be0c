import type { BatchHandler, Task, TaskOutcome, TaskType } from '../ports';
import type { AppDeps } from './deps';
import { backoffMs, processSendTask } from './messageLifecycle';

const HANDLER_RETRY = { baseDelayMs: 1_000, maxDelayMs: 60_000 };

/** Runs a per-task handler over a batch; a throw becomes a retry with backoff, never a lost task. */
export function perTask(deps: Pick<AppDeps, 'logger'>, handle: (task: Task) => Promise<void>): BatchHandler {
  return (batch) =>
    Promise.all(
      batch.map(async ({ task, attempt }): Promise<TaskOutcome> => {
        try {
          await handle(task);
          return { kind: 'done' };
        } catch (err) {
          deps.logger.warn('task failed; will retry', { type: task.type, attempt, error: (err as Error).message });
          return { kind: 'retry', delayMs: backoffMs(HANDLER_RETRY, attempt), reason: (err as Error).message };
        }
      }),
    );
}

/** The use-case handlers of the core task types; carriers add their own (e.g. the simulator's reports). */
export function coreTaskHandlers(deps: AppDeps): Partial<Record<TaskType, BatchHandler>> {
  return {
    'sms.send.v1': perTask(deps, (task) => (task.type === 'sms.send.v1' ? processSendTask(deps, task) : Promise.reject(new Error(`unexpected ${task.type}`)))),
  };
}
