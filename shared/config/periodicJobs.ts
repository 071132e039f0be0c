import { advanceCampaigns } from '../app/campaignSending';
import { requeueStale } from '../app/messageLifecycle';
import { evaluateMonitors } from '../app/monitors';
import { redactExpiredMessageTexts } from '../app/privacy';
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

/**
 * On Azure the Cosmos DB change feed wakes the relay as events are written (functions/changeFeed.ts);
 * this timer is only the safety net for events the trigger did not relay (a failed invocation moves
 * its checkpoint on regardless), so every 5 minutes: 288 runs a day instead of 86,400 at 1 s.
 */
export const RELAY_SAFETY_NET_MS = 300_000;

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
    // Deletes webhook delivery attempts and dispatched events past RETENTION_DAYS, audit records past
    // AUDIT_RETENTION_DAYS (SQLite; Cosmos DB expires them by time-to-live). Hourly: the backlog of an
    // hour is small.
    name: 'prune-history',
    everyMs: () => 3_600_000,
    run: async (runtime) => {
      const daysAgo = (days: number) => new Date(runtime.deps.clock.now() - days * 86_400_000).toISOString();
      const pruned = await runtime.deps.store.retention.prune(daysAgo(runtime.config.retentionDays));
      const audit = await runtime.deps.store.audit.prune(daysAgo(runtime.config.auditRetentionDays));
      return pruned.deliveryAttempts + pruned.dispatchedEvents + audit;
    },
  },
  {
    // Message-body retention: erases texts older than each account's messageRetentionDays (off by
    // default). Hourly, at most RETENTION_BATCH messages per account and run.
    name: 'redact-expired-texts',
    everyMs: () => 3_600_000,
    run: (runtime) => redactExpiredMessageTexts(runtime.deps),
  },
  {
    // Outbox relay: stored events → one webhook delivery task per matching target. The embedded
    // host runs its own faster loop (WEBHOOK_RELAY_INTERVAL_MS) instead of this job.
    name: RELAY_JOB,
    everyMs: () => RELAY_SAFETY_NET_MS,
    run: (runtime) => relayAll(runtime.deps),
  },
];
