/** The DataStore contract, AccountStore: create, read, etag-guarded update, credit and the balance limits, listing (run by describeDataStoreContract). */
import type { Message } from '../../../shared/domain/types';
import {
  BalanceLimitError,
  ConcurrencyError,
  DuplicateError,
  InsufficientCreditsError,
  type DataStore,
} from '../../../shared/ports/stores';
import { formatMinor, parseDecimal } from '../../../shared/domain/money';
import { at, makeAccount, makeCampaign, makeEvent, makeMessage, uniqueId } from '../../fixtures/records';
import { ids, collectPages, type StoreHarness } from './harness';

export function describeAccountStoreContract(t: StoreHarness): void {
  let store: DataStore;
  beforeAll(() => {
    store = t.store;
  });
  const { newAccount, balanceOf } = t;

  // -------------------------------------------------------------------------------------------
  describe('accounts', () => {
    it('creates, reads back the same record with an etag, and returns null for unknown ids', async () => {
      const account = makeAccount({ scopes: ['messages:send'], carrier: 'simulator', defaultSenderId: 'sid_x' });
      const created = await store.accounts.create(account);
      expect(created).toEqual({ ...account, etag: expect.any(String) });
      expect(await store.accounts.get(account.id)).toEqual(created);
      expect(await store.accounts.get(uniqueId('acc'))).toBeNull();
    });

    it('rejects a second account with the same id', async () => {
      const account = await newAccount();
      await expect(store.accounts.create(makeAccount({ id: account.id }))).rejects.toBeInstanceOf(DuplicateError);
      expect((await store.accounts.get(account.id))?.name).toBe(account.name);
    });

    it('update replaces the record, changes the etag each time, and rejects a stale etag', async () => {
      const created = await newAccount({ name: 'Before' });
      const first = await store.accounts.update({ ...created, name: 'After', lowBalanceThreshold: 42n });
      expect(first.name).toBe('After');
      expect(first.etag).toEqual(expect.any(String));
      expect(first.etag).not.toBe(created.etag);
      expect(await store.accounts.get(created.id)).toEqual(first);

      const second = await store.accounts.update({ ...first, name: 'Again' });
      expect(second.etag).not.toBe(first.etag);

      await expect(store.accounts.update({ ...created, name: 'Stale' })).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(store.accounts.update({ ...first, name: 'Stale too' })).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await store.accounts.get(created.id)).toEqual(second);
    });

    it('keeps the callback secret, the previous one and its expiry; an account without them reads back without them', async () => {
      const created = await newAccount({ callbackSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
      expect(await store.accounts.get(created.id)).not.toHaveProperty('previousCallbackSecret');
      const previousCallbackSecret = { secret: created.callbackSecret!, expiresAt: at(86_400_000) };
      const rotated = await store.accounts.update({
        ...created,
        callbackSecret: 'whsec_bmV3IHNlY3JldCBvZiB0aGlydHktdHdvIGJ5dGVzIQ==',
        previousCallbackSecret,
      });
      expect(await store.accounts.get(created.id)).toEqual(rotated);
      expect((await store.accounts.get(created.id))!.previousCallbackSecret).toEqual(previousCallbackSecret);
    });

    it('update never writes the balance, which only accept, transition and credit move', async () => {
      const created = await newAccount({ balance: 1_000n });
      await store.accounts.credit(created.id, 500n);
      await store.messages.accept(makeMessage({ accountId: created.id }), 200n, () => []);
      // `created` still says 1000 and carries the etag from before: settings writes must not
      // conflict with sends, nor put an old balance back.
      const updated = await store.accounts.update({ ...created, name: 'Renamed' });
      expect(updated.balance).toBe(1_300n);
      expect(await store.accounts.get(created.id)).toEqual(expect.objectContaining({ name: 'Renamed', balance: 1_300n }));
    });

    it('update with events replaces and appends them in one unit of work; a stale etag writes neither', async () => {
      const created = await newAccount({ balance: 5_000n });
      await store.accounts.credit(created.id, 100n); // the balance moved since `created` was read
      const raised = makeEvent({ accountId: created.id, type: 'delivery_rate.low' });
      const monitorState = { deliveryRateLowSince: at(60_000), bounceRateHighSince: null };
      const updated = await store.accounts.update({ ...created, monitorState }, [raised]);
      expect(updated).toEqual({ ...created, monitorState, balance: 5_100n, etag: expect.any(String) });
      expect(updated.etag).not.toBe(created.etag);
      expect(await store.accounts.get(created.id)).toEqual(updated);
      expect(await store.outbox.get(created.id, raised.id)).toEqual(raised);

      // A second evaluation that read the account before the first wrote: it loses, writing nothing.
      const late = makeEvent({ accountId: created.id, type: 'delivery_rate.low' });
      await expect(
        store.accounts.update({ ...created, monitorState: { ...monitorState, deliveryRateLowSince: at(61_000) } }, [late]),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await store.accounts.get(created.id)).toEqual(updated);
      expect(await store.outbox.get(created.id, late.id)).toBeNull();
    });

    it('update writes nothing when an event cannot be appended', async () => {
      const created = await newAccount();
      const existing = makeEvent({ accountId: created.id, type: 'balance.low' });
      await store.outbox.append([existing]);
      const fresh = makeEvent({ accountId: created.id, type: 'bounce_rate.high' });
      const monitorState = { deliveryRateLowSince: null, bounceRateHighSince: at(1) };
      await expect(
        store.accounts.update({ ...created, monitorState }, [fresh, { ...existing, data: { changed: true } }]),
      ).rejects.toBeInstanceOf(DuplicateError);
      expect(await store.accounts.get(created.id)).toEqual(created);
      expect(await store.outbox.get(created.id, fresh.id)).toBeNull();
      expect(await store.outbox.get(created.id, existing.id)).toEqual(existing);
      // Nothing was consumed: the same etag still updates.
      await expect(store.accounts.update({ ...created, monitorState }, [fresh])).resolves.toMatchObject({ monitorState });
    });

    it('findByApiKeyHash finds the owner across tenants, follows key rotation, and returns null otherwise', async () => {
      const a = await newAccount();
      const b = await newAccount();
      expect(await store.accounts.findByApiKeyHash(a.apiKeyHash)).toEqual(a);
      expect(await store.accounts.findByApiKeyHash(b.apiKeyHash)).toEqual(b);
      expect(await store.accounts.findByApiKeyHash(`sha256_${uniqueId('none')}`)).toBeNull();

      const rotated = await store.accounts.update({ ...a, apiKeyHash: `sha256_${uniqueId('rotated')}` });
      expect(await store.accounts.findByApiKeyHash(rotated.apiKeyHash)).toEqual(rotated);
      expect(await store.accounts.findByApiKeyHash(a.apiKeyHash)).toBeNull();
    });

    it('rejects an account whose API-key hash another account uses', async () => {
      const a = await newAccount();
      await expect(store.accounts.create(makeAccount({ apiKeyHash: a.apiKeyHash }))).rejects.toBeInstanceOf(DuplicateError);
      expect(await store.accounts.findByApiKeyHash(a.apiKeyHash)).toEqual(a);
    });

    it('credit adds (and with a negative amount deducts) and reports the change', async () => {
      const account = await newAccount({ balance: 1_000n });
      expect(await store.accounts.credit(account.id, 250n)).toEqual({ before: 1_000n, after: 1_250n });
      expect(await balanceOf(account.id)).toBe(1_250n);
      expect(await store.accounts.credit(account.id, -50n)).toEqual({ before: 1_250n, after: 1_200n });
      expect(await balanceOf(account.id)).toBe(1_200n);
    });

    it('concurrent credits all land', async () => {
      const account = await newAccount({ balance: 0n });
      const changes = await Promise.all(Array.from({ length: 10 }, (_, i) => store.accounts.credit(account.id, BigInt(i + 1))));
      expect(await balanceOf(account.id)).toBe(55n);
      // Each change reports its own increment from a distinct starting point: serialised, not lost.
      changes.forEach((c, i) => expect(c.after - c.before).toBe(BigInt(i + 1)));
      expect(new Set(changes.map((c) => c.before)).size).toBe(10);
    });

    it('credit refuses a deduction below zero (writing nothing) unless allowed, and allows exactly zero', async () => {
      const account = await newAccount({ balance: 1_000n });
      const short = store.accounts.credit(account.id, -1_001n);
      await expect(short).rejects.toBeInstanceOf(InsufficientCreditsError);
      await expect(short).rejects.toMatchObject({ balance: 1_000n, required: 1_001n });
      expect(await balanceOf(account.id)).toBe(1_000n);
      expect(await store.accounts.credit(account.id, -1_000n)).toEqual({ before: 1_000n, after: 0n });
      expect(await store.accounts.credit(account.id, -250n, true)).toEqual({ before: 0n, after: -250n });
      expect(await balanceOf(account.id)).toBe(-250n);
      // A credit is never refused for being below zero: it only moves the balance up.
      expect(await store.accounts.credit(account.id, 100n)).toEqual({ before: -250n, after: -150n });
    });

    it('concurrent deductions never take the balance below zero', async () => {
      const account = await newAccount({ balance: 1_000n });
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => store.accounts.credit(account.id, -300n)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(InsufficientCreditsError);
      expect(await balanceOf(account.id)).toBe(100n);
    });

    it('amounts are exact up to the maximum balance, and a credit past it is refused', async () => {
      const max = parseDecimal('999999999999.9999')!;
      const account = await newAccount({ balance: 0n, lowBalanceThreshold: max });
      expect(await store.accounts.credit(account.id, max)).toEqual({ before: 0n, after: max });
      const read = (await store.accounts.get(account.id))!;
      expect(formatMinor(read.balance)).toBe('999999999999.9999');
      expect(formatMinor(read.lowBalanceThreshold)).toBe('999999999999.9999');
      const over = store.accounts.credit(account.id, 1n);
      await expect(over).rejects.toBeInstanceOf(BalanceLimitError);
      await expect(over).rejects.toMatchObject({ balance: max, amount: 1n });
      expect(await balanceOf(account.id)).toBe(max);
      // Near the maximum a send debits and a refund returns exactly (past 2^53 a double would round).
      const { message } = await store.messages.accept(
        makeMessage({ accountId: account.id, cost: { amount: '0.0001', currency: 'USD', segments: 1, unitPrice: '0.0001' } }),
        1n,
        () => [],
      );
      expect(await balanceOf(account.id)).toBe(max - 1n);
      const refunded = await store.messages.transition({ ...message, status: 'failed', updatedAt: at(1) }, 1n, () => []);
      expect(refunded.balance).toEqual({ before: max - 1n, after: max });
      expect(formatMinor(await balanceOf(account.id))).toBe('999999999999.9999');
      // What an account is created with is stored exactly too.
      const created = await newAccount({ balance: max - 7n });
      expect(await balanceOf(created.id)).toBe(9_999_999_999_999_992n);
    });

    it('a sum of large refunds is exact', async () => {
      const large = parseDecimal('300000000000.0001')!;
      const account = await newAccount({ balance: large * 3n });
      const accepted: Message[] = [];
      for (let i = 0; i < 3; i += 1) {
        const cost = { amount: formatMinor(large), currency: 'USD', segments: 1, unitPrice: formatMinor(large) };
        accepted.push((await store.messages.accept(makeMessage({ accountId: account.id, cost }), large, () => [])).message);
      }
      expect(await balanceOf(account.id)).toBe(0n);
      for (const m of accepted) await store.messages.transition({ ...m, status: 'failed', updatedAt: at(1) }, large, () => []);
      expect(formatMinor(await balanceOf(account.id))).toBe('900000000000.0003');
    });

    it('a campaign total past 2^53 minor units reads back exactly', async () => {
      const account = await newAccount();
      const costMinor = parseDecimal('999999999999.9999')! * 24n + 3n;
      const created = await store.campaigns.create(
        makeCampaign({ accountId: account.id, progress: { recipients: 24, accepted: 24, skipped: 0, costMinor } }),
      );
      expect((await store.campaigns.get(account.id, created.id))!.progress.costMinor).toBe(costMinor);
      const listed = await store.campaigns.list(account.id, {}, { limit: 10 });
      expect(listed.items[0]!.progress.costMinor).toBe(costMinor);
    });

    it('list pages through every account exactly once', async () => {
      const mine = await Promise.all(Array.from({ length: 5 }, () => newAccount()));
      const pages = await collectPages((token) => store.accounts.list({ limit: 2, ...(token ? { continuationToken: token } : {}) }));
      const seen = pages.flatMap((p) => ids(p.items));
      expect(new Set(seen).size).toBe(seen.length);
      for (const a of mine) expect(seen).toContain(a.id);
      for (const page of pages) expect(page.items.length).toBeLessThanOrEqual(2);
      for (const page of pages.slice(0, -1)) expect(page.items).toHaveLength(2);
      const listed = pages.flatMap((p) => p.items).find((a) => a.id === mine[0]?.id);
      expect(listed).toEqual(mine[0]);
    });
  });
}
