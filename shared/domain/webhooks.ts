/**
 * Webhook records and the pure rules of delivery: the retry schedule, Retry-After, endpoint
 * health, and filter matching. No I/O here; the webhook engine (shared/webhooks) drives them.
 */

import type { PreviousSigningSecret } from './signingSecrets';

/** `deleted` is a tombstone kept so that a repeated DELETE still succeeds. */
export type SubscriptionStatus = 'active' | 'disabled' | 'deleted';

/** A filter value as the subscriber gave it: one value, or a list meaning "any of these". */
export type FilterValue = string | string[];

export interface SubscriptionHealth {
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  /** HTTP status of the last attempt; null when it got no response (timeout, refused ...). */
  lastStatusCode: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  /** Start of the current run of failures; null while the endpoint is healthy. */
  failingSince: string | null;
}

/** A Power Automate (or any) subscription to one trigger of an account. */
export interface Subscription {
  id: string;
  accountId: string;
  eventType: string;
  callbackUrl: string;
  filters: Record<string, FilterValue>;
  /** Standard Webhooks signing secret, `whsec_` + base64 of 32 random bytes. */
  secret: string;
  /** The secret replaced by the last rotation, signing too until it expires; absent on older records. */
  previousSecret?: PreviousSigningSecret | null;
  status: SubscriptionStatus;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
  health: SubscriptionHealth;
  etag?: string;
}

/** Where one delivery goes. */
export type WebhookTarget =
  | { kind: 'subscription'; subscriptionId: string }
  /** Seed 003: the `callback.url` given when sending one message. */
  | { kind: 'message_callback'; messageId: string; url: string }
  /** Seed 002: the account's default webhook with notify-on-delivery. */
  | { kind: 'account_webhook'; messageId: string; url: string; stage: 'sent' | 'delivery' };

export type DeliveryOutcome =
  /** 2xx: done. */
  | 'succeeded'
  /** Failed; another attempt is scheduled (nextAttemptAt). */
  | 'retrying'
  /** Failed and the schedule is exhausted (or the target no longer exists). */
  | 'failed'
  /** 410 Gone: the subscription was removed. */
  | 'gone'
  /** The endpoint had been failing too long: the subscription was disabled. */
  | 'disabled';

/** One HTTP attempt of one delivery, as shown by GET /hooks/{id}/deliveries. */
export interface DeliveryAttempt {
  id: string;
  accountId: string;
  /** Subscription id, or the message id for per-message and account-default callbacks. */
  targetId: string;
  targetKind: WebhookTarget['kind'];
  eventId: string;
  eventType: string;
  /** The webhook-id header: the same on every attempt of a delivery. */
  webhookId: string;
  /** 1 for the first attempt of this delivery. */
  attempt: number;
  at: string;
  url: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** The start of the response body (at most RESPONSE_EXCERPT_CHARS). */
  responseExcerpt: string | null;
  outcome: DeliveryOutcome;
  nextAttemptAt: string | null;
}

export const RESPONSE_EXCERPT_CHARS = 1024;

/**
 * Delay before each retry (Svix / Standard Webhooks): after the immediate first attempt,
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over about 27.5 hours.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
export const MAX_DELIVERY_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;
/** Each delay is moved by up to ±20 % so retries of many deliveries do not arrive in lockstep. */
export const RETRY_JITTER = 0.2;
/** A Retry-After longer than this is capped: it may delay a retry, not park it for days. */
export const MAX_RETRY_AFTER_MS = 36_000_000;
/** An endpoint failing without a success for this long is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * 86_400_000;

/**
 * Milliseconds to wait before attempt `failedAttempt + 1`, or null when the schedule is exhausted.
 * `random` is in [0, 1) (injected so tests can pin it). A Retry-After can push the retry later,
 * never earlier, and at most MAX_RETRY_AFTER_MS.
 */
export function nextRetryDelayMs(failedAttempt: number, random: number, retryAfterMs: number | null = null): number | null {
  if (failedAttempt < 1 || failedAttempt >= MAX_DELIVERY_ATTEMPTS) return null;
  const base = RETRY_SCHEDULE_MS[failedAttempt - 1]!;
  const jittered = Math.round(base * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random));
  if (retryAfterMs === null) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

/** Retry-After as delta-seconds or an HTTP date, in ms from `nowMs`; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

export const healthyEndpoint = (): SubscriptionHealth => ({
  lastAttemptAt: null,
  lastSuccessAt: null,
  lastFailureAt: null,
  lastStatusCode: null,
  lastError: null,
  consecutiveFailures: 0,
  failingSince: null,
});

export interface AttemptResult {
  at: string;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

/** The subscription's health after a set of attempts, applied in time order. */
export function applyAttempts(health: SubscriptionHealth, results: AttemptResult[]): SubscriptionHealth {
  let h = { ...health };
  for (const r of [...results].sort((a, b) => a.at.localeCompare(b.at))) {
    h = r.ok
      ? {
          ...h,
          lastAttemptAt: r.at,
          lastSuccessAt: r.at,
          lastStatusCode: r.statusCode,
          lastError: null,
          consecutiveFailures: 0,
          failingSince: null,
        }
      : {
          ...h,
          lastAttemptAt: r.at,
          lastFailureAt: r.at,
          lastStatusCode: r.statusCode,
          lastError: r.error,
          consecutiveFailures: h.consecutiveFailures + 1,
          failingSince: h.failingSince ?? r.at,
        };
  }
  return h;
}

/** True when the endpoint has failed without a single success for DISABLE_AFTER_FAILING_MS. */
export function failingTooLong(health: SubscriptionHealth, nowMs: number): boolean {
  return health.failingSince !== null && nowMs - Date.parse(health.failingSince) >= DISABLE_AFTER_FAILING_MS;
}

/** Values at a dotted path of the event data; arrays along the way are flattened (`groups.groupId`). */
export function valuesAt(data: unknown, path: string): unknown[] {
  let current: unknown[] = [data];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const v of current) {
      if (Array.isArray(v)) {
        for (const item of v) if (item && typeof item === 'object') next.push((item as Record<string, unknown>)[key]);
      } else if (v && typeof v === 'object') next.push((v as Record<string, unknown>)[key]);
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v) => v !== undefined && v !== null);
}

const norm = (v: unknown) => String(v).trim().toLowerCase();

/**
 * Whether an event's data passes a subscription's filters: every filter set must match (AND); a
 * filter with several values matches any of them (OR); comparison ignores case. `paths` maps a
 * filter name to the data path it is compared with (from the event catalog).
 */
export function matchesFilters(data: unknown, filters: Record<string, FilterValue>, paths: Record<string, string>): boolean {
  for (const [name, wanted] of Object.entries(filters)) {
    const path = paths[name];
    if (!path) continue;
    const wantedSet = (Array.isArray(wanted) ? wanted : [wanted]).map(norm);
    if (wantedSet.length === 0) continue;
    const actual = valuesAt(data, path).map(norm);
    if (!actual.some((a) => wantedSet.includes(a))) return false;
  }
  return true;
}
