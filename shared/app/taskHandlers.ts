import type { BatchHandler, Task, TaskOutcome } from '../ports';
import type { AppDeps } from './deps';
import { processCampaignBatch } from './campaignSending';
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

/** Handler of the sms-send queue; a task of another type there is a wiring error, retried and logged. */
export function sendTaskHandler(deps: AppDeps): BatchHandler {
  return perTask(deps, (task) =>
    task.type === 'sms.send.v1' ? processSendTask(deps, task) : Promise.reject(new Error(`unexpected ${task.type} on the send queue`)),
  );
}

/** Handler of the campaign-batch queue. */
export function campaignBatchHandler(deps: AppDeps): BatchHandler {
  return perTask(deps, (task) =>
    task.type === 'campaign.batch.v1'
      ? processCampaignBatch(deps, task)
      : Promise.reject(new Error(`unexpected ${task.type} on the campaign queue`)),
  );
}
