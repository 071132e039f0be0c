import { callbackSecretOf } from '../app/accounts';
import { nowIso, type AppDeps } from '../app/deps';
import { retryOnConflict } from '../app/retryOnConflict';
import { EVENT_TYPES } from '../domain/events';
import { activeSigningSecrets, type PreviousSigningSecret } from '../domain/signingSecrets';
import type { Message, NotifyOnDeliveryResponse } from '../domain/types';
import {
  applyAttempts,
  failingTooLong,
  nextRetryDelayMs,
  parseRetryAfter,
  RESPONSE_EXCERPT_CHARS,
  type DeliveryAttempt,
  type DeliveryOutcome,
  type Subscription,
  type WebhookTarget,
} from '../domain/webhooks';
import {
  ConcurrencyError,
  type BatchHandler,
  type HttpClient,
  type OutboundResponse,
  type TaskOutcome,
  type WebhookDeliverTask,
} from '../ports';
import { eventEnvelope } from './payloads';
import { signatureHeaders } from './signing';
import { updateSubscription } from './subscriptions';

export interface DeliveryDeps {
  app: AppDeps;
  /** The guarded client (SSRF address rule applied at connect time). */
  http: HttpClient;
  timeoutMs: number;
  /** Jitter source in [0, 1); injectable so tests can pin the schedule. */
  random?: () => number;
}

/** While an endpoint is healthy its lastSuccessAt is refreshed at most this often (saves a write per delivery). */
const HEALTHY_REFRESH_MS = 60_000;
const USER_AGENT = 'DataFlows-SMS-Webhooks/1.0';

/** What one attempt sends: resolved from the task, or null when there is nothing to send any more. */
interface Resolved {
  url: string;
  body: string;
  secret: string;
  /** The secret replaced by a rotation; it signs too until it expires. */
  previousSecret: PreviousSigningSecret | null;
  webhookId: string;
  eventType: string;
  targetId: string;
  subscription: Subscription | null;
}

/** `webhook-id` of a delivery: the event id, suffixed for the account's own callbacks of the same event. */
export function webhookIdOf(eventId: string, target: WebhookTarget): string {
  if (target.kind === 'subscription') return eventId;
  return target.kind === 'message_callback' ? `${eventId}_cb` : `${eventId}_nod_${target.stage}`;
}

function targetKey(target: WebhookTarget): string {
  return target.kind === 'subscription' ? target.subscriptionId : `${target.kind}:${target.messageId}`;
}

async function resolve(d: DeliveryDeps, task: WebhookDeliverTask): Promise<Resolved | null> {
  const { store, logger } = d.app;
  const t = task.target;
  if (t.kind === 'subscription') {
    const sub = await store.subscriptions.get(task.accountId, t.subscriptionId);
    // Deleted (or disabled) since the delivery was queued: drop it; replay brings disabled ones back.
    if (sub?.status !== 'active') return null;
    const event = await store.outbox.get(task.accountId, task.eventId);
    if (!event) {
      logger.warn('webhook event not found; delivery dropped', { eventId: task.eventId, subscriptionId: sub.id });
      return null;
    }
    return {
      url: sub.callbackUrl,
      body: JSON.stringify(eventEnvelope(event)),
      secret: sub.secret,
      previousSecret: sub.previousSecret ?? null,
      webhookId: task.eventId,
      eventType: event.type,
      targetId: sub.id,
      subscription: sub,
    };
  }
  if (!task.body) return null;
  const account = await store.accounts.get(task.accountId);
  if (!account) return null;
  const { account: current, secret } = await callbackSecretOf(d.app, account);
  return {
    url: t.url,
    body: task.body,
    secret,
    previousSecret: current.previousCallbackSecret ?? null,
    webhookId: webhookIdOf(task.eventId, t),
    eventType: EVENT_TYPES.smsStatusChanged,
    targetId: t.messageId,
    subscription: null,
  };
}

function describeError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ? `${e.code}: ${e.message ?? ''}`.trim() : (e.message ?? String(err));
}

