/** The DataStore contract, OutboxStore (run by describeDataStoreContract). */
import { DuplicateError, type DataStore } from '../../../shared/ports/stores';
import { at, makeEvent, uniqueId } from '../../fixtures/records';
import type { StoreHarness } from './harness';

export function describeOutboxStoreContract(t: StoreHarness): void {
  let store: DataStore;
  beforeAll(() => {
    store = t.store;
  });
  const { newAccount, drainOutbox } = t;

  describe('outbox', () => {
    it('append refuses an event id that exists already, writing nothing of that batch', async () => {
      const a = await newAccount();
      const first = makeEvent({ accountId: a.id, occurredAt: at(1_000) });
      await store.outbox.append([first]);
      const fresh = makeEvent({ accountId: a.id, occurredAt: at(2_000) });
      await expect(store.outbox.append([fresh, { ...first, data: { changed: true } }])).rejects.toBeInstanceOf(DuplicateError);
      expect(await store.outbox.get(a.id, first.id)).toEqual(first);
      expect(await store.outbox.get(a.id, fresh.id)).toBeNull();
    });

    it('pending returns undispatched events oldest first; markDispatched removes them', async () => {
      await drainOutbox();
      expect(await store.outbox.pending(10)).toEqual([]);
      const a = await newAccount();
      const b = await newAccount();
      const e1 = makeEvent({ accountId: a.id, occurredAt: at(1_000) });
      const e2 = makeEvent({ accountId: b.id, occurredAt: at(2_000) });
      const e3 = makeEvent({ accountId: a.id, occurredAt: at(3_000), data: { nested: { ok: true }, list: [1, 2] } });
      const e4 = makeEvent({ accountId: b.id, occurredAt: at(4_000) });
      await store.outbox.append([e1, e2]);
      await store.outbox.append([e3]);
      await store.outbox.append([e4]);

      expect(await store.outbox.pending(10)).toEqual([e1, e2, e3, e4]);
      expect(await store.outbox.pending(2)).toEqual([e1, e2]);

      await store.outbox.markDispatched([e1.id, e3.id]);
      expect(await store.outbox.pending(10)).toEqual([e2, e4]);
      await store.outbox.markDispatched([e2.id, e2.id, uniqueId('evt')]);
      expect(await store.outbox.pending(10)).toEqual([e4]);

      // Dispatched events stay readable for inspection and redelivery.
      expect(await store.outbox.get(a.id, e1.id)).toEqual(e1);
      expect(await store.outbox.listForAccount(a.id, {}, 10)).toEqual([e1, e3]);
      await store.outbox.markDispatched([e4.id]);
      expect(await store.outbox.pending(10)).toEqual([]);
    });

    it('listForAccount filters by type and since (inclusive), oldest first, up to the limit', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const e1 = makeEvent({ accountId: a.id, type: 'sms.sent', occurredAt: at(1_000) });
      const e2 = makeEvent({ accountId: a.id, type: 'sms.delivered', occurredAt: at(2_000) });
      const e3 = makeEvent({ accountId: a.id, type: 'sms.sent', occurredAt: at(3_000) });
      const other = makeEvent({ accountId: b.id, type: 'sms.sent', occurredAt: at(1_500) });
      await store.outbox.append([e1, other]);
      await store.outbox.append([e2, e3]);

      expect(await store.outbox.listForAccount(a.id, {}, 10)).toEqual([e1, e2, e3]);
      expect(await store.outbox.listForAccount(a.id, {}, 2)).toEqual([e1, e2]);
      expect(await store.outbox.listForAccount(a.id, { type: 'sms.sent' }, 10)).toEqual([e1, e3]);
      expect(await store.outbox.listForAccount(a.id, { since: at(2_000) }, 10)).toEqual([e2, e3]);
      expect(await store.outbox.listForAccount(a.id, { type: 'sms.sent', since: at(2_000) }, 10)).toEqual([e3]);
      expect(await store.outbox.listForAccount(b.id, {}, 10)).toEqual([other]);
    });

    it('get is scoped by account', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const event = makeEvent({ accountId: a.id, data: { amount: '1.0000' } });
      await store.outbox.append([event]);
      expect(await store.outbox.get(a.id, event.id)).toEqual(event);
      expect(await store.outbox.get(b.id, event.id)).toBeNull();
      expect(await store.outbox.get(a.id, uniqueId('evt'))).toBeNull();
    });
  });
}
