/**
 * The behaviour every adapter's webhook stores must show (SubscriptionStore, DeliveryAttemptStore),
 * run by sqlite.dataStore.test.ts and cosmos.dataStore.test.ts beside the DataStore contract.
 *
 * Pinned here: subscribe-uniqueness is per (account, event type, callback URL) among live
 * subscriptions; a tombstone (status `deleted`) stays readable by `get` but leaves every other
 * read and frees its URL; `update` is etag-guarded; attempts list newest first, `since` inclusive,
 * and recording the same attempt twice keeps one.
 */
import { healthyEndpoint, type DeliveryAttempt, type Subscription } from '../../shared/domain/webhooks';
import { ConcurrencyError, DuplicateError, type DataStore } from '../../shared/ports/stores';
import { at, uniqueId } from '../fixtures/records';
import type { DataStoreUnderTest } from './dataStore/harness';

function makeSubscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: uniqueId('sub'),
    accountId: uniqueId('acc'),
    eventType: 'sms.received',
    callbackUrl: `https://example.com/hooks/${uniqueId('cb')}`,
    filters: {},
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    status: 'active',
    disabledReason: null,
    createdAt: at(0),
    updatedAt: at(0),
    health: healthyEndpoint(),
    ...overrides,
  };
}

function makeAttempt(overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
  return {
    id: uniqueId('dlv'),
    accountId: uniqueId('acc'),
    targetId: uniqueId('sub'),
    targetKind: 'subscription',
    eventId: uniqueId('evt'),
    eventType: 'sms.received',
    webhookId: uniqueId('evt'),
    attempt: 1,
    at: at(0),
    url: 'https://example.com/hook',
    statusCode: 500,
    latencyMs: 12,
    error: 'HTTP 500',
    responseExcerpt: 'oops',
    outcome: 'retrying',
    nextAttemptAt: at(5_000),
    ...overrides,
  };
}

const strip = <T extends { etag?: string }>(v: T): Omit<T, 'etag'> => {
  const { etag: _etag, ...rest } = v;
  return rest;
};