/** One attempt of one delivery: POST, record, and schedule the next attempt when it failed. */
export async function deliverOnce(
  d: DeliveryDeps,
  task: WebhookDeliverTask,
  health: HealthRecorder = new HealthRecorder(d),
): Promise<DeliveryAttempt | null> {
  const { clock, ids, queue, store, logger } = d.app;
  const r = await resolve(d, task);
  if (!r) return null;
  const nowMs = clock.now();
  const at = new Date(nowMs).toISOString();
  let res: OutboundResponse | null = null;
  let error: string | null = null;
  const started = performance.now();
  try {
    res = await d.http.request({
      url: r.url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        ...signatureHeaders(activeSigningSecrets(r.secret, r.previousSecret, nowMs), r.webhookId, nowMs, r.body),
      },
      body: r.body,
      timeoutMs: d.timeoutMs,
    });
  } catch (err) {
    error = describeError(err);
  }
  const latencyMs = Math.round(res?.latencyMs ?? performance.now() - started);
  const ok = res !== null && res.status >= 200 && res.status < 300;
  if (res && !ok) error = res.status >= 300 && res.status < 400 ? `HTTP ${res.status} (redirects are not followed)` : `HTTP ${res.status}`;

  let outcome: DeliveryOutcome = 'succeeded';
  let nextAttemptAt: string | null = null;
  if (!ok) {
    const health = r.subscription
      ? applyAttempts(r.subscription.health, [{ at, ok: false, statusCode: res?.status ?? null, error }])
      : null;
    const delay = nextRetryDelayMs(task.attempt, (d.random ?? Math.random)(), parseRetryAfter(res?.headers['retry-after'], nowMs));
    if (r.subscription && res?.status === 410) outcome = 'gone';
    else if (health && failingTooLong(health, nowMs)) outcome = 'disabled';
    else if (delay === null) outcome = 'failed';
    else {
      outcome = 'retrying';
      nextAttemptAt = new Date(nowMs + delay).toISOString();
      // Stored before this task completes: a host killed now finds the next attempt on restart.
      await queue.send(
        { ...task, attempt: task.attempt + 1 },
        { delayMs: delay, dedupeId: `${task.eventId}:${targetKey(task.target)}:${task.attempt + 1}` },
      );
    }
  }
  const attempt: DeliveryAttempt = {
    id: ids.next('dlv'),
    accountId: task.accountId,
    targetId: r.targetId,
    targetKind: task.target.kind,
    eventId: task.eventId,
    eventType: r.eventType,
    webhookId: r.webhookId,
    attempt: task.attempt,
    at,
    url: r.url,
    statusCode: res?.status ?? null,
    latencyMs,
    error,
    responseExcerpt: res ? res.body.slice(0, RESPONSE_EXCERPT_CHARS) : null,
    outcome,
    nextAttemptAt,
  };
  await store.deliveries.record([attempt]);
  if (r.subscription) {
    // The attempt is recorded and the next one scheduled: a failed health write must not resend it.
    await health
      .record(r.subscription, attempt)
      .catch((err: Error) => logger.warn('could not update subscription health', { subscriptionId: r.targetId, error: err.message }));
  }
  if (task.target.kind === 'account_webhook') await storeNotifyResponse(d, task.accountId, task.target, attempt, res, error);
  if (!ok)
    logger.debug('webhook attempt failed', {
      eventId: task.eventId,
      target: targetKey(task.target),
      attempt: task.attempt,
      outcome,
      error,
    });
  return attempt;
}

/**
 * Health writes, coalesced per subscription: one read-modify-write at a time applies every result
 * that arrived meanwhile. Hundreds of concurrent deliveries to one endpoint would otherwise race on
 * its etag. (Across processes the etag retry of updateSubscription still applies.)
 */
export class HealthRecorder {
  private readonly queues = new Map<
    string,
    { items: DeliveryAttempt[]; waiters: { resolve: () => void; reject: (e: Error) => void }[]; running: boolean }
  >();

  constructor(private readonly d: DeliveryDeps) {}

  record(sub: Subscription, a: DeliveryAttempt): Promise<void> {
    const ok = a.outcome === 'succeeded';
    // A healthy endpoint that keeps succeeding needs no write per delivery.
    if (
      ok &&
      sub.health.consecutiveFailures === 0 &&
      sub.health.lastSuccessAt &&
      Date.parse(a.at) - Date.parse(sub.health.lastSuccessAt) < HEALTHY_REFRESH_MS
    )
      return Promise.resolve();
    const key = `${sub.accountId}|${sub.id}`;
    let q = this.queues.get(key);
    if (!q) this.queues.set(key, (q = { items: [], waiters: [], running: false }));
    q.items.push(a);
    const done = new Promise<void>((resolve, reject) => q.waiters.push({ resolve, reject }));
    if (!q.running) void this.drain(key, sub.accountId, sub.id);
    return done;
  }

