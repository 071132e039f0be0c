import type { EventData } from './events';
import { REASONS } from './status';
import type { MonitorSettings, MonitorState, StatusReason } from './types';

/**
 * The delivery-rate and bounce-rate monitors (seed 000, "Performance Monitoring Triggers"): the
 * rate maths, the once-per-crossing alarm and the payloads. The evaluation itself (what is read from
 * the stores, when) is in app/monitors.ts.
 */

export const DEFAULT_MONITOR_SETTINGS: Readonly<MonitorSettings> = {
  deliveryRateThreshold: 0.9,
  bounceRateThreshold: 0.05,
  windowMinutes: 60,
  minSample: 50,
};

/** Bounds of the settings; the PATCH /account schema and docs/api.md quote them. */
export const MONITOR_LIMITS = {
  windowMinutes: { minimum: 15, maximum: 1440 },
  minSample: { minimum: 1, maximum: 100_000 },
} as const;

export const ARMED: Readonly<MonitorState> = { deliveryRateLowSince: null, bounceRateHighSince: null };

export function monitorSettingsOf(account: { monitors?: Partial<MonitorSettings> }): MonitorSettings {
  return { ...DEFAULT_MONITOR_SETTINGS, ...account.monitors };
}

export function monitorStateOf(account: { monitorState?: MonitorState }): MonitorState {
  return account.monitorState ?? { ...ARMED };
}

/** Reasons that count as bounces: the recipient's handset or number refused the message. */
const BOUNCE_CODES: ReadonlySet<number> = new Set([REASONS.hardBounce.code, REASONS.softBounce.code]);

export function isBounce(reason: StatusReason | null | undefined): boolean {
  return reason != null && BOUNCE_CODES.has(reason.code);
}

/** The statuses the rates are measured over: cancelled messages never reached a carrier. */
export interface FinalCounts {
  delivered: number;
  undelivered: number;
  failed: number;
}

export function finalTotal(c: FinalCounts): number {
  return c.delivered + c.undelivered + c.failed;
}

/** Delivered / final; 1 when nothing is final (no evidence of a problem). */
export function deliveryRateOf(c: FinalCounts): number {
  const total = finalTotal(c);
  return total === 0 ? 1 : c.delivered / total;
}

/** Bounced / final, capped at 1 (bounced may be an estimate, see estimateBounced); 0 when nothing is final. */
export function bounceRateOf(bounced: number, final: number): number {
  return final === 0 ? 0 : Math.min(1, bounced / final);
}

/**
 * How many undelivered messages bounced, from a scan of `scanned` of the `undelivered` ones that
 * found `bouncedSeen` bounces: exact when the scan saw them all, otherwise the scanned share applied
 * to all of them (the scan is capped; see app/monitors.ts).
 */
export function estimateBounced(bouncedSeen: number, scanned: number, undelivered: number): number {
  if (scanned === 0 || scanned >= undelivered) return bouncedSeen;
  return Math.round((bouncedSeen / scanned) * undelivered);
}

export interface AlarmStep {
  /** The alert is raised after this evaluation. */
  raised: boolean;
  /** This evaluation raised it: emit the event. */
  fire: boolean;
}

/**
 * One evaluation of a once-per-crossing alarm. A window with fewer than `minSample` final messages
 * decides nothing (the alert stays as it was); otherwise a breach raises the alert (firing only if
 * it was not raised already) and a healthy window re-arms it.
 */
export function stepAlarm(raised: boolean, sample: number, minSample: number, breached: boolean): AlarmStep {
  if (sample < minSample) return { raised, fire: false };
  if (breached) return { raised: true, fire: !raised };
  return { raised: false, fire: false };
}

export function deliveryRateBreached(rate: number, s: MonitorSettings): boolean {
  return rate < s.deliveryRateThreshold;
}

export function bounceRateBreached(rate: number, s: MonitorSettings): boolean {
  return rate > s.bounceRateThreshold;
}

export interface MonitorWindow {
  windowStart: string;
  windowEnd: string;
}

export interface CampaignRate {
  campaignId: string;
  name?: string;
  deliveryRate: number;
}

export function deliveryRateLowData(
  w: MonitorWindow,
  rate: number,
  s: MonitorSettings,
  sampleSize: number,
  affectedCampaigns: CampaignRate[],
): EventData<'delivery_rate.low'> {
  return {
    currentRate: rate,
    threshold: s.deliveryRateThreshold,
    windowStart: w.windowStart,
    windowEnd: w.windowEnd,
    sampleSize,
    affectedCampaigns,
  };
}

export interface BounceReasonCount {
  code: number;
  message: string;
  count: number;
}

export function bounceRateHighData(
  w: MonitorWindow,
  rate: number,
  s: MonitorSettings,
  affectedNumbers: string[],
  bounceReasons: BounceReasonCount[],
): EventData<'bounce_rate.high'> {
  return {
    bounceRate: rate,
    threshold: s.bounceRateThreshold,
    windowStart: w.windowStart,
    windowEnd: w.windowEnd,
    affectedNumbers,
    bounceReasons,
  };
}

/** Campaign delivery rates from tallies of final messages: lowest rate first (ties by id). */
export function campaignRates(tallies: ReadonlyMap<string, FinalCounts>): CampaignRate[] {
  return [...tallies.entries()]
    .map(([campaignId, c]) => ({ campaignId, deliveryRate: deliveryRateOf(c) }))
    .sort((a, b) => a.deliveryRate - b.deliveryRate || (a.campaignId < b.campaignId ? -1 : a.campaignId > b.campaignId ? 1 : 0));
}
