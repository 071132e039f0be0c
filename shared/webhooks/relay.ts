import type { AppDeps } from '../app/deps';
import { EVENT_TYPES, isEventOf, type TypedEvent } from '../domain/events';
import type { Account, DomainEvent, Message } from '../domain/types';
import type { Subscription } from '../domain/webhooks';
import type { SendOptions, WebhookDeliverTask } from '../ports';
import { messageCallbackBody, notifyOnDeliveryBody, notifyStageOf } from './payloads';
import { deliveryTask, matchingSubscriptions } from './subscriptions';

/**
 * The outbox relay: turns stored events into delivery tasks, one per (event, target), then marks
 * the events dispatched. Targets: matching subscriptions; for SMS status changes also the
 * message's own `callback.url` (seed 003) and the account's default webhook (seed 002).
 *
 * A crash between sending the tasks and marking the events sends them again on the next run; the
 * dedupe ids drop copies of tasks still waiting, and delivery is at-least-once anyway (the
 * subscriber dedupes by webhook-id). The embedded host runs this on a timer and in drain(); on
 * Azure the Cosmos DB change feed hands the events to relayEvents, and a slow timer runs this.
 */
export async function relayOutbox(deps: AppDeps, batchSize = 500): Promise<number> {
  const events = await deps.store.outbox.pending(batchSize);
  await relayEvents(deps, events);
  return events.length;
}

/**
 * Relays events already read, as the Azure Cosmos DB change-feed trigger hands them over: delivery
 * tasks for each (dedupe ids `<event>:<target>:1`, so a copy the timer relays too is dropped by
 * the queue's duplicate detection), then the events marked dispatched. Events another relay has
 * marked in between are relayed again at worst, never lost: the subscriber dedupes by webhook-id.
 */
export async function relayEvents(deps: AppDeps, events: readonly DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  const subs = new Map<string, Subscription[]>();
  const accounts = new Map<string, Account | null>();
  const sends: { task: WebhookDeliverTask; options: SendOptions }[] = [];
  for (const event of events) {
    for (const s of await matchingSubscriptions(deps, event, subs)) {
      sends.push({ task: deliveryTask(event, s.id), options: { dedupeId: `${event.id}:${s.id}:1` } });
    }
    if (isEventOf(event, EVENT_TYPES.smsStatusChanged)) sends.push(...(await messageCallbacks(deps, event, accounts)));
  }
  await Promise.all(sends.map((s) => deps.queue.send(s.task, s.options)));
  await deps.store.outbox.markDispatched(events.map((e) => e.id));
}

/** Runs the relay until the outbox is empty (the embedded host's drain, tests, an Azure timer). */
export async function relayAll(deps: AppDeps, batchSize = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await relayOutbox(deps, batchSize);
    total += n;
    if (n < batchSize) return total;
  }
}

async function messageCallbacks(
  deps: AppDeps,
  event: TypedEvent<'sms.status_changed'>,
  accounts: Map<string, Account | null>,
): Promise<{ task: WebhookDeliverTask; options: SendOptions }[]> {
  const { data } = event;
  // statusChangedData always writes a reason (null when none); the schema just does not require it.
  const reason = data.reason ?? null;
  let account = accounts.get(event.accountId);
  if (account === undefined) {
    account = await deps.store.accounts.get(event.accountId);
    accounts.set(event.accountId, account);
  }
  const notify = account?.notifyOnDelivery && account.defaultWebhookUrl ? account.defaultWebhookUrl : null;
  const stage = notify ? notifyStageOf(data.status) : null;
  let message: Message | null = null;
  const out: { task: WebhookDeliverTask; options: SendOptions }[] = [];
  const base = { type: 'webhook.deliver.v1' as const, accountId: event.accountId, eventId: event.id, attempt: 1 };
  // The callback URL lives on the message, so status changes read it (a point read, cached per event).
  const needsMessage = async () => (message ??= await deps.store.messages.get(event.accountId, data.messageId));
  if (stage && notify) {
    const m = await needsMessage();
    const body = m && notifyOnDeliveryBody(event.id, m, data.status, reason, data.timestamp);
    if (m && body)
      out.push({
        task: { ...base, target: { kind: 'account_webhook', messageId: m.id, url: notify, stage }, body },
        options: { dedupeId: `${event.id}:account_webhook:1` },
      });
  }
  const m = await needsMessage();
  if (m?.callbackUrl) {
    const body = messageCallbackBody(m, data.status, reason, data.timestamp);
    if (body)
      out.push({
        task: { ...base, target: { kind: 'message_callback', messageId: m.id, url: m.callbackUrl }, body },
        options: { dedupeId: `${event.id}:message_callback:1` },
      });
  }
  return out;
}
