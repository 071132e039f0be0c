import type { BatchHandler, Clock, HttpClient, Logger, SimulatorDlrTask, TaskOutcome } from '../../../ports';
import { signSimulatorPayload } from './simulator';

export interface DlrSenderOptions {
  http: HttpClient;
  clock: Clock;
  secret: string;
  /** Absolute URL of our own status callback route for the simulator (known once the host listens). */
  callbackUrl: () => string;
  logger: Logger;
}

const RETRY_MS = 1_000;

/**
 * Plays the carrier's side: posts due delivery reports in one signed batch, as carriers that batch
 * (Event Grid, for one) do. Reports the backend did not know yet (their send is still being
 * recorded) are retried shortly.
 */
export function createDlrBatchHandler(options: DlrSenderOptions): BatchHandler {
  return async (batch) => {
    const now = options.clock.now();
    const tasks = batch.map((b) => b.task as SimulatorDlrTask);
    const body = JSON.stringify({
      reports: tasks.map((t) => ({ id: t.carrierMessageId, outcome: t.outcome, at: new Date(now).toISOString() })),
    });
    try {
      const res = await options.http.request({
        url: options.callbackUrl(),
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-simulator-signature': signSimulatorPayload(options.secret, body, now) },
        body,
        timeoutMs: 15_000,
      });
      if (res.status !== 200) throw new Error(`status route answered ${res.status}: ${res.body.slice(0, 200)}`);
      const unknown = new Set((JSON.parse(res.body) as { unknown: string[] }).unknown);
      return tasks.map(
        (t): TaskOutcome =>
          unknown.has(t.carrierMessageId) ? { kind: 'retry', delayMs: RETRY_MS / 5, reason: 'message not yet known' } : { kind: 'done' },
      );
    } catch (err) {
      const reason = (err as Error).message;
      options.logger.warn('simulator could not deliver reports; will retry', { count: batch.length, error: reason });
      return tasks.map((): TaskOutcome => ({ kind: 'retry', delayMs: RETRY_MS, reason }));
    }
  };
}
