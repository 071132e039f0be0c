import { openDatabase } from '../../shared/adapters/sqlite/database';
import { createSqliteDataStore } from '../../shared/adapters/sqlite/dataStore';
import type { DeliveryAttempt } from '../../shared/domain/webhooks';
import { makeEvent } from '../fixtures/records';

/**
 * Retention in the embedded store (Cosmos DB expires the same records by time-to-live instead, so
 * this is not part of the shared contract): old history goes, pending events and recent history stay.
 */
describe('SQLite retention', () => {
  const db = openDatabase(':memory:');
  const store = createSqliteDataStore(db);
  afterAll(async () => {
    await store.close();
    db.close();
  });

  const attempt = (id: string, at: string): DeliveryAttempt => ({
    id,
    accountId: 'acc_1',
    targetId: 'sub_1',
    targetKind: 'subscription',
    eventId: 'evt_x',
    eventType: 'sms.status_changed',
    webhookId: 'evt_x',
    attempt: 1,
    at,
    url: 'https://example.com/hook',
    statusCode: 500,
    latencyMs: 12,
    error: 'HTTP 500',
    responseExcerpt: null,
    outcome: 'retrying',
    nextAttemptAt: null,
  });

  test('prune deletes attempts and dispatched events before the cutoff only', async () => {
    const oldDispatched = makeEvent({ accountId: 'acc_1', occurredAt: '2026-01-01T00:00:00.000Z' });
    const oldPending = makeEvent({ accountId: 'acc_1', occurredAt: '2026-01-01T00:00:01.000Z' });
    const newDispatched = makeEvent({ accountId: 'acc_1', occurredAt: '2026-03-01T00:00:00.000Z' });
    await store.outbox.append([oldDispatched, oldPending, newDispatched]);
    await store.outbox.markDispatched([oldDispatched.id, newDispatched.id]);
    await store.deliveries.record([attempt('dlv_old', '2026-01-02T00:00:00.000Z'), attempt('dlv_new', '2026-03-02T00:00:00.000Z')]);

    const pruned = await store.retention.prune('2026-02-01T00:00:00.000Z');
    expect(pruned).toEqual({ deliveryAttempts: 1, dispatchedEvents: 1 });

    expect(await store.outbox.get('acc_1', oldDispatched.id)).toBeNull();
    expect(await store.outbox.get('acc_1', oldPending.id)).not.toBeNull(); // never delivered: kept
    expect(await store.outbox.get('acc_1', newDispatched.id)).not.toBeNull();
    expect((await store.outbox.pending(10)).map((e) => e.id)).toEqual([oldPending.id]);
    expect((await store.deliveries.list('acc_1', 'sub_1', {}, 10)).map((a) => a.id)).toEqual(['dlv_new']);
    expect(await store.retention.prune('2026-02-01T00:00:00.000Z')).toEqual({ deliveryAttempts: 0, dispatchedEvents: 0 });
  });

  test('a backlog larger than one chunk is pruned completely', async () => {
    const events = Array.from({ length: 12_000 }, (_, i) =>
      makeEvent({ accountId: 'acc_2', occurredAt: new Date(Date.parse('2025-06-01T00:00:00.000Z') + i).toISOString() }),
    );
    await store.outbox.append(events);
    await store.outbox.markDispatched(events.map((e) => e.id));
    expect((await store.retention.prune('2026-01-01T00:00:00.000Z')).dispatchedEvents).toBe(12_000);
    expect(await store.outbox.listForAccount('acc_2', {}, 10)).toEqual([]);
  });
});