export function describeWebhookStoreContract(name: string, open: () => Promise<DataStoreUnderTest>): void {
  describe(`Webhook stores contract: ${name}`, () => {
    let store: DataStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const opened = await open();
      store = opened.store;
      cleanup = opened.cleanup;
    });

    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    test('create then get, findByCallback, list and listActive return it with an etag', async () => {
      const s = makeSubscription({ filters: { virtualNumber: '+14155550100', statuses: ['delivered', 'failed'] } });
      const created = await store.subscriptions.create(s);
      expect(typeof created.etag).toBe('string');
      expect(strip(created)).toEqual(s);
      expect(strip((await store.subscriptions.get(s.accountId, s.id))!)).toEqual(s);
      expect((await store.subscriptions.findByCallback(s.accountId, s.eventType, s.callbackUrl))?.id).toBe(s.id);
      expect((await store.subscriptions.list(s.accountId)).map((x) => x.id)).toEqual([s.id]);
      expect((await store.subscriptions.listActive(s.accountId, s.eventType)).map((x) => x.id)).toEqual([s.id]);
      expect(await store.subscriptions.listActive(s.accountId, 'sms.status_changed')).toEqual([]);
    });

    test('tenants are isolated: another account sees nothing', async () => {
      const s = await store.subscriptions.create(makeSubscription());
      const other = uniqueId('acc');
      expect(await store.subscriptions.get(other, s.id)).toBeNull();
      expect(await store.subscriptions.findByCallback(other, s.eventType, s.callbackUrl)).toBeNull();
      expect(await store.subscriptions.list(other)).toEqual([]);
      expect(await store.subscriptions.listActive(other, s.eventType)).toEqual([]);
    });

    test('the same event type and URL twice in one account is a DuplicateError; other types, URLs and accounts are not', async () => {
      const s = await store.subscriptions.create(makeSubscription());
      await expect(
        store.subscriptions.create(makeSubscription({ accountId: s.accountId, callbackUrl: s.callbackUrl })),
      ).rejects.toBeInstanceOf(DuplicateError);
      await expect(
        store.subscriptions.create(
          makeSubscription({ accountId: s.accountId, callbackUrl: s.callbackUrl, eventType: 'sms.status_changed' }),
        ),
      ).resolves.toBeDefined();
      await expect(store.subscriptions.create(makeSubscription({ accountId: s.accountId }))).resolves.toBeDefined();
      await expect(store.subscriptions.create(makeSubscription({ callbackUrl: s.callbackUrl }))).resolves.toBeDefined();
      expect(await store.subscriptions.list(s.accountId)).toHaveLength(3);
    });

    test('update is guarded by the etag and returns a new one', async () => {
      const s = await store.subscriptions.create(makeSubscription());
      const updated = await store.subscriptions.update({
        ...s,
        filters: { virtualNumber: '+14155550199' },
        health: { ...s.health, consecutiveFailures: 2, failingSince: at(1) },
      });
      expect(updated.etag).not.toBe(s.etag);
      expect((await store.subscriptions.get(s.accountId, s.id))?.filters).toEqual({ virtualNumber: '+14155550199' });
      await expect(store.subscriptions.update({ ...s, filters: {} })).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(store.subscriptions.update({ ...makeSubscription(), etag: updated.etag })).rejects.toBeInstanceOf(ConcurrencyError);
    });

    test('a rotated secret keeps the previous one and its expiry; a record without them reads back without them', async () => {
      const old = await store.subscriptions.create(makeSubscription());
      expect(strip((await store.subscriptions.get(old.accountId, old.id))!)).not.toHaveProperty('previousSecret');
      const previousSecret = { secret: old.secret, expiresAt: at(86_400_000) };
      const rotated = await store.subscriptions.update({
        ...old,
        secret: 'whsec_bmV3IHNlY3JldCBvZiB0aGlydHktdHdvIGJ5dGVzIQ==',
        previousSecret,
      });
      const read = (await store.subscriptions.get(old.accountId, old.id))!;
      expect(read).toEqual(rotated);
      expect(read.previousSecret).toEqual(previousSecret);
      expect((await store.subscriptions.listActive(old.accountId, old.eventType))[0]!.previousSecret).toEqual(previousSecret);
      // Rotating with no overlap clears it.
      await store.subscriptions.update({ ...read, previousSecret: null });
      expect((await store.subscriptions.get(old.accountId, old.id))!.previousSecret ?? null).toBeNull();
    });

    test('disabled subscriptions are listed but not active', async () => {
      const s = await store.subscriptions.create(makeSubscription());
      await store.subscriptions.update({ ...s, status: 'disabled', disabledReason: 'failing for 5 days' });
      expect((await store.subscriptions.list(s.accountId)).map((x) => x.status)).toEqual(['disabled']);
      expect(await store.subscriptions.listActive(s.accountId, s.eventType)).toEqual([]);
      expect((await store.subscriptions.findByCallback(s.accountId, s.eventType, s.callbackUrl))?.status).toBe('disabled');
    });

    test('a tombstone stays readable by get only, and frees its URL for a new subscription', async () => {
      const s = await store.subscriptions.create(makeSubscription());
      await store.subscriptions.update({ ...s, status: 'deleted' });
      expect((await store.subscriptions.get(s.accountId, s.id))?.status).toBe('deleted');
      expect(await store.subscriptions.findByCallback(s.accountId, s.eventType, s.callbackUrl)).toBeNull();
      expect(await store.subscriptions.list(s.accountId)).toEqual([]);
      expect(await store.subscriptions.listActive(s.accountId, s.eventType)).toEqual([]);
      const again = await store.subscriptions.create(makeSubscription({ accountId: s.accountId, callbackUrl: s.callbackUrl }));
      expect((await store.subscriptions.findByCallback(s.accountId, s.eventType, s.callbackUrl))?.id).toBe(again.id);
      // The old tombstone is still there, and deleting the new one frees the URL again.
      await store.subscriptions.update({ ...again, status: 'deleted' });
      await expect(
        store.subscriptions.create(makeSubscription({ accountId: s.accountId, callbackUrl: s.callbackUrl })),
      ).resolves.toBeDefined();
    });

    test('concurrent creates of the same URL: exactly one wins', async () => {
      const accountId = uniqueId('acc');
      const url = `https://example.com/${uniqueId('race')}`;
      const results = await Promise.allSettled(
        [1, 2, 3, 4].map(() => store.subscriptions.create(makeSubscription({ accountId, callbackUrl: url }))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DuplicateError);
      expect(await store.subscriptions.list(accountId)).toHaveLength(1);
    });

    test('attempts: newest first, per account and target, since inclusive, eventId filter, limit', async () => {
      const accountId = uniqueId('acc');
      const targetId = uniqueId('sub');
      const eventA = uniqueId('evt');
      const a1 = makeAttempt({ accountId, targetId, eventId: eventA, at: at(1_000) });
      const a2 = makeAttempt({
        accountId,
        targetId,
        eventId: eventA,
        at: at(6_000),
        attempt: 2,
        statusCode: 200,
        outcome: 'succeeded',
        error: null,
        nextAttemptAt: null,
      });
      const b1 = makeAttempt({ accountId, targetId, at: at(3_000), statusCode: null, error: 'ECONNREFUSED', responseExcerpt: null });
      const elsewhere = makeAttempt({ accountId, at: at(2_000) });
      const otherTenant = makeAttempt({ targetId, at: at(2_500) });
      await store.deliveries.record([a1, b1, elsewhere]);
      await store.deliveries.record([a2, otherTenant]);
      expect(await store.deliveries.list(accountId, targetId, {}, 10)).toEqual([a2, b1, a1]);
      expect(await store.deliveries.list(accountId, targetId, { since: at(3_000) }, 10)).toEqual([a2, b1]);
      expect(await store.deliveries.list(accountId, targetId, { eventId: eventA }, 10)).toEqual([a2, a1]);
      expect(await store.deliveries.list(accountId, targetId, {}, 1)).toEqual([a2]);
      expect(await store.deliveries.list(uniqueId('acc'), targetId, {}, 10)).toEqual([]);
    });

    test('recording the same attempt twice keeps one', async () => {
      const a = makeAttempt();
      await store.deliveries.record([a]);
      await store.deliveries.record([a]);
      expect(await store.deliveries.list(a.accountId, a.targetId, {}, 10)).toEqual([a]);
    });
  });
}
