/** The DataStore contract, MessageStore after accept: tenant isolation, transition, list and listStale (run by describeDataStoreContract). */
import type { Message } from '../../../shared/domain/types';
import { ConcurrencyError, type BalanceChange, type DataStore } from '../../../shared/ports/stores';
import { at, makeEvent, makeMessage, makeSenderId, makeVirtualNumber, uniqueId } from '../../fixtures/records';
import { newestFirst, ids, collectPages, type StoreHarness } from './harness';

export function describeMessageStoreContract(t: StoreHarness): void {
  let store: DataStore;
  beforeAll(() => {
    store = t.store;
  });
  const { newAccount, balanceOf, seedMessage } = t;

  // -------------------------------------------------------------------------------------------
  describe('tenant isolation', () => {
    it('get and list with another account id find nothing', async () => {
      const owner = await newAccount();
      const intruder = await newAccount();
      const message = await seedMessage(owner.id);
      const senderId = await store.senderIds.create(makeSenderId({ accountId: owner.id }));
      await store.virtualNumbers.create(makeVirtualNumber({ accountId: owner.id }));
      const event = makeEvent({ accountId: owner.id });
      await store.outbox.append([event]);

      expect(await store.messages.get(intruder.id, message.id)).toBeNull();
      expect((await store.messages.list(intruder.id, {}, { limit: 10 })).items).toEqual([]);
      expect(await store.senderIds.get(intruder.id, senderId.id)).toBeNull();
      expect(await store.senderIds.findByValue(intruder.id, senderId.value)).toBeNull();
      expect(await store.senderIds.list(intruder.id)).toEqual([]);
      expect(await store.virtualNumbers.list(intruder.id)).toEqual([]);
      expect(await store.outbox.get(intruder.id, event.id)).toBeNull();
      expect(await store.outbox.listForAccount(intruder.id, {}, 10)).toEqual([]);

      // ...while the owner sees all of it.
      expect(await store.messages.get(owner.id, message.id)).toEqual(message);
      expect(await store.senderIds.get(owner.id, senderId.id)).toEqual(senderId);
      expect(await store.outbox.get(owner.id, event.id)).toEqual(event);
    });

    it('a message cannot be transitioned through another account', async () => {
      const owner = await newAccount();
      const intruder = await newAccount();
      const message = await seedMessage(owner.id);
      await expect(
        store.messages.transition({ ...message, accountId: intruder.id, status: 'cancelled' }, 0n, () => []),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      expect((await store.messages.get(owner.id, message.id))?.status).toBe('queued');
      expect(await store.messages.get(intruder.id, message.id)).toBeNull();
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('messages.transition', () => {
    it('replaces the message, refunds, changes the etag and appends events built from the refund', async () => {
      const account = await newAccount({ balance: 1_000n });
      const { message } = await store.messages.accept(makeMessage({ accountId: account.id }), 300n, () => []);
      const next: Message = {
        ...message,
        status: 'failed',
        statusReason: { code: 30008, message: 'Unknown error' },
        updatedAt: at(1_000),
        attempts: 1,
        history: [...message.history, { status: 'failed', at: at(1_000), reason: { code: 30008, message: 'Unknown error' } }],
      };
      const seen: (BalanceChange | undefined)[] = [];
      const outcome = await store.messages.transition(next, 300n, (balance) => {
        seen.push(balance);
        return [
          makeEvent({
            accountId: account.id,
            type: 'sms.status',
            data: { status: 'failed', after: balance ? Number(balance.after) : null },
          }),
        ];
      });

      expect(outcome.balance).toEqual({ before: 700n, after: 1_000n });
      expect(seen).toEqual([{ before: 700n, after: 1_000n }]);
      expect(outcome.message).toEqual({ ...next, etag: expect.any(String) });
      expect(outcome.message.etag).not.toBe(message.etag);
      expect(await store.messages.get(account.id, message.id)).toEqual(outcome.message);
      expect(await balanceOf(account.id)).toBe(1_000n);
      const events = await store.outbox.listForAccount(account.id, { type: 'sms.status' }, 10);
      expect(events.map((e) => e.data)).toEqual([{ status: 'failed', after: 1_000 }]);

      // The etag the transition consumed is spent.
      await expect(store.messages.transition({ ...next, status: 'cancelled' }, 0n, () => [])).rejects.toBeInstanceOf(ConcurrencyError);
    });

    it('without a refund leaves the balance alone and passes no balance to the events', async () => {
      const account = await newAccount({ balance: 1_000n });
      const { message } = await store.messages.accept(makeMessage({ accountId: account.id }), 100n, () => []);
      const seen: (BalanceChange | undefined)[] = [];
      const outcome = await store.messages.transition({ ...message, status: 'sent', sentAt: at(5), updatedAt: at(5) }, 0n, (balance) => {
        seen.push(balance);
        return [makeEvent({ accountId: account.id, type: 'sms.sent' })];
      });
      expect(outcome.balance).toBeUndefined();
      expect(seen).toEqual([undefined]);
      expect(outcome.message.status).toBe('sent');
      expect(await balanceOf(account.id)).toBe(900n);
      expect(await store.outbox.listForAccount(account.id, { type: 'sms.sent' }, 10)).toHaveLength(1);
    });

    it('with a stale etag throws ConcurrencyError and writes nothing', async () => {
      const account = await newAccount({ balance: 1_000n });
      const { message } = await store.messages.accept(makeMessage({ accountId: account.id }), 100n, () => []);
      const { message: current } = await store.messages.transition({ ...message, status: 'sent', updatedAt: at(1) }, 0n, () => []);

      const stale = store.messages.transition({ ...message, status: 'failed', updatedAt: at(2) }, 100n, (balance) => [
        makeEvent({ accountId: account.id, type: 'sms.failed', data: { after: balance ? Number(balance.after) : null } }),
      ]);
      await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await store.messages.get(account.id, message.id)).toEqual(current);
      expect(await balanceOf(account.id)).toBe(900n);
      expect(await store.outbox.listForAccount(account.id, { type: 'sms.failed' }, 10)).toEqual([]);
    });

    it('findByCarrierMessageId finds the message across tenants by carrier and carrier id', async () => {
      const account = await newAccount();
      const message = await seedMessage(account.id, { carrier: 'simulator' });
      const carrierMessageId = uniqueId('sim');
      expect(await store.messages.findByCarrierMessageId('simulator', carrierMessageId)).toBeNull();

      const { message: sent } = await store.messages.transition(
        { ...message, status: 'sent', carrierMessageId, updatedAt: at(1) },
        0n,
        () => [],
      );
      expect(await store.messages.findByCarrierMessageId('simulator', carrierMessageId)).toEqual(sent);
      expect(await store.messages.findByCarrierMessageId('other-carrier', carrierMessageId)).toBeNull();
      expect(await store.messages.findByCarrierMessageId('simulator', uniqueId('sim'))).toBeNull();

      // Later transitions keep it findable, with the current state.
      const { message: delivered } = await store.messages.transition(
        { ...sent, status: 'delivered', deliveredAt: at(2), updatedAt: at(2) },
        0n,
        () => [],
      );
      expect(await store.messages.findByCarrierMessageId('simulator', carrierMessageId)).toEqual(delivered);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('messages.list', () => {
    it('returns newest first by createdAt, then id', async () => {
      const account = await newAccount();
      const stored: Message[] = [];
      // Inserted out of order, with createdAt ties to exercise the id tie-break.
      for (const offset of [3, 1, 2, 2, 5, 2, 4]) stored.push(await seedMessage(account.id, { createdAt: at(offset * 1_000) }));
      const page = await store.messages.list(account.id, {}, { limit: 50 });
      expect(ids(page.items)).toEqual(ids([...stored].sort(newestFirst)));
      expect(page.continuationToken).toBeNull();
      expect(page.items[0]).toEqual(stored[4]);
    });

    it('filters by status, to, from, since (inclusive) and until (exclusive)', async () => {
      const account = await newAccount();
      const m1 = await seedMessage(account.id, { createdAt: at(1_000), to: '+15550000001', from: 'ACME', status: 'queued' });
      const m2 = await seedMessage(account.id, { createdAt: at(2_000), to: '+15550000002', from: 'ACME', status: 'sent' });
      const m3 = await seedMessage(account.id, { createdAt: at(3_000), to: '+15550000001', from: '+15557770000', status: 'sent' });
      const m4 = await seedMessage(account.id, { createdAt: at(4_000), to: '+15550000003', from: 'ACME', status: 'delivered' });
      const list = async (filter: Parameters<DataStore['messages']['list']>[1]) =>
        ids((await store.messages.list(account.id, filter, { limit: 50 })).items);

      expect(await list({ status: 'sent' })).toEqual([m3.id, m2.id]);
      expect(await list({ to: '+15550000001' })).toEqual([m3.id, m1.id]);
      expect(await list({ from: 'ACME' })).toEqual([m4.id, m2.id, m1.id]);
      expect(await list({ since: at(2_000) })).toEqual([m4.id, m3.id, m2.id]);
      expect(await list({ until: at(3_000) })).toEqual([m2.id, m1.id]);
      expect(await list({ since: at(2_000), until: at(4_000) })).toEqual([m3.id, m2.id]);
      expect(await list({ status: 'sent', to: '+15550000001', from: '+15557770000' })).toEqual([m3.id]);
      expect(await list({ status: 'failed' })).toEqual([]);
    });

    it('pages with continuation tokens that visit every message exactly once, in order', async () => {
      const account = await newAccount();
      const stored: Message[] = [];
      for (const offset of [1, 2, 2, 2, 3, 4, 4]) stored.push(await seedMessage(account.id, { createdAt: at(offset * 1_000) }));
      const pages = await collectPages((token) =>
        store.messages.list(account.id, {}, { limit: 3, ...(token ? { continuationToken: token } : {}) }),
      );
      expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
      expect(pages.flatMap((p) => ids(p.items))).toEqual(ids([...stored].sort(newestFirst)));
    });

    it('returns a null token on a last page that is exactly full', async () => {
      const account = await newAccount();
      for (let i = 0; i < 4; i += 1) await seedMessage(account.id, { createdAt: at(i * 1_000) });
      const first = await store.messages.list(account.id, {}, { limit: 2 });
      expect(first.continuationToken).toEqual(expect.any(String));
      const second = await store.messages.list(account.id, {}, { limit: 2, continuationToken: first.continuationToken ?? '' });
      expect(second.items).toHaveLength(2);
      expect(second.continuationToken).toBeNull();
    });

    it('pages within a filter, and new messages do not shift later pages', async () => {
      const account = await newAccount();
      const sent: Message[] = [];
      for (let i = 0; i < 5; i += 1) {
        sent.push(await seedMessage(account.id, { createdAt: at(i * 1_000), status: 'sent' }));
        await seedMessage(account.id, { createdAt: at(i * 1_000 + 500), status: 'queued' });
      }
      const first = await store.messages.list(account.id, { status: 'sent' }, { limit: 2 });
      await seedMessage(account.id, { createdAt: at(60_000), status: 'sent' }); // newer than every page
      const rest = await collectPages((token) =>
        store.messages.list(account.id, { status: 'sent' }, { limit: 2, continuationToken: token ?? first.continuationToken ?? '' }),
      );
      expect([...ids(first.items), ...rest.flatMap((p) => ids(p.items))]).toEqual(ids([...sent].sort(newestFirst)));
    });

    it('rejects a continuation token it did not issue', async () => {
      const account = await newAccount();
      await seedMessage(account.id);
      await expect(store.messages.list(account.id, {}, { limit: 1, continuationToken: 'not-a-token' })).rejects.toThrow();
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('messages.listStale', () => {
    // Times in 2001 so that no message of another test (all in 2026) qualifies.
    const bound = '2001-02-01T00:00:00.000Z';

    it('finds queued messages last changed before the bound, across accounts', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const stale = [
        await seedMessage(a.id, { status: 'queued', createdAt: '2001-01-01T00:00:01.000Z' }),
        await seedMessage(b.id, { status: 'queued', createdAt: '2001-01-01T00:00:02.000Z' }),
        await seedMessage(a.id, { status: 'queued', createdAt: '2001-01-01T00:00:03.000Z' }),
      ];
      const fresh = [
        await seedMessage(a.id, { status: 'queued', createdAt: bound }), // not strictly older
        await seedMessage(a.id, { status: 'queued', createdAt: '2001-01-01T00:00:00.000Z', updatedAt: '2001-03-01T00:00:00.000Z' }),
        await seedMessage(b.id, { status: 'sent', createdAt: '2001-01-01T00:00:04.000Z' }),
      ];

      const found = await store.messages.listStale('queued', bound, 1_000);
      for (const m of found) {
        expect(m.status).toBe('queued');
        expect(m.updatedAt < bound).toBe(true);
      }
      for (const m of stale) expect(found).toContainEqual(m);
      for (const m of fresh) expect(ids(found)).not.toContain(m.id);

      const limited = await store.messages.listStale('queued', bound, 2);
      expect(limited).toHaveLength(2);
      for (const m of limited) expect(m.updatedAt < bound).toBe(true);
    });

    it('finds scheduled messages due before the bound', async () => {
      const a = await newAccount();
      const due = await seedMessage(a.id, {
        status: 'scheduled',
        createdAt: '2001-01-01T00:00:00.000Z',
        scheduledFor: '2001-01-15T00:00:00.000Z',
      });
      const later = await seedMessage(a.id, {
        status: 'scheduled',
        createdAt: '2001-01-01T00:00:00.000Z',
        scheduledFor: '2001-03-01T00:00:00.000Z',
      });
      const queued = await seedMessage(a.id, { status: 'queued', createdAt: '2001-01-01T00:00:00.000Z' });

      const found = await store.messages.listStale('scheduled', bound, 1_000);
      for (const m of found) expect(m.status).toBe('scheduled');
      expect(found).toContainEqual(due);
      expect(ids(found)).not.toContain(later.id);
      expect(ids(found)).not.toContain(queued.id);
    });
  });

  // -------------------------------------------------------------------------------------------
}
