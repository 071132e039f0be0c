import { nowIso, type AppDeps } from '../app/deps';
import { conflict, invalid, notFound, unprocessable } from '../app/errors';
import { INTERNATIONAL_ONLY, normalisePhone } from '../domain/phone';
import { retryOnConflict } from '../app/retryOnConflict';
import { newSigningSecret } from '../app/signingSecret';
import { rotateSigningSecret } from '../domain/signingSecrets';
import { healthyEndpoint, matchesFilters, type DeliveryAttempt, type FilterValue, type Subscription } from '../domain/webhooks';
import type { DomainEvent } from '../domain/types';
import { ConcurrencyError, DuplicateError, QUEUE_OF, type WebhookDeliverTask } from '../ports';
import { eventDefinitionOf } from './catalog';
import type { EventDefinition } from './eventDefinition';

/**
 * Subscription use cases behind /api/hooks: the Power Automate contract (subscribe is an upsert by
 * callback URL, DELETE is idempotent), health, delivery history, replay and redelivery.
 */

export interface SubscribeInput {
  callbackUrl: string;
  [filter: string]: unknown;
}

export function filtersOf(def: EventDefinition, input: Record<string, unknown>): Record<string, FilterValue> {
  const out: Record<string, FilterValue> = {};
  for (const f of def.filters) {
    const raw = input[f.name];
    if (raw === undefined || raw === null || raw === '') continue;
    const values = (Array.isArray(raw) ? raw : [raw]).map((v) => String(v).trim()).filter((v) => v !== '');
    if (values.length === 0) continue;
    // Phone-number filters compare with E.164 data: E.164 or international digits (without the plus), nothing else.
    const normalised = f.name === 'virtualNumber' ? values.map((v) => internationalNumber(v, `/${f.name}`)) : values;
    out[f.name] = Array.isArray(raw) ? normalised : normalised[0]!;
  }
  return out;
}

/** The policy every callback URL meets (POST /messages callback.url and defaultWebhookUrl too): a refusal is 422. */
function internationalNumber(value: string, path: string): string {
  const phone = normalisePhone(value, INTERNATIONAL_ONLY);
  if (!phone.ok) throw invalid([{ path, message: phone.reason }]);
  return phone.e164;
}

export async function checkCallbackUrl(deps: AppDeps, url: string, path = '/callbackUrl'): Promise<void> {
  const reason = await deps.webhooks.urlPolicy.check(url);
  if (reason) throw unprocessable('callback_url_refused', path, reason);
}

/** Subscribes, or updates the subscription the account already has for this trigger and URL. */
export async function subscribe(
  deps: AppDeps,
  accountId: string,
  def: EventDefinition,
  input: SubscribeInput,
): Promise<{ subscription: Subscription; created: boolean }> {
  await checkCallbackUrl(deps, input.callbackUrl);
  const filters = filtersOf(def, input);
  try {
    return await retryOnConflict(async () => {
      const existing = await deps.store.subscriptions.findByCallback(accountId, def.type, input.callbackUrl);
      const at = nowIso(deps);
      if (existing) {
        // Subscribing again also re-enables an endpoint that was disabled for failing.
        const next: Subscription = {
          ...existing,
          filters,
          status: 'active',
          disabledReason: null,
          updatedAt: at,
          health: existing.status === 'disabled' ? { ...existing.health, failingSince: null, consecutiveFailures: 0 } : existing.health,
        };
        return { subscription: await deps.store.subscriptions.update(next), created: false };
      }
      const sub: Subscription = {
        id: deps.ids.next('sub'),
        accountId,
        eventType: def.type,
        callbackUrl: input.callbackUrl,
        filters,
        secret: newSigningSecret(),
        status: 'active',
        disabledReason: null,
        createdAt: at,
        updatedAt: at,
        health: healthyEndpoint(),
      };
      try {
        return { subscription: await deps.store.subscriptions.create(sub), created: true };
      } catch (err) {
        // Another request subscribed the same URL a moment ago: a lost race like an etag's, so
        // the next try finds that subscription and updates it.
        if (err instanceof DuplicateError) throw new ConcurrencyError(`subscription ${def.type} ${input.callbackUrl}`);
        throw err;
      }
    });
  } catch (err) {
    if (err instanceof ConcurrencyError) throw conflict('concurrency_conflict', 'The subscription was changed concurrently; try again.');
    throw err;
  }
}

/** Reads a live (not deleted) subscription of the account, or 404. */
export async function getSubscription(deps: AppDeps, accountId: string, id: string): Promise<Subscription> {
  const sub = await deps.store.subscriptions.get(accountId, id);
  if (!sub || sub.status === 'deleted') throw notFound(`Subscription ${id}`);
  return sub;
}

/** Re-reads and applies `change` until the etag holds (concurrent deliveries update health too). */
export async function updateSubscription(
  deps: Pick<AppDeps, 'store'>,
  accountId: string,
  id: string,
  change: (s: Subscription) => Subscription | null,
): Promise<Subscription | null> {
  return retryOnConflict(async () => {
    const current = await deps.store.subscriptions.get(accountId, id);
    if (!current) return null;
    const next = change(current);
    return next ? deps.store.subscriptions.update(next) : current;
  }, 10);
}

export async function listSubscriptions(deps: AppDeps, accountId: string): Promise<Subscription[]> {
  return deps.store.subscriptions.list(accountId);
}

/** The account's stored events, oldest first, for inspection and redelivery; `since` is any ISO 8601 time. */
export async function listEvents(
  deps: AppDeps,
  accountId: string,
  filter: { type?: string; since?: string },
  limit: number,
): Promise<DomainEvent[]> {
  return deps.store.outbox.listForAccount(
    accountId,
    { type: filter.type, since: filter.since && new Date(filter.since).toISOString() },
    limit,
  );
}

