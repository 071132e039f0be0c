import { EVENT_TYPES } from '../domain/events';
import {
  bounceRateBreached,
  bounceRateHighData,
  bounceRateOf,
  campaignRates,
  deliveryRateBreached,
  deliveryRateLowData,
  deliveryRateOf,
  estimateBounced,
  finalTotal,
  isBounce,
  monitorSettingsOf,
  monitorStateOf,
  stepAlarm,
  type BounceReasonCount,
  type CampaignRate,
  type FinalCounts,
  type MonitorWindow,
} from '../domain/monitors';
import type { Account, DomainEvent, Message, MonitorState } from '../domain/types';
import type { MessageFilter } from '../ports';
import { makeEvent, type AppDeps } from './deps';
import { pagesOf } from './pages';
import { retryOnConflict } from './retryOnConflict';

/**
 * The monitor job: per account, the delivery rate and the bounce rate of the messages created in
 * its window, and Delivery Rate Low / High Bounce Rate once per crossing of its thresholds.
 *
 * The alerts raised live on the account record (`monitorState`) and change with their events in one
 * unit of work guarded by the account's etag, so two instances running the timer at once fire once:
 * the loser of the race re-reads, finds the alert raised and stays silent.
 */

/** Messages read per scan of a window (bounces, campaign rates); the payloads say they are capped. */
export const MONITOR_SCAN_CAP = 2_000;
export const MAX_AFFECTED_NUMBERS = 100;
export const MAX_AFFECTED_CAMPAIGNS = 100;
const SCAN_PAGE = 500;
const ACCOUNT_PAGE = 100;

/**
 * One round over every account. Cost per account: one count by status (SQLite one GROUP BY; Cosmos
 * DB seven index-only counts), plus, only when the window holds enough final messages and some are
 * undelivered, a scan of up to MONITOR_SCAN_CAP undelivered messages; the campaign scan runs only
 * when Delivery Rate Low fires. Listing all accounts each round is fine for hundreds of accounts;
 * thousands would want the accounts that sent in the window instead. Returns the events fired.
 */
export async function evaluateMonitors(deps: AppDeps): Promise<number> {
  const now = deps.clock.now();
  let fired = 0;
  for await (const accounts of pagesOf((page) => deps.store.accounts.list(page), ACCOUNT_PAGE)) {
    for (const account of accounts) {
      try {
        fired += await evaluateAccount(deps, account, now);
      } catch (err) {
        // One account's failure must not starve the others; the next round tries it again.
        deps.logger.warn('monitor evaluation failed', { accountId: account.id, error: (err as Error).message });
      }
    }
  }
  return fired;
}

/** Evaluates one account at `now`; resolves to the number of events it fired (0, 1 or 2). */
export async function evaluateAccount(deps: AppDeps, listed: Account, now: number): Promise<number> {
  let first = true;
  return retryOnConflict(async () => {
    // The listed copy first; after a lost etag race, the account as the winner left it.
    const account = first ? listed : await deps.store.accounts.get(listed.id);
    first = false;
    if (!account) return 0;
    return decideAndWrite(deps, account, now);
  });
}

