/**
 * Send pacing: how fast one sender may hand messages to its carrier, and how that rate adapts when
 * the carrier throttles. Pure functions over a small per-sender state (`PaceState`) that the store
 * keeps etag-guarded, so every instance reserves from the same timeline.
 */

/** Where a sender's limit comes from: its own, its carrier's (operator-set or published), or none. */
export type LimitSource = 'sender' | 'carrier' | 'default' | 'none';

/** An operator-set limit, in messages (or segments, see `countsSegments`) per second. */
export interface SendLimit {
  scope: 'carrier' | 'sender';
  /** The carrier name, or the sender (sender ID or virtual number) as messages carry it. */
  key: string;
  messagesPerSecond: number;
  updatedAt: string;
  etag?: string;
}

/** The shared timeline of one sender on one carrier. Times are epoch milliseconds. */
export interface PaceState {
  /** `${carrier}|${sender}`. */
  key: string;
  /** The first time not yet reserved. */
  nextSlotAt: number;
  /** Share of the configured rate in force after the last throttling (1: full rate). */
  factor: number;
  /** When `factor` was set; recovery counts from here. */
  factorSince: number;
  lastThrottledAt: string | null;
  /** No slot starts before this (the carrier's Retry-After). */
  throttledUntil: number | null;
  etag?: string;
}

/** Multiplicative decrease on throttling, additive increase per step while the carrier accepts. */
export const AIMD = { decrease: 0.5, minFactor: 0.05, increase: 0.1, stepMs: 10_000, defaultRetryAfterMs: 1_000 } as const;

/**
 * Slack for a task that runs a little after its slot (timer and queue latency). Slots are spaced as
 * if the limit were lower by this share of a second, so a submit up to this late still leaves at
 * most the limit in any one-second window.
 */
export const LATE_GRACE_MS = 20;

/**
 * A task that comes later than this after its slot (a stalled worker) takes a fresh slot rather than
 * go at once with the others that waited as long: that would bunch them. Up to this late it goes:
 * taking a fresh slot for every late delivery would starve a backlog whose queue always delivers a
 * little late (Service Bus) and leave its slots unused.
 */
export const STALE_SLOT_MS = 1_000;

export const paceKey = (carrier: string, sender: string): string => `${carrier}|${sender}`;

export function newPaceState(key: string, now: number): PaceState {
  return { key, nextSlotAt: now, factor: 1, factorSince: now, lastThrottledAt: null, throttledUntil: null };
}

/** The share of the configured rate in force at `now`: the last factor plus the recovery since. */
export function currentFactor(state: Pick<PaceState, 'factor' | 'factorSince'>, now: number): number {
  const steps = Math.max(0, Math.floor((now - state.factorSince) / AIMD.stepMs));
  return Math.min(1, state.factor + steps * AIMD.increase);
}

/** Milliseconds between two units (messages or segments) at `rate` per second, with the grace margin. */
export function slotIntervalMs(rate: number): number {
  return (1000 + LATE_GRACE_MS) / rate;
}

/**
 * Reserves `units` consecutive slots at `rate` per second (already adapted): they start at the
 * first free time no earlier than `now` nor the throttling's end.
 */
export function reserveSlots(
  state: PaceState,
  now: number,
  rate: number,
  units: number,
): { state: PaceState; start: number; intervalMs: number } {
  const intervalMs = slotIntervalMs(rate);
  const start = Math.max(state.nextSlotAt, now, state.throttledUntil ?? 0);
  return { state: { ...state, nextSlotAt: start + units * intervalMs }, start, intervalMs };
}

/** The carrier throttled this sender: halve its rate and wait for Retry-After (or a second). */
export function applyThrottle(state: PaceState, now: number, retryAfterMs: number | undefined): PaceState {
  const until = now + Math.max(0, retryAfterMs ?? AIMD.defaultRetryAfterMs);
  return {
    ...state,
    factor: Math.max(AIMD.minFactor, currentFactor(state, now) * AIMD.decrease),
    factorSince: until,
    lastThrottledAt: new Date(now).toISOString(),
    throttledUntil: until,
    nextSlotAt: Math.max(state.nextSlotAt, until),
  };
}

/** Limits are positive and finite; fractions are allowed (0.05 is one message every 20 s). */
export const MAX_MESSAGES_PER_SECOND = 100_000;

/** What kind of sender a message goes out from, which decides a carrier's published rate. */
export type SenderKind = 'alphanumeric' | 'shortCode' | 'tollFree' | 'longCode';

/** North American toll-free area codes (+1 800, 833, 844, 855, 866, 877, 888). */
const NANP_TOLL_FREE = /^\+1(800|833|844|855|866|877|888)\d{7}$/;

export function senderKind(sender: string): SenderKind {
  if (/[A-Za-z]/.test(sender)) return 'alphanumeric';
  if (/^\d{3,8}$/.test(sender)) return 'shortCode';
  if (NANP_TOLL_FREE.test(sender)) return 'tollFree';
  return 'longCode';
}