/**
 * A new signing secret for the subscription; the replaced one keeps signing for `overlapHours`
 * (range checked by the route). A deleted or unknown subscription, or another account's, is a 404.
 */
export async function rotateSubscriptionSecret(deps: AppDeps, accountId: string, id: string, overlapHours: number): Promise<Subscription> {
  const result = await updateSubscription(deps, accountId, id, (s) => {
    if (s.status === 'deleted') return null;
    const { secret, previous } = rotateSigningSecret(s.secret, newSigningSecret(), deps.clock.now(), overlapHours);
    return { ...s, secret, previousSecret: previous, updatedAt: nowIso(deps) };
  });
  if (!result || result.status === 'deleted') throw notFound(`Subscription ${id}`);
  return result;
}

/**
 * Idempotent: deleting a deleted subscription succeeds again. Only an id the account never had is a
 * 404 (which is also what another account's id gets).
 */
export async function unsubscribe(deps: AppDeps, accountId: string, id: string): Promise<void> {
  const at = nowIso(deps);
  const result = await updateSubscription(deps, accountId, id, (s) =>
    s.status === 'deleted' ? null : { ...s, status: 'deleted', updatedAt: at },
  );
  if (!result) throw notFound(`Subscription ${id}`);
}

export async function listDeliveries(
  deps: AppDeps,
  accountId: string,
  id: string,
  filter: { since?: string; eventId?: string },
  limit: number,
): Promise<DeliveryAttempt[]> {
  await getSubscription(deps, accountId, id);
  return deps.store.deliveries.list(accountId, id, filter, limit);
}

export function deliveryTask(event: Pick<DomainEvent, 'id' | 'accountId'>, subscriptionId: string): WebhookDeliverTask {
  return {
    type: 'webhook.deliver.v1',
    accountId: event.accountId,
    eventId: event.id,
    target: { kind: 'subscription', subscriptionId },
    attempt: 1,
  };
}

/** How far back replay looks at most, in attempts: bounded so one call stays cheap. */
const REPLAY_SCAN_LIMIT = 10_000;

/**
 * Sends again every delivery of the subscription that ended without success (failed, or cut
 * short by disabling: a retry due but never made) and had an attempt at or after `since`. Re-enables a disabled subscription:
 * asking for a replay says the endpoint works again.
 */
export async function replayFailed(deps: AppDeps, accountId: string, id: string, since: string): Promise<{ eventIds: string[] }> {
  const sub = await getSubscription(deps, accountId, id);
  const attempts = await deps.store.deliveries.list(accountId, id, { since }, REPLAY_SCAN_LIMIT);
  // Newest first: the first attempt seen per event is its latest.
  const latest = new Map<string, DeliveryAttempt>();
  const succeeded = new Set<string>();
  for (const a of attempts) {
    if (!latest.has(a.eventId)) latest.set(a.eventId, a);
    if (a.outcome === 'succeeded') succeeded.add(a.eventId);
  }
  const now = nowIso(deps);
  // A retry that was due but never ran was dropped (its subscription was disabled meanwhile).
  const givenUp = (a: DeliveryAttempt) =>
    a.outcome === 'failed' || a.outcome === 'disabled' || (a.outcome === 'retrying' && a.nextAttemptAt !== null && a.nextAttemptAt <= now);
  const eventIds = [...latest.values()]
    .filter((a) => !succeeded.has(a.eventId) && givenUp(a))
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((a) => a.eventId);
  if (sub.status === 'disabled') {
    const at = now;
    await updateSubscription(deps, accountId, id, (s) =>
      s.status === 'disabled'
        ? {
            ...s,
            status: 'active',
            disabledReason: null,
            updatedAt: at,
            health: { ...s.health, failingSince: null, consecutiveFailures: 0 },
          }
        : null,
    );
  }
  await Promise.all(eventIds.map((eventId) => deps.queue.send(deliveryTask({ id: eventId, accountId }, id))));
  return { eventIds };
}

/** Sends one stored event again to every active subscription it matches (or to one of them). */
export async function redeliverEvent(
  deps: AppDeps,
  accountId: string,
  eventId: string,
  subscriptionId?: string,
): Promise<{ eventId: string; subscriptionIds: string[] }> {
  const event = await deps.store.outbox.get(accountId, eventId);
  if (!event) throw notFound(`Event ${eventId}`);
  let targets: Subscription[];
  if (subscriptionId) {
    const sub = await getSubscription(deps, accountId, subscriptionId);
    if (sub.eventType !== event.type)
      throw unprocessable('event_type_mismatch', '/subscriptionId', `subscribes to ${sub.eventType}, not ${event.type}`);
    targets = [sub];
  } else {
    targets = await matchingSubscriptions(deps, event);
  }
  await Promise.all(targets.map((s) => deps.queue.send(deliveryTask(event, s.id))));
  return { eventId, subscriptionIds: targets.map((s) => s.id) };
}

/** The active subscriptions of the event's account whose trigger and filters it matches. */
export async function matchingSubscriptions(
  deps: Pick<AppDeps, 'store'>,
  event: DomainEvent,
  cache?: Map<string, Subscription[]>,
): Promise<Subscription[]> {
  const key = `${event.accountId}|${event.type}`;
  let subs = cache?.get(key);
  if (!subs) {
    subs = await deps.store.subscriptions.listActive(event.accountId, event.type);
    cache?.set(key, subs);
  }
  const def = eventDefinitionOf(event.type);
  const paths = Object.fromEntries((def?.filters ?? []).map((f) => [f.name, f.matches]));
  return subs.filter((s) => matchesFilters(event.data, s.filters, paths));
}

export const WEBHOOK_QUEUE = QUEUE_OF['webhook.deliver.v1'];
