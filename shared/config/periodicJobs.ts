import { advanceCampaigns } from '../app/campaignSending';
import { requeueStale } from '../app/messageLifecycle';
import { evaluateMonitors } from '../app/monitors';
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

/** The outbox relay's job name: the embedded host runs the relay in its own tighter loop instead. */
export const RELAY_JOB = 'relay-outbox';

export const periodicJobs: PeriodicJob[] = [
  {
    // Re-enqueues queued messages a crash left without a task, and scheduled ones whose task is lost.
    name: 'reconcile-stale-messages',
    everyMs: (config) => config.reconcileIntervalMs,
    run: (runtime) => requeueStale(runtime.deps),
  },
  {
    // Bulk campaigns: re-queues a batch a crash dropped, completes campaigns whose messages are final.
    name: 'advance-campaigns',
    everyMs: (config) => config.reconcileIntervalMs,
    run: (runtime) => advanceCampaigns(runtime.deps),
  },
  {
    // Delivery Rate Low and High Bounce Rate: each account's rates over its window, once per crossing.
    name: 'evaluate-monitors',
    everyMs: (config) => config.monitorIntervalMs,
    run: (runtime) => evaluateMonitors(runtime.deps),
  },
  {
    // Deletes webhook delivery attempts and dispatched events past RETENTION_DAYS (SQLite; Cosmos DB
    // expires them by time-to-live). Hourly: the backlog of an hour is small.
    name: 'prune-history',
    everyMs: () => 3_600_000,
    run: async (runtime) => {
      const before = new Date(runtime.deps.clock.now() - runtime.config.retentionDays * 86_400_000).toISOString();
      const pruned = await runtime.deps.store.retention.prune(before);
      return pruned.deliveryAttempts + pruned.dispatchedEvents;
    },
  },
  {
    // Outbox relay: stored events → one webhook delivery task per matching target. The embedded
    // host also runs its own faster loop (WEBHOOK_RELAY_INTERVAL_MS); a timer cannot go below 1 s.
    name: RELAY_JOB,
    everyMs: () => 1_000,
    run: (runtime) => relayAll(runtime.deps),
  },
];