  private async drain(key: string, accountId: string, id: string): Promise<void> {
    const q = this.queues.get(key)!;
    q.running = true;
    while (q.items.length > 0) {
      const items = q.items.splice(0);
      const waiters = q.waiters.splice(0);
      try {
        await this.apply(accountId, id, items);
        waiters.forEach((w) => w.resolve());
      } catch (err) {
        waiters.forEach((w) => w.reject(err as Error));
      }
    }
    q.running = false;
    this.queues.delete(key);
  }

  private async apply(accountId: string, id: string, items: DeliveryAttempt[]): Promise<void> {
    const at = nowIso(this.d.app);
    await updateSubscription(this.d.app, accountId, id, (s) => {
      if (s.status === 'deleted') return null;
      const results = items.map((a) => ({ at: a.at, ok: a.outcome === 'succeeded', statusCode: a.statusCode, error: a.error }));
      const health = applyAttempts(s.health, results);
      if (items.some((a) => a.outcome === 'gone'))
        return { ...s, status: 'deleted', disabledReason: 'The endpoint answered 410 Gone.', health, updatedAt: at };
      if (items.some((a) => a.outcome === 'disabled') && s.status === 'active') {
        return {
          ...s,
          status: 'disabled',
          disabledReason: `The endpoint failed every attempt since ${health.failingSince}.`,
          health,
          updatedAt: at,
        };
      }
      const fresh =
        results.every((r) => r.ok) &&
        s.health.consecutiveFailures === 0 &&
        s.health.lastSuccessAt !== null &&
        Date.parse(health.lastSuccessAt!) - Date.parse(s.health.lastSuccessAt) < HEALTHY_REFRESH_MS;
      return fresh ? null : { ...s, health };
    });
  }
}

/** Seed 002: the default webhook's answer is kept on the message record, latest per stage. */
async function storeNotifyResponse(
  d: DeliveryDeps,
  accountId: string,
  target: Extract<WebhookTarget, { kind: 'account_webhook' }>,
  a: DeliveryAttempt,
  res: OutboundResponse | null,
  error: string | null,
): Promise<void> {
  const entry: NotifyOnDeliveryResponse = {
    stage: target.stage,
    at: a.at,
    attempt: a.attempt,
    url: a.url,
    statusCode: res?.status ?? null,
    response: res ? res.body.slice(0, RESPONSE_EXCERPT_CHARS) : error,
    succeeded: a.outcome === 'succeeded',
  };
  try {
    await retryOnConflict(async () => {
      const m: Message | null = await d.app.store.messages.get(accountId, target.messageId);
      if (!m) return;
      const kept = (m.notifyOnDelivery ?? []).filter((e) => e.stage !== target.stage);
      await d.app.store.messages.transition({ ...m, notifyOnDelivery: [...kept, entry] }, 0n, () => []);
    }, 10);
  } catch (err) {
    // Ten lost races in a row: the record is best effort, and the delivery itself is done.
    if (!(err instanceof ConcurrencyError)) throw err;
  }
}

/**
 * The batch handler of the webhook-deliver queue (embedded workers and Azure queue triggers). Each
 * task is one attempt; a failure schedules the next attempt as a new task, so every task completes
 * `done` unless the attempt could not even be recorded (then the queue redelivers it).
 */
export function createWebhookDeliveryHandler(d: DeliveryDeps): BatchHandler {
  const health = new HealthRecorder(d);
  return async (batch) =>
    Promise.all(
      batch.map(async (env): Promise<TaskOutcome> => {
        try {
          await deliverOnce(d, env.task as WebhookDeliverTask, health);
          return { kind: 'done' };
        } catch (err) {
          d.app.logger.error('webhook delivery failed to run', { error: (err as Error).message });
          return { kind: 'retry', delayMs: 5_000, reason: (err as Error).message };
        }
      }),
    );
}
