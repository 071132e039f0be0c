import { requeueStale } from '../app/messageLifecycle';
import { relayAll } from '../webhooks/relay';
import type { Config } from './config';
import type { Runtime } from './runtime';

/**
 * Periodic work a host runs on a timer. Azure Functions registers one timer trigger per entry (so
 * an entry added here is scheduled there without touching functions/); the schedule comes from the
 * settings. Every job must be safe to run on several instances at once and to miss a round.
 */
export interface PeriodicJob {
  /** Stable, URL-safe name: the Azure timer function is `timer-<name>`. */
  name: string;
  /** How often it runs, from the settings. */
  everyMs(config: Config): number;
  /** One round; resolves to how many items it handled, for the log. */
  run(runtime: Runtime): Promise<number>;
}

export const periodicJobs: PeriodicJob[] = [
  {
    // Re-enqueues queued messages a crash left without a task, and scheduled ones whose task is lost.
    name: 'reconcile-stale-messages',
    everyMs: (config) => config.reconcileIntervalMs,
    run: (runtime) => requeueStale(runtime.deps),
  },
  {
    // Outbox relay: stored events → one webhook delivery task per matching target. The embedded
    // host also runs its own faster loop (WEBHOOK_RELAY_INTERVAL_MS); a timer cannot go below 1 s.
    name: 'relay-outbox',
    everyMs: () => 1_000,
    run: (runtime) => relayAll(runtime.deps),
  },
];
