import { currentFactor, MAX_MESSAGES_PER_SECOND, senderKind, type LimitSource, type SendLimit, type SenderKind } from '../domain/pacing';
import type { Carrier } from '../ports';
import { nowIso, type AppDeps } from './deps';
import { invalid, notFound } from './errors';

/** The limit of one sender on one carrier as operators and accounts read it. */
export interface SenderLimitView {
  carrier: string;
  /** Configured units per second (null: unlimited). */
  messagesPerSecond: number | null;
  source: LimitSource;
  countsSegments: boolean;
  /** What is in force now after throttling (equal to messagesPerSecond when not throttled). */
  currentRate: number | null;
  lastThrottledAt: string | null;
  throttledUntil: string | null;
}

export interface CarrierLimitView {
  carrier: string;
  /** Operator-set rate for every sender of the carrier without its own (null: the published defaults). */
  messagesPerSecond: number | null;
  countsSegments: boolean;
  /** The carrier's published rate per kind of sender (null: no limit). */
  publishedDefaults: Record<SenderKind, number | null>;
}

const EXAMPLE_SENDER: Record<SenderKind, string> = {
  alphanumeric: 'ALPHA',
  shortCode: '12345',
  tollFree: '+18005550100',
  longCode: '+14155550100',
};

function checkRate(value: number | null): void {
  if (value === null) return;
  if (!Number.isFinite(value) || value <= 0 || value > MAX_MESSAGES_PER_SECOND) {
    throw invalid([
      {
        path: '/messagesPerSecond',
        message: `must be a number above 0 and at most ${MAX_MESSAGES_PER_SECOND}, or null to remove the limit`,
      },
    ]);
  }
}

function carrierNamed(deps: AppDeps, name: string): Carrier {
  const carrier = deps.carriers.get(name);
  if (!carrier) throw notFound(`Carrier ${name}`);
  return carrier;
}

export async function carrierLimit(deps: AppDeps, name: string): Promise<CarrierLimitView> {
  const carrier = carrierNamed(deps, name);
  const own = await deps.store.pacing.getLimit('carrier', carrier.name);
  const publishedDefaults = Object.fromEntries(
    (Object.keys(EXAMPLE_SENDER) as SenderKind[]).map((kind) => [kind, carrier.pacing?.defaultRate(EXAMPLE_SENDER[kind]) ?? null]),
  ) as Record<SenderKind, number | null>;
  return {
    carrier: carrier.name,
    messagesPerSecond: own?.messagesPerSecond ?? null,
    countsSegments: carrier.pacing?.countsSegments ?? false,
    publishedDefaults,
  };
}

export async function setCarrierLimit(deps: AppDeps, name: string, messagesPerSecond: number | null): Promise<CarrierLimitView> {
  const carrier = carrierNamed(deps, name);
  checkRate(messagesPerSecond);
  await putOrRemove(deps, 'carrier', carrier.name, messagesPerSecond);
  return carrierLimit(deps, carrier.name);
}

/** A sender's limit on every configured carrier, with its adaptive state on each. */
export async function senderLimits(
  deps: AppDeps,
  sender: string,
): Promise<{ sender: string; kind: SenderKind; messagesPerSecond: number | null; carriers: SenderLimitView[] }> {
  const own = await deps.store.pacing.getLimit('sender', sender);
  const carriers = await Promise.all(deps.carriers.names().map((name) => senderLimitOn(deps, carrierNamed(deps, name), sender)));
  return { sender, kind: senderKind(sender), messagesPerSecond: own?.messagesPerSecond ?? null, carriers };
}

export async function setSenderLimit(deps: AppDeps, sender: string, messagesPerSecond: number | null) {
  if (sender.length === 0 || sender.length > 32)
    throw invalid([{ path: '/sender', message: 'must be a sender ID or a number of 1 to 32 characters' }]);
  checkRate(messagesPerSecond);
  await putOrRemove(deps, 'sender', sender, messagesPerSecond);
  return senderLimits(deps, sender);
}

/** The limit in force for the sender on the carrier, and what throttling left of it now. */
export async function senderLimitOn(deps: AppDeps, carrier: Carrier, sender: string): Promise<SenderLimitView> {
  const limit = await deps.pacer.limitOf(carrier, sender);
  const pace = await deps.pacer.paceOf(carrier.name, sender);
  const now = deps.clock.now();
  const factor = pace ? currentFactor(pace, now) : 1;
  return {
    carrier: carrier.name,
    messagesPerSecond: limit.messagesPerSecond,
    source: limit.source,
    countsSegments: limit.countsSegments,
    currentRate: limit.messagesPerSecond === null ? null : roundRate(limit.messagesPerSecond * factor),
    lastThrottledAt: pace?.lastThrottledAt ?? null,
    throttledUntil: pace?.throttledUntil && pace.throttledUntil > now ? new Date(pace.throttledUntil).toISOString() : null,
  };
}

/** The account's senders' limits on the carrier its messages go through (for their views). */
export async function accountSenderLimit(deps: AppDeps, carrierName: string, sender: string): Promise<SenderLimitView | null> {
  const carrier = deps.carriers.get(carrierName);
  return carrier ? senderLimitOn(deps, carrier, sender) : null;
}

/** A view with the sender's limit added, when its carrier is configured. */
export function withLimit<V extends object>(view: V, limit: SenderLimitView | null): V & { limit?: SenderLimitView } {
  return limit ? { ...view, limit } : view;
}

async function putOrRemove(deps: AppDeps, scope: SendLimit['scope'], key: string, messagesPerSecond: number | null): Promise<void> {
  if (messagesPerSecond === null) await deps.store.pacing.removeLimit(scope, key);
  else await deps.store.pacing.putLimit({ scope, key, messagesPerSecond, updatedAt: nowIso(deps) });
  // This instance applies the change at once; the others when their cache runs out (LIMIT_CACHE_MS).
  deps.pacer.forgetLimits();
}

const roundRate = (rate: number): number => Math.round(rate * 10_000) / 10_000;
