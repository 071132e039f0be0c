import { createNodeHttpClient } from '../../shared/adapters/runtime/httpClient';
import { createIdGenerator } from '../../shared/adapters/runtime/ids';
import { createJsonLogger } from '../../shared/adapters/runtime/logger';
import { rotateCallbackSecret } from '../../shared/app/accounts';
import type { AppDeps } from '../../shared/app/deps';
import { healthyEndpoint, type Subscription } from '../../shared/domain/webhooks';
import type { WebhookDeliverTask } from '../../shared/ports/taskQueue';
import { deliverOnce, type DeliveryDeps } from '../../shared/webhooks/deliver';
import { rotateSubscriptionSecret } from '../../shared/webhooks/subscriptions';
import { FakeClock } from '../fixtures/fakeClock';
import { BOTH_STORES, type OpenedStore } from '../fixtures/bothStores';
import { makeAccount, makeEvent, uniqueId } from '../fixtures/records';
import { startReceiver, verifyWebhook, type ReceivedWebhook, type Receiver } from '../fixtures/webhookReceiver';

/**
 * Secret rotation over both stores (SQLite, Cosmos DB through the in-process server): the previous
 * secret and its expiry are stored, read back, and sign real deliveries (deliverOnce to a local
 * receiver) until the expiry; records stored before rotation existed (no previous secret) still sign.
 */

const HOUR = 3_600_000;
const OLD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe.each(BOTH_STORES)('secret rotation on %s', (_name, open) => {
  let opened: OpenedStore;
  let r: Receiver;
  const http = createNodeHttpClient();
  let clock: FakeClock;
  let d: DeliveryDeps;

  beforeAll(async () => {
    opened = await open();
    r = await startReceiver();
  });
  afterAll(async () => {
    await r.close();
    http.close();
    await opened.close();
  });
  beforeEach(() => {
    r.clear();
    clock = new FakeClock(Date.parse('2026-05-01T12:00:00.000Z'));
    // deliverOnce reads the store, clock, ids and logger (the queue only when an attempt fails).
    const app = { store: opened.store, clock, ids: createIdGenerator(clock), logger: createJsonLogger('silent') } as unknown as AppDeps;
    d = { app, http, timeoutMs: 5_000 };
  });

  const verifies = (secret: string, w: ReceivedWebhook): boolean => {
    try {
      verifyWebhook(secret, w, clock.now());
      return true;
    } catch {
      return false;
    }
  };

  /** A subscription as stored before rotation existed: no previousSecret field at all. */
  async function oldSubscription(): Promise<Subscription> {
    const at = new Date(clock.now()).toISOString();
    const accountId = uniqueId('acc');
    return opened.store.subscriptions.create({
      id: uniqueId('sub'),
      accountId,
      eventType: 'contact.added',
      callbackUrl: r.url(),
      filters: {},
      secret: OLD_SECRET,
      status: 'active',
      disabledReason: null,
      createdAt: at,
      updatedAt: at,
      health: healthyEndpoint(),
    });
  }

  async function deliverEvent(sub: Subscription): Promise<ReceivedWebhook> {
    const event = makeEvent({
      accountId: sub.accountId,
      type: 'contact.added',
      occurredAt: new Date(clock.now()).toISOString(),
      data: { contactId: uniqueId('con') },
    });
    await opened.store.outbox.append([event]);
    const task: WebhookDeliverTask = {
      type: 'webhook.deliver.v1',
      accountId: sub.accountId,
      eventId: event.id,
      target: { kind: 'subscription', subscriptionId: sub.id },
      attempt: 1,
    };
    r.clear();
    expect((await deliverOnce(d, task))?.outcome).toBe('succeeded');
    expect(r.received).toHaveLength(1);
    return r.received[0]!;
  }

  test('a subscription stored without a previous secret still signs with its secret', async () => {
    const sub = await oldSubscription();
    expect((await opened.store.subscriptions.get(sub.accountId, sub.id))!.previousSecret).toBeUndefined();
    expect(verifies(OLD_SECRET, await deliverEvent(sub))).toBe(true);
  });

  test('subscription: the previous secret and its expiry are stored, and both secrets sign until then', async () => {
    const sub = await oldSubscription();
    const rotated = await rotateSubscriptionSecret(d.app, sub.accountId, sub.id, 24);
    const expiresAt = new Date(clock.now() + 24 * HOUR).toISOString();
    const stored = (await opened.store.subscriptions.get(sub.accountId, sub.id))!;
    expect(stored.secret).toBe(rotated.secret);
    expect(stored.secret).toMatch(/^whsec_/);
    expect(stored.previousSecret).toEqual({ secret: OLD_SECRET, expiresAt });

    const during = await deliverEvent(sub);
    expect(verifies(OLD_SECRET, during) && verifies(stored.secret, during)).toBe(true);

    clock.advance(24 * HOUR);
    const after = await deliverEvent(sub);
    expect(verifies(stored.secret, after)).toBe(true);
    expect(verifies(OLD_SECRET, after)).toBe(false);

    // Another account cannot rotate it: 404, nothing written.
    await expect(rotateSubscriptionSecret(d.app, uniqueId('acc'), sub.id, 24)).rejects.toMatchObject({ status: 404 });
    expect((await opened.store.subscriptions.get(sub.accountId, sub.id))!.secret).toBe(stored.secret);
  });

  test('account: the previous callback secret and its expiry are stored, and both sign a per-message callback until then', async () => {
    // Stored before rotation existed: a callback secret, no previousCallbackSecret field.
    const account = await opened.store.accounts.create(makeAccount({ callbackSecret: OLD_SECRET }));
    expect((await opened.store.accounts.get(account.id))!.previousCallbackSecret).toBeUndefined();

    const rotated = await rotateCallbackSecret(d.app, account, 2);
    const stored = (await opened.store.accounts.get(account.id))!;
    expect(stored.callbackSecret).toBe(rotated.callbackSecret);
    expect(stored.callbackSecret).not.toBe(OLD_SECRET);
    expect(stored.previousCallbackSecret).toEqual({ secret: OLD_SECRET, expiresAt: new Date(clock.now() + 2 * HOUR).toISOString() });

    const callback = async (): Promise<ReceivedWebhook> => {
      const task: WebhookDeliverTask = {
        type: 'webhook.deliver.v1',
        accountId: account.id,
        eventId: uniqueId('evt'),
        target: { kind: 'message_callback', messageId: uniqueId('msg'), url: r.url('/cb') },
        attempt: 1,
        body: JSON.stringify({ id: 'msg_1', event: 'sent' }),
      };
      r.clear();
      expect((await deliverOnce(d, task))?.outcome).toBe('succeeded');
      return r.received[0]!;
    };
    const during = await callback();
    expect(verifies(OLD_SECRET, during) && verifies(stored.callbackSecret!, during)).toBe(true);

    clock.advance(2 * HOUR);
    const after = await callback();
    expect(verifies(stored.callbackSecret!, after)).toBe(true);
    expect(verifies(OLD_SECRET, after)).toBe(false);
  });
});