async function decideAndWrite(deps: AppDeps, account: Account, now: number): Promise<number> {
  const settings = monitorSettingsOf(account);
  const window: MonitorWindow = {
    windowStart: new Date(now - settings.windowMinutes * 60_000).toISOString(),
    windowEnd: new Date(now).toISOString(),
  };
  const counts = await deps.store.messages.countByStatus(account.id, { since: window.windowStart });
  const final = finalTotal(counts);
  const state = monitorStateOf(account);
  const at = window.windowEnd;
  const events: DomainEvent[] = [];
  const next: MonitorState = { ...state };

  const deliveryRate = deliveryRateOf(counts);
  const delivery = stepAlarm(state.deliveryRateLowSince !== null, final, settings.minSample, deliveryRateBreached(deliveryRate, settings));
  if (delivery.fire) {
    const campaigns = await affectedCampaigns(deps, account.id, window);
    events.push(
      makeEvent(deps, EVENT_TYPES.deliveryRateLow, account.id, deliveryRateLowData(window, deliveryRate, settings, final, campaigns)),
    );
  }
  next.deliveryRateLowSince = delivery.raised ? (state.deliveryRateLowSince ?? at) : null;

  // Below the sample nothing is decided: skip the scan.
  if (final >= settings.minSample) {
    const bounces = counts.undelivered === 0 ? NO_BOUNCES : await scanBounces(deps, account.id, window, counts.undelivered);
    const bounceRate = bounceRateOf(bounces.bounced, final);
    const bounce = stepAlarm(state.bounceRateHighSince !== null, final, settings.minSample, bounceRateBreached(bounceRate, settings));
    if (bounce.fire) {
      events.push(
        makeEvent(
          deps,
          EVENT_TYPES.bounceRateHigh,
          account.id,
          bounceRateHighData(window, bounceRate, settings, bounces.affectedNumbers, bounces.reasons),
        ),
      );
    }
    next.bounceRateHighSince = bounce.raised ? (state.bounceRateHighSince ?? at) : null;
  }

  if (next.deliveryRateLowSince === state.deliveryRateLowSince && next.bounceRateHighSince === state.bounceRateHighSince) return 0;
  // Not updatedAt: that says when the settings changed, and this is not a setting.
  await deps.store.accounts.update({ ...account, monitorState: next }, events);
  return events.length;
}

/** Newest first, at most MONITOR_SCAN_CAP messages of the window matching `filter`. */
async function* scanWindow(deps: AppDeps, accountId: string, window: MonitorWindow, filter: MessageFilter): AsyncGenerator<Message> {
  for await (const messages of pagesOf(
    (page) => deps.store.messages.list(accountId, { ...filter, since: window.windowStart }, page),
    SCAN_PAGE,
    MONITOR_SCAN_CAP,
  )) {
    yield* messages;
  }
}

interface BounceScan {
  /** Exact, or estimated from the scanned share when the window held more than the cap. */
  bounced: number;
  affectedNumbers: string[];
  reasons: BounceReasonCount[];
}

const NO_BOUNCES: BounceScan = { bounced: 0, affectedNumbers: [], reasons: [] };

async function scanBounces(deps: AppDeps, accountId: string, window: MonitorWindow, undelivered: number): Promise<BounceScan> {
  let scanned = 0;
  let bouncedSeen = 0;
  const numbers = new Set<string>();
  const reasons = new Map<number, BounceReasonCount>();
  for await (const m of scanWindow(deps, accountId, window, { status: 'undelivered' })) {
    scanned++;
    if (!isBounce(m.statusReason)) continue;
    bouncedSeen++;
    if (numbers.size < MAX_AFFECTED_NUMBERS) numbers.add(m.to);
    const { code, message } = m.statusReason!;
    const tally = reasons.get(code) ?? { code, message, count: 0 };
    tally.count++;
    reasons.set(code, tally);
  }
  return {
    bounced: estimateBounced(bouncedSeen, scanned, undelivered),
    affectedNumbers: [...numbers],
    reasons: [...reasons.values()].sort((a, b) => b.count - a.count || a.code - b.code),
  };
}

/** The campaigns among the window's newest MONITOR_SCAN_CAP messages, with their delivery rates. */
async function affectedCampaigns(deps: AppDeps, accountId: string, window: MonitorWindow): Promise<CampaignRate[]> {
  const tallies = new Map<string, FinalCounts>();
  for await (const m of scanWindow(deps, accountId, window, {})) {
    if (!m.campaignId || (m.status !== 'delivered' && m.status !== 'undelivered' && m.status !== 'failed')) continue;
    const tally = tallies.get(m.campaignId) ?? { delivered: 0, undelivered: 0, failed: 0 };
    tally[m.status]++;
    tallies.set(m.campaignId, tally);
  }
  const rates = campaignRates(tallies).slice(0, MAX_AFFECTED_CAMPAIGNS);
  return Promise.all(
    rates.map(async (r) => {
      const campaign = await deps.store.campaigns.get(accountId, r.campaignId);
      return campaign ? { campaignId: r.campaignId, name: campaign.name, deliveryRate: r.deliveryRate } : r;
    }),
  );
}
