/**
 * The behaviour every DataStore adapter must show (SQLite, Cosmos DB, ...). One store is opened for
 * the whole suite; every test works on accounts of its own, so tests do not see each other's tenant
 * data. The few cross-tenant queries (pending outbox, stale messages, account listing) are written to
 * hold whatever other tests left behind.
 *
 * Semantics pinned here beyond the doc comments of shared/ports/stores.ts (both adapters agree):
 *  - an account's etag guards what `accounts.update` writes. `update` never writes the balance, which
 *    only `accept`, `transition` and `credit` move, and those do not change the etag;
 *  - `credit` accepts negative amounts (deductions);
 *  - `listStale('queued')` compares `updatedAt`, `listStale('scheduled')` compares `scheduledFor`,
 *    both strictly older than the bound;
 *  - outbox `since` is inclusive, like the message filter's.
 *
 * What the suite leaves to the adapter: the balance reported by a replayed accept; the order of
 * `senderIds.list`, `virtualNumbers.list` and `listStale`; which events come first when two share an
 * `occurredAt`; what `markDispatched` does with unknown ids (only that it does not throw).
 */
import type { Account, DomainEvent, Message } from '../../shared/domain/types';
import type { Campaign, CampaignStatus } from '../../shared/domain/campaign';
import type { Contact, ContactGroup } from '../../shared/domain/contact';
import type { KeywordRule } from '../../shared/domain/keywordRule';
import {
  BalanceLimitError,
  ConcurrencyError,
  DuplicateError,
  InsufficientCreditsError,
  InvalidContinuationTokenError,
  MAX_ACCEPT_MANY,
  MAX_ACCEPT_MANY_EVENTS,
  type BalanceChange,
  type CampaignFilter,
  type ContactFilter,
  type DataStore,
  type MessageFilter,
  type Page,
} from '../../shared/ports/stores';
import { formatMinor, parseDecimal } from '../../shared/domain/money';
import { at, makeAccount, makeCampaign, makeEvent, makeMessage, makeSenderId, makeVirtualNumber, uniqueId, uniqueSuffix } from '../fixtures/records';

export interface DataStoreUnderTest {
  store: DataStore;
  cleanup: () => Promise<void>;
}

/** Newest first: createdAt descending, then id descending (plain string order). */
function newestFirst(a: Message, b: Message): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

const ids = (items: readonly { id: string }[]): string[] => items.map((i) => i.id);
const sortedIds = (items: readonly { id: string }[]): string[] => ids(items).sort();

async function collectPages<T>(fetch: (token: string | undefined) => Promise<Page<T>>, maxPages = 1000): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    pages.push(page);
    if (page.continuationToken !== null) expect(typeof page.continuationToken).toBe('string');
    token = page.continuationToken ?? undefined;
  } while (token !== undefined && pages.length < maxPages);
  expect(token).toBeUndefined();
  return pages;
}

export function describeDataStoreContract(name: string, open: () => Promise<DataStoreUnderTest>): void {
  describe(`DataStore contract: ${name}`, () => {
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

    const newAccount = (overrides: Partial<Account> = {}): Promise<Account> => store.accounts.create(makeAccount(overrides));

    async function balanceOf(accountId: string): Promise<bigint> {
      const account = await store.accounts.get(accountId);
      if (!account) throw new Error(`account ${accountId} vanished`);
      return account.balance;
    }

    /** Stores a message through the only door there is, with a small debit and no events. */
    async function seedMessage(accountId: string, overrides: Partial<Message> = {}): Promise<Message> {
      const { message } = await store.messages.accept(makeMessage({ accountId, ...overrides }), 1n, () => []);
      return message;
    }

    function acceptedEvents(accountId: string, messageId: string, seen?: BalanceChange[]) {
      return (balance: BalanceChange): DomainEvent[] => {
        seen?.push(balance);
        return [makeEvent({ accountId, type: 'message.accepted', data: { messageId, before: Number(balance.before), after: Number(balance.after) } })];
      };
    }

    async function drainOutbox(): Promise<void> {
      for (let round = 0; round < 100; round += 1) {
        const batch = await store.outbox.pending(500);
        if (batch.length === 0) return;
        await store.outbox.markDispatched(batch.map((e) => e.id));
      }
      throw new Error('the outbox never drained: markDispatched does not remove events from pending');
    }

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
        await expect(store.accounts.update({ ...created, monitorState: { ...monitorState, deliveryRateLowSince: at(61_000) } }, [late])).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.accounts.get(created.id)).toEqual(updated);
        expect(await store.outbox.get(created.id, late.id)).toBeNull();
      });

      it('update writes nothing when an event cannot be appended', async () => {
        const created = await newAccount();
        const existing = makeEvent({ accountId: created.id, type: 'balance.low' });
        await store.outbox.append([existing]);
        const fresh = makeEvent({ accountId: created.id, type: 'bounce_rate.high' });
        const monitorState = { deliveryRateLowSince: null, bounceRateHighSince: at(1) };
        await expect(store.accounts.update({ ...created, monitorState }, [fresh, { ...existing, data: { changed: true } }])).rejects.toBeInstanceOf(DuplicateError);
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
        const { message } = await store.messages.accept(makeMessage({ accountId: account.id, cost: { amount: '0.0001', currency: 'USD', segments: 1, unitPrice: '0.0001' } }), 1n, () => []);
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
        const created = await store.campaigns.create(makeCampaign({ accountId: account.id, progress: { recipients: 24, accepted: 24, skipped: 0, costMinor } }));
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

    // -------------------------------------------------------------------------------------------
    describe('messages.accept', () => {
      it('debits exactly the given amount, stores the message and appends the events built from the balance', async () => {
        const account = await newAccount({ balance: 10_000n });
        const message = makeMessage({ accountId: account.id, uniqueArgs: { order: '42' }, callbackUrl: 'https://example.test/cb' });
        const seen: BalanceChange[] = [];
        const outcome = await store.messages.accept(message, 1_234n, acceptedEvents(account.id, message.id, seen));

        expect(outcome.replayed).toBe(false);
        expect(outcome.balance).toEqual({ before: 10_000n, after: 8_766n });
        expect(seen).toEqual([{ before: 10_000n, after: 8_766n }]);
        expect(outcome.message).toEqual({ ...message, etag: expect.any(String) });
        expect(await balanceOf(account.id)).toBe(8_766n);
        expect(await store.messages.get(account.id, message.id)).toEqual(outcome.message);

        const events = await store.outbox.listForAccount(account.id, {}, 10);
        expect(events).toHaveLength(1);
        expect(events[0]?.data).toEqual({ messageId: message.id, before: 10_000, after: 8_766 });
        expect(await store.outbox.get(account.id, events[0]?.id ?? '')).toEqual(events[0]);
      });

      it('throws InsufficientCreditsError and writes nothing when the balance is short', async () => {
        const account = await newAccount({ balance: 100n });
        const message = makeMessage({ accountId: account.id, idempotencyKey: 'short-1' });
        const attempt = store.messages.accept(message, 101n, acceptedEvents(account.id, message.id));
        await expect(attempt).rejects.toBeInstanceOf(InsufficientCreditsError);
        await expect(attempt).rejects.toMatchObject({ balance: 100n, required: 101n });

        expect(await balanceOf(account.id)).toBe(100n);
        expect(await store.messages.get(account.id, message.id)).toBeNull();
        expect((await store.messages.list(account.id, {}, { limit: 10 })).items).toEqual([]);
        expect(await store.outbox.listForAccount(account.id, {}, 10)).toEqual([]);

        // The idempotency key was not used up either: once topped up, the same request goes through.
        await store.accounts.credit(account.id, 1n);
        const retried = await store.messages.accept(message, 101n, acceptedEvents(account.id, message.id));
        expect(retried.replayed).toBe(false);
        expect(await balanceOf(account.id)).toBe(0n);
      });

      it('replays an idempotency key without a second debit or second events', async () => {
        const account = await newAccount({ balance: 1_000n });
        const first = makeMessage({ accountId: account.id, idempotencyKey: 'order-7/attempt#1?' });
        const original = await store.messages.accept(first, 100n, acceptedEvents(account.id, first.id));
        const again = makeMessage({ accountId: account.id, idempotencyKey: first.idempotencyKey, text: 'different body' });
        const replay = await store.messages.accept(again, 100n, acceptedEvents(account.id, again.id));

        expect(replay.replayed).toBe(true);
        expect(replay.message).toEqual(original.message);
        expect(await balanceOf(account.id)).toBe(900n);
        expect(await store.messages.get(account.id, again.id)).toBeNull();
        expect(await store.outbox.listForAccount(account.id, {}, 10)).toHaveLength(1);
      });

      it('scopes idempotency keys to the account', async () => {
        const a = await newAccount();
        const b = await newAccount();
        await store.messages.accept(makeMessage({ accountId: a.id, idempotencyKey: 'shared-key' }), 1n, () => []);
        const other = await store.messages.accept(makeMessage({ accountId: b.id, idempotencyKey: 'shared-key' }), 1n, () => []);
        expect(other.replayed).toBe(false);
        expect(other.message.accountId).toBe(b.id);
      });

      it('never overdraws under 20 concurrent accepts', async () => {
        const account = await newAccount({ balance: 1_000n });
        const messages = Array.from({ length: 20 }, () => makeMessage({ accountId: account.id }));
        const results = await Promise.allSettled(messages.map((m) => store.messages.accept(m, 100n, acceptedEvents(account.id, m.id))));

        const accepted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
        expect(accepted).toHaveLength(10);
        for (const reason of rejected) expect(reason).toBeInstanceOf(InsufficientCreditsError);
        expect(await balanceOf(account.id)).toBe(0n);
        expect(accepted.map((o) => o.balance.after).sort((x, y) => Number(x - y))).toEqual([0n, 100n, 200n, 300n, 400n, 500n, 600n, 700n, 800n, 900n]);

        const stored = await store.messages.list(account.id, {}, { limit: 100 });
        expect(sortedIds(stored.items)).toEqual(sortedIds(accepted.map((o) => o.message)));
        expect(await store.outbox.listForAccount(account.id, {}, 100)).toHaveLength(10);
      });

      it('creates one message when concurrent accepts share an idempotency key', async () => {
        const account = await newAccount({ balance: 1_000n });
        const outcomes = await Promise.all(
          Array.from({ length: 5 }, () => makeMessage({ accountId: account.id, idempotencyKey: 'same-everywhere' })).map((m) =>
            store.messages.accept(m, 100n, acceptedEvents(account.id, m.id)),
          ),
        );
        expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
        expect(new Set(outcomes.map((o) => o.message.id)).size).toBe(1);
        expect(await balanceOf(account.id)).toBe(900n);
        expect((await store.messages.list(account.id, {}, { limit: 10 })).items).toHaveLength(1);
        expect(await store.outbox.listForAccount(account.id, {}, 10)).toHaveLength(1);
      });

      it('leaves the account etag alone: a settings update read before a send still succeeds', async () => {
        const account = await newAccount({ balance: 1_000n });
        const before = await store.accounts.get(account.id);
        await store.messages.accept(makeMessage({ accountId: account.id }), 10n, () => []);
        expect((await store.accounts.get(account.id))?.etag).toBe(before?.etag);
        await expect(store.accounts.update({ ...account, name: 'Still current' })).resolves.toMatchObject({ balance: 990n });
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('messages.acceptMany', () => {
      /** A chunk of `n` messages of the account, each with its own key and the given cost (minor units). */
      const chunkOf = (accountId: string, n: number, cost = 75n, prefix = uniqueSuffix()): Message[] =>
        Array.from({ length: n }, (_, i) => makeMessage({ accountId, idempotencyKey: `${prefix}:${i}`, cost: { amount: formatMinor(cost), currency: 'USD', segments: 1, unitPrice: formatMinor(cost) } }));

      /** One event per call, recording the balance change it was built from. */
      function chunkEvents(accountId: string, seen: BalanceChange[]) {
        return (balance: BalanceChange): DomainEvent[] => {
          seen.push(balance);
          return [makeEvent({ accountId, type: 'balance.low', data: { before: Number(balance.before), after: Number(balance.after) } })];
        };
      }

      it('debits the sum of the costs once, stores every message and appends the events built from the chunk balance', async () => {
        const account = await newAccount({ balance: 10_000n });
        const messages = chunkOf(account.id, 3, 150n);
        messages[1] = { ...messages[1]!, cost: { ...messages[1]!.cost, amount: '0.0300', segments: 2 } }; // 300 minor units
        const seen: BalanceChange[] = [];
        const outcome = await store.messages.acceptMany(messages, chunkEvents(account.id, seen));

        expect(outcome.balance).toEqual({ before: 10_000n, after: 9_400n });
        expect(seen).toEqual([{ before: 10_000n, after: 9_400n }]);
        expect(outcome.results.map((r) => r.replayed)).toEqual([false, false, false]);
        expect(outcome.results.map((r) => r.message)).toEqual(messages.map((m) => ({ ...m, etag: expect.any(String) })));
        for (const r of outcome.results) expect(r.balance).toEqual({ before: 10_000n, after: 9_400n });
        expect(await balanceOf(account.id)).toBe(9_400n);
        for (const r of outcome.results) expect(await store.messages.get(account.id, r.message.id)).toEqual(r.message);
        const events = await store.outbox.listForAccount(account.id, {}, 10);
        expect(events.map((e) => e.data)).toEqual([{ before: 10_000, after: 9_400 }]);
      });

      it('replays keys used before, and a key repeated within the chunk, without charging them', async () => {
        const account = await newAccount({ balance: 10_000n });
        const earlier = await store.messages.accept(makeMessage({ accountId: account.id, idempotencyKey: 'mixed:0' }), 75n, () => []);
        const chunk = chunkOf(account.id, 4, 100n, 'mixed'); // mixed:0 (used) to mixed:3
        chunk.push(makeMessage({ accountId: account.id, idempotencyKey: 'mixed:2', text: 'same key again' }));
        chunk.push(makeMessage({ accountId: account.id, idempotencyKey: 'mixed:0', text: 'and the earlier one again' }));
        const seen: BalanceChange[] = [];
        const outcome = await store.messages.acceptMany(chunk, chunkEvents(account.id, seen));

        expect(outcome.results.map((r) => r.replayed)).toEqual([true, false, false, false, true, true]);
        expect(outcome.balance).toEqual({ before: 9_925n, after: 9_625n });
        expect(seen).toEqual([{ before: 9_925n, after: 9_625n }]);
        expect(outcome.results[0]!.message).toEqual(earlier.message);
        expect(outcome.results[5]!.message).toEqual(earlier.message);
        expect(outcome.results[4]!.message).toEqual(outcome.results[2]!.message);
        expect(outcome.results[4]!.message.id).toBe(chunk[2]!.id);
        for (const i of [0, 4, 5]) expect(outcome.results[i]!.balance).toEqual({ before: 9_625n, after: 9_625n });
        expect(await balanceOf(account.id)).toBe(9_625n);
        const stored = await store.messages.list(account.id, {}, { limit: 10 });
        expect(sortedIds(stored.items)).toEqual(sortedIds([earlier.message, chunk[1]!, chunk[2]!, chunk[3]!]));
        expect(await store.outbox.listForAccount(account.id, {}, 10)).toHaveLength(1);

        // The same chunk again: everything replays, nothing is charged or written.
        const again = await store.messages.acceptMany(chunk, chunkEvents(account.id, seen));
        expect(again.results.map((r) => r.replayed)).toEqual([true, true, true, true, true, true]);
        expect(again.results.map((r) => r.message.id)).toEqual(outcome.results.map((r) => r.message.id));
        expect(again.balance).toEqual({ before: 9_625n, after: 9_625n });
        expect(await balanceOf(account.id)).toBe(9_625n);
        expect(await store.outbox.listForAccount(account.id, {}, 10)).toHaveLength(1);
        expect(seen).toHaveLength(1);
      });

      it('throws InsufficientCreditsError and writes nothing when the balance cannot pay for the whole chunk', async () => {
        const account = await newAccount({ balance: 299n });
        const chunk = chunkOf(account.id, 3, 100n);
        const attempt = store.messages.acceptMany(chunk, chunkEvents(account.id, []));
        await expect(attempt).rejects.toBeInstanceOf(InsufficientCreditsError);
        await expect(attempt).rejects.toMatchObject({ balance: 299n, required: 300n });
        expect(await balanceOf(account.id)).toBe(299n);
        expect((await store.messages.list(account.id, {}, { limit: 10 })).items).toEqual([]);
        expect(await store.outbox.listForAccount(account.id, {}, 10)).toEqual([]);

        // Only what is new is required: with one key used already, the other two fit.
        await store.accounts.credit(account.id, 1n);
        await store.messages.accept(chunk[0]!, 100n, () => []);
        const rest = await store.messages.acceptMany(chunk, chunkEvents(account.id, []));
        expect(rest.results.map((r) => r.replayed)).toEqual([true, false, false]);
        expect(await balanceOf(account.id)).toBe(0n);
      });

      it('writes nothing, events included, when an event cannot be stored', async () => {
        const account = await newAccount({ balance: 1_000n });
        const taken = makeEvent({ accountId: account.id });
        await store.outbox.append([taken]);
        const chunk = chunkOf(account.id, 2, 100n);
        const fresh = makeEvent({ accountId: account.id });
        await expect(store.messages.acceptMany(chunk, () => [fresh, taken])).rejects.toBeInstanceOf(DuplicateError);
        expect(await balanceOf(account.id)).toBe(1_000n);
        expect((await store.messages.list(account.id, {}, { limit: 10 })).items).toEqual([]);
        expect((await store.outbox.listForAccount(account.id, {}, 10)).map((e) => e.id)).toEqual([taken.id]);
      });

      it(`takes up to MAX_ACCEPT_MANY (${MAX_ACCEPT_MANY}) messages with MAX_ACCEPT_MANY_EVENTS events, and refuses more before writing`, async () => {
        const account = await newAccount({ balance: 100_000n });
        const full = chunkOf(account.id, MAX_ACCEPT_MANY, 10n);
        const raise = (n: number) => () => Array.from({ length: n }, () => makeEvent({ accountId: account.id }));
        const outcome = await store.messages.acceptMany(full, raise(MAX_ACCEPT_MANY_EVENTS));
        expect(outcome.results.filter((r) => !r.replayed)).toHaveLength(MAX_ACCEPT_MANY);
        expect(await balanceOf(account.id)).toBe(100_000n - 10n * BigInt(MAX_ACCEPT_MANY));
        expect(await store.outbox.listForAccount(account.id, {}, 100)).toHaveLength(MAX_ACCEPT_MANY_EVENTS);

        const other = await newAccount({ balance: 100_000n });
        const refused = async (call: Promise<unknown>, error: new (...args: never[]) => Error) => {
          await expect(call).rejects.toBeInstanceOf(error);
          expect(await balanceOf(other.id)).toBe(100_000n);
          expect((await store.messages.list(other.id, {}, { limit: 10 })).items).toEqual([]);
          expect(await store.outbox.listForAccount(other.id, {}, 100)).toEqual([]);
        };
        await refused(store.messages.acceptMany(chunkOf(other.id, MAX_ACCEPT_MANY + 1, 10n), () => []), RangeError);
        await refused(store.messages.acceptMany([], () => []), RangeError);
        await refused(store.messages.acceptMany(chunkOf(other.id, 2, 10n), () => Array.from({ length: MAX_ACCEPT_MANY_EVENTS + 1 }, () => makeEvent({ accountId: other.id }))), RangeError);
        await refused(store.messages.acceptMany([...chunkOf(other.id, 1, 10n), makeMessage({ accountId: other.id })], () => []), TypeError);
        await refused(store.messages.acceptMany([...chunkOf(other.id, 1, 10n), ...chunkOf(account.id, 1, 10n)], () => []), TypeError);
      });

      it('runs concurrently with single accepts and other chunks of the account: all succeed, the balance is exact', async () => {
        const account = await newAccount({ balance: 100_000n });
        const chunks = [chunkOf(account.id, 10, 75n), chunkOf(account.id, 10, 75n)];
        const singles = Array.from({ length: 10 }, () => makeMessage({ accountId: account.id }));
        // A single accept racing a chunk for one of its keys: exactly one of them stores it.
        const rival = makeMessage({ accountId: account.id, idempotencyKey: chunks[0]![3]!.idempotencyKey });
        const [many, rivalOutcome, ...single] = await Promise.all([
          Promise.all(chunks.map((c) => store.messages.acceptMany(c, () => []))),
          store.messages.accept(rival, 75n, () => []),
          ...singles.map((m) => store.messages.accept(m, 100n, acceptedEvents(account.id, m.id))),
        ]);
        expect(single.every((o) => !o.replayed)).toBe(true);
        const raced = many[0]!.results[3]!;
        expect([raced.replayed, rivalOutcome.replayed].sort()).toEqual([false, true]);
        expect(raced.message).toEqual(rivalOutcome.message);

        const stored = (await store.messages.list(account.id, {}, { limit: 100 })).items;
        expect(stored).toHaveLength(30);
        expect(await balanceOf(account.id)).toBe(100_000n - 20n * 75n - 10n * 100n);
        expect(await store.outbox.listForAccount(account.id, {}, 100)).toHaveLength(10);
      });

      it('the same chunk accepted twice at once is stored and charged once', async () => {
        const account = await newAccount({ balance: 10_000n });
        const chunk = chunkOf(account.id, 5, 100n);
        const twin = chunk.map((m) => ({ ...m, id: uniqueId('msg') })); // a second run builds new ids, same keys
        const [a, b] = await Promise.all([store.messages.acceptMany(chunk, chunkEvents(account.id, [])), store.messages.acceptMany(twin, chunkEvents(account.id, []))]);
        const inserted = [...a.results, ...b.results].filter((r) => !r.replayed);
        expect(inserted).toHaveLength(5);
        expect(a.results.map((r) => r.message.id)).toEqual(b.results.map((r) => r.message.id));
        expect(await balanceOf(account.id)).toBe(9_500n);
        expect((await store.messages.list(account.id, {}, { limit: 20 })).items).toHaveLength(5);
        expect(await store.outbox.listForAccount(account.id, {}, 10)).toHaveLength(1);
      });
    });

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
        await expect(store.messages.transition({ ...message, accountId: intruder.id, status: 'cancelled' }, 0n, () => [])).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
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
          return [makeEvent({ accountId: account.id, type: 'sms.status', data: { status: 'failed', after: balance ? Number(balance.after) : null } })];
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

        const { message: sent } = await store.messages.transition({ ...message, status: 'sent', carrierMessageId, updatedAt: at(1) }, 0n, () => []);
        expect(await store.messages.findByCarrierMessageId('simulator', carrierMessageId)).toEqual(sent);
        expect(await store.messages.findByCarrierMessageId('other-carrier', carrierMessageId)).toBeNull();
        expect(await store.messages.findByCarrierMessageId('simulator', uniqueId('sim'))).toBeNull();

        // Later transitions keep it findable, with the current state.
        const { message: delivered } = await store.messages.transition({ ...sent, status: 'delivered', deliveredAt: at(2), updatedAt: at(2) }, 0n, () => []);
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
        const due = await seedMessage(a.id, { status: 'scheduled', createdAt: '2001-01-01T00:00:00.000Z', scheduledFor: '2001-01-15T00:00:00.000Z' });
        const later = await seedMessage(a.id, { status: 'scheduled', createdAt: '2001-01-01T00:00:00.000Z', scheduledFor: '2001-03-01T00:00:00.000Z' });
        const queued = await seedMessage(a.id, { status: 'queued', createdAt: '2001-01-01T00:00:00.000Z' });

        const found = await store.messages.listStale('scheduled', bound, 1_000);
        for (const m of found) expect(m.status).toBe('scheduled');
        expect(found).toContainEqual(due);
        expect(ids(found)).not.toContain(later.id);
        expect(ids(found)).not.toContain(queued.id);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('sender ids', () => {
      it('create, get, getForAdmin, findByValue and list by status', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const s1 = await store.senderIds.create(makeSenderId({ accountId: a.id, value: 'ACME', createdAt: at(1) }));
        const s2 = await store.senderIds.create(makeSenderId({ accountId: a.id, value: 'ACMEOTP', status: 'approved', createdAt: at(2) }));
        const s3 = await store.senderIds.create(makeSenderId({ accountId: b.id, value: 'ACME' }));
        expect(s1.etag).toEqual(expect.any(String));

        expect(await store.senderIds.get(a.id, s1.id)).toEqual(s1);
        expect(await store.senderIds.get(a.id, uniqueId('sid'))).toBeNull();
        expect(await store.senderIds.getForAdmin(s3.id)).toEqual(s3);
        expect(await store.senderIds.getForAdmin(uniqueId('sid'))).toBeNull();

        expect(await store.senderIds.findByValue(a.id, 'ACME')).toEqual(s1);
        expect(await store.senderIds.findByValue(b.id, 'ACME')).toEqual(s3);
        expect(await store.senderIds.findByValue(a.id, 'NOPE')).toBeNull();

        expect(sortedIds(await store.senderIds.list(a.id))).toEqual(sortedIds([s1, s2]));
        expect(await store.senderIds.list(a.id, 'approved')).toEqual([s2]);
        expect(await store.senderIds.list(a.id, 'rejected')).toEqual([]);
      });

      it('rejects a second sender id with the same id', async () => {
        const a = await newAccount();
        const s = await store.senderIds.create(makeSenderId({ accountId: a.id }));
        await expect(store.senderIds.create(makeSenderId({ id: s.id, accountId: a.id }))).rejects.toBeInstanceOf(DuplicateError);
      });

      it('update replaces when the etag matches and appends the events; a stale etag writes nothing', async () => {
        const a = await newAccount();
        const created = await store.senderIds.create(makeSenderId({ accountId: a.id }));
        const approvedEvent = makeEvent({ accountId: a.id, type: 'sender_id.approved' });
        const approved = await store.senderIds.update({ ...created, status: 'approved', decidedAt: at(10) }, [approvedEvent]);
        expect(approved).toEqual({ ...created, status: 'approved', decidedAt: at(10), etag: expect.any(String) });
        expect(approved.etag).not.toBe(created.etag);
        expect(await store.senderIds.get(a.id, created.id)).toEqual(approved);
        expect(await store.outbox.get(a.id, approvedEvent.id)).toEqual(approvedEvent);

        const lateEvent = makeEvent({ accountId: a.id, type: 'sender_id.rejected' });
        await expect(store.senderIds.update({ ...created, status: 'rejected', reason: 'late' }, [lateEvent])).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.senderIds.get(a.id, created.id)).toEqual(approved);
        expect(await store.outbox.get(a.id, lateEvent.id)).toBeNull();
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('virtual numbers', () => {
      it('create, list per account and findByNumber across accounts', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const v1 = makeVirtualNumber({ accountId: a.id, label: 'Support line' });
        const v2 = makeVirtualNumber({ accountId: a.id, capabilities: ['sms', 'mms'] });
        const v3 = makeVirtualNumber({ accountId: b.id });
        expect(await store.virtualNumbers.create(v1)).toEqual(v1);
        await store.virtualNumbers.create(v2);
        await store.virtualNumbers.create(v3);

        const listed = await store.virtualNumbers.list(a.id);
        expect(sortedIds(listed)).toEqual(sortedIds([v1, v2]));
        expect(listed.find((v) => v.id === v2.id)).toEqual(v2);
        expect(await store.virtualNumbers.list(b.id)).toEqual([v3]);
        expect(await store.virtualNumbers.findByNumber(v1.number)).toEqual(v1);
        expect(await store.virtualNumbers.findByNumber(v3.number)).toEqual(v3);
        expect(await store.virtualNumbers.findByNumber('+19990000000')).toBeNull();
      });

      it('rejects a number assigned already, to any account, and keeps the first assignment', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const first = makeVirtualNumber({ accountId: a.id });
        await store.virtualNumbers.create(first);
        await expect(store.virtualNumbers.create(makeVirtualNumber({ accountId: b.id, number: first.number }))).rejects.toBeInstanceOf(DuplicateError);
        await expect(store.virtualNumbers.create(makeVirtualNumber({ accountId: a.id, number: first.number }))).rejects.toBeInstanceOf(DuplicateError);
        expect(await store.virtualNumbers.findByNumber(first.number)).toEqual(first);
        expect(await store.virtualNumbers.list(b.id)).toEqual([]);
        expect(await store.virtualNumbers.list(a.id)).toEqual([first]);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('opt-outs', () => {
      const optOut = (accountId: string, phone: string, source: 'keyword' | 'api' = 'keyword') => ({ accountId, phone, source, keyword: source === 'keyword' ? 'STOP' : null, createdAt: at(1_000) });

      it('add, get, refresh by adding again, remove; scoped to the account', async () => {
        const a = await newAccount();
        const b = await newAccount();
        expect(await store.optOuts.get(a.id, '+14155550101')).toBeNull();
        await store.optOuts.add(optOut(a.id, '+14155550101'));
        expect(await store.optOuts.get(a.id, '+14155550101')).toEqual(optOut(a.id, '+14155550101'));
        expect(await store.optOuts.get(b.id, '+14155550101')).toBeNull();
        await store.optOuts.add(optOut(a.id, '+14155550101', 'api'));
        expect((await store.optOuts.list(a.id, { limit: 10 })).items).toEqual([optOut(a.id, '+14155550101', 'api')]);
        expect(await store.optOuts.remove(b.id, '+14155550101')).toBe(false);
        expect(await store.optOuts.remove(a.id, '+14155550101')).toBe(true);
        expect(await store.optOuts.remove(a.id, '+14155550101')).toBe(false);
        expect(await store.optOuts.get(a.id, '+14155550101')).toBeNull();
      });

      it('list pages by phone and visits every opt-out once', async () => {
        const a = await newAccount();
        const phones = ['+14155550105', '+14155550101', '+447400123456', '+14155550103', '+919999999999'];
        for (const p of phones) await store.optOuts.add(optOut(a.id, p));
        const seen: string[] = [];
        let token: string | undefined;
        do {
          const page = await store.optOuts.list(a.id, { limit: 2, continuationToken: token });
          expect(page.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.items.map((o) => o.phone));
          token = page.continuationToken ?? undefined;
        } while (token);
        expect(seen).toEqual([...phones].sort());
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('keyword rules', () => {
      const keywordRule = (accountId: string, overrides: Partial<KeywordRule> = {}): KeywordRule => ({
        id: uniqueId('kw'),
        accountId,
        keyword: 'Hours',
        matchType: 'exact',
        virtualNumber: null,
        reply: 'We are open {{day|every day}} 9-17',
        active: true,
        createdAt: at(1_000),
        updatedAt: at(1_000),
        ...overrides,
      });

      it('create returns the rule with an etag; get and list read it back, scoped to the account', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const rule = keywordRule(a.id);
        const created = await store.keywordRules.create(rule);
        expect(created).toEqual({ ...rule, etag: expect.any(String) });
        expect(await store.keywordRules.get(a.id, rule.id)).toEqual(created);
        expect(await store.keywordRules.get(b.id, rule.id)).toBeNull();
        expect(await store.keywordRules.get(a.id, uniqueId('kw'))).toBeNull();
        expect(await store.keywordRules.list(a.id)).toEqual([created]);
        expect(await store.keywordRules.list(b.id)).toEqual([]);
      });

      it('refuses a second rule with the same keyword (ignoring case and spacing), match type and number; any of them differing is another rule', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const first = await store.keywordRules.create(keywordRule(a.id, { keyword: 'Opening Hours', virtualNumber: '+14155550100' }));
        await expect(store.keywordRules.create(keywordRule(a.id, { keyword: 'opening  HOURS', virtualNumber: '+14155550100' }))).rejects.toBeInstanceOf(DuplicateError);
        await expect(store.keywordRules.create(keywordRule(a.id, { id: first.id, keyword: 'Other' }))).rejects.toBeInstanceOf(DuplicateError);
        const others = [
          keywordRule(a.id, { keyword: 'Opening Hours', virtualNumber: '+14155550100', matchType: 'contains' }),
          keywordRule(a.id, { keyword: 'Opening Hours', virtualNumber: null }),
          keywordRule(a.id, { keyword: 'Opening Hours', virtualNumber: '+14155550199' }),
          keywordRule(a.id, { keyword: 'Opening', virtualNumber: '+14155550100' }),
          keywordRule(b.id, { keyword: 'Opening Hours', virtualNumber: '+14155550100' }),
        ];
        for (const r of others) await store.keywordRules.create(r);
        expect(sortedIds(await store.keywordRules.list(a.id))).toEqual(sortedIds([first, ...others.slice(0, 4)]));
        expect(await store.keywordRules.get(a.id, first.id)).toEqual(first);
      });

      it('list is oldest first (createdAt, then id)', async () => {
        const a = await newAccount();
        const late = keywordRule(a.id, { keyword: 'late', createdAt: at(3_000) });
        const early = keywordRule(a.id, { keyword: 'early', createdAt: at(1_000) });
        const twinB = keywordRule(a.id, { keyword: 'twin b', createdAt: at(2_000), id: `kw_b${uniqueSuffix()}` });
        const twinA = keywordRule(a.id, { keyword: 'twin a', createdAt: at(2_000), id: `kw_a${uniqueSuffix()}` });
        for (const r of [late, twinB, early, twinA]) await store.keywordRules.create(r);
        expect(ids(await store.keywordRules.list(a.id))).toEqual([early.id, twinA.id, twinB.id, late.id]);
      });

      it('update replaces when the etag matches, moves the uniqueness key, and refuses a stale etag or a taken key', async () => {
        const a = await newAccount();
        const hours = await store.keywordRules.create(keywordRule(a.id, { keyword: 'Hours' }));
        const price = await store.keywordRules.create(keywordRule(a.id, { keyword: 'Price' }));
        const renamed = await store.keywordRules.update({ ...hours, keyword: 'Times', reply: null, active: false, updatedAt: at(5_000) });
        expect(renamed).toEqual({ ...hours, keyword: 'Times', reply: null, active: false, updatedAt: at(5_000), etag: expect.any(String) });
        expect(renamed.etag).not.toBe(hours.etag);
        expect(await store.keywordRules.get(a.id, hours.id)).toEqual(renamed);
        await expect(store.keywordRules.update({ ...hours, reply: 'stale' })).rejects.toBeInstanceOf(ConcurrencyError);
        await expect(store.keywordRules.update({ ...renamed, keyword: 'PRICE' })).rejects.toBeInstanceOf(DuplicateError);
        expect(await store.keywordRules.get(a.id, hours.id)).toEqual(renamed);
        // The old key is free again; the new one is taken.
        await store.keywordRules.create(keywordRule(a.id, { keyword: 'hours' }));
        await expect(store.keywordRules.create(keywordRule(a.id, { keyword: 'times' }))).rejects.toBeInstanceOf(DuplicateError);
        // Same key, other fields: no key move.
        const reworded = await store.keywordRules.update({ ...price, keyword: 'price', matchType: 'exact' });
        expect(reworded.keyword).toBe('price');
      });

      it('delete removes the rule and frees its key; another account cannot delete it', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const rule = await store.keywordRules.create(keywordRule(a.id));
        expect(await store.keywordRules.delete(b.id, rule.id)).toBe(false);
        expect(await store.keywordRules.get(a.id, rule.id)).toEqual(rule);
        expect(await store.keywordRules.delete(a.id, rule.id)).toBe(true);
        expect(await store.keywordRules.delete(a.id, rule.id)).toBe(false);
        expect(await store.keywordRules.get(a.id, rule.id)).toBeNull();
        expect(await store.keywordRules.list(a.id)).toEqual([]);
        await expect(store.keywordRules.create(keywordRule(a.id))).resolves.toMatchObject({ keyword: 'Hours' });
      });

      it('of two concurrent creates with the same key, exactly one wins', async () => {
        const a = await newAccount();
        const results = await Promise.allSettled([store.keywordRules.create(keywordRule(a.id)), store.keywordRules.create(keywordRule(a.id, { keyword: 'HOURS' }))]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(rejected.reason).toBeInstanceOf(DuplicateError);
        expect(await store.keywordRules.list(a.id)).toHaveLength(1);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('campaigns', () => {
      /** Newest first: createdAt descending, then id descending. */
      const newestCampaignsFirst = (a: Campaign, b: Campaign): number =>
        a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

      it('create returns the record with an etag; get reads it back, scoped to the account', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const campaign = makeCampaign({
          accountId: a.id,
          kind: 'trigger',
          status: 'paused',
          groupIds: [],
          trigger: { phoneField: 'customer.phone', attributes: [{ name: 'order', field: 'order.id', type: 'string', required: true }] },
          taskRef: { queue: 'campaign', id: 'task_1' },
        });
        const created = await store.campaigns.create(campaign);
        expect(created).toEqual({ ...campaign, etag: expect.any(String) });
        expect(await store.campaigns.get(a.id, campaign.id)).toEqual(created);
        expect(await store.campaigns.get(b.id, campaign.id)).toBeNull();
        expect(await store.campaigns.get(a.id, uniqueId('cmp'))).toBeNull();
        await expect(store.campaigns.create(makeCampaign({ id: campaign.id, accountId: a.id }))).rejects.toBeInstanceOf(DuplicateError);
        expect(await store.campaigns.get(a.id, campaign.id)).toEqual(created);
      });

      it('list is newest first (createdAt, then id), filters by kind and status, and sees only the account', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const stored: Campaign[] = [];
        const specs: Partial<Campaign>[] = [
          { createdAt: at(3_000), kind: 'bulk', status: 'draft' },
          { createdAt: at(1_000), kind: 'bulk', status: 'sending' },
          { createdAt: at(2_000), kind: 'trigger', status: 'active' },
          { createdAt: at(2_000), kind: 'bulk', status: 'draft' },
          { createdAt: at(5_000), kind: 'trigger', status: 'paused' },
          { createdAt: at(2_000), kind: 'bulk', status: 'sending' },
        ];
        for (const spec of specs) stored.push(await store.campaigns.create(makeCampaign({ accountId: a.id, ...spec })));
        await store.campaigns.create(makeCampaign({ accountId: b.id, createdAt: at(4_000) }));
        const list = async (filter: CampaignFilter) => (await store.campaigns.list(a.id, filter, { limit: 50 })).items;
        const expected = (keep: (c: Campaign) => boolean) => stored.filter(keep).sort(newestCampaignsFirst);

        const all = await list({});
        expect(all).toEqual(expected(() => true));
        expect(ids(await list({ kind: 'bulk' }))).toEqual(ids(expected((c) => c.kind === 'bulk')));
        expect(ids(await list({ kind: 'trigger' }))).toEqual(ids(expected((c) => c.kind === 'trigger')));
        expect(ids(await list({ status: 'sending' }))).toEqual(ids(expected((c) => c.status === 'sending')));
        expect(ids(await list({ kind: 'bulk', status: 'draft' }))).toEqual(ids(expected((c) => c.kind === 'bulk' && c.status === 'draft')));
        expect(await list({ kind: 'trigger', status: 'draft' })).toEqual([]);
        expect(await list({ status: 'completed' })).toEqual([]);
        expect((await store.campaigns.list(b.id, {}, { limit: 50 })).items).toHaveLength(1);
        expect((await store.campaigns.list((await newAccount()).id, {}, { limit: 50 })).items).toEqual([]);
      });

      it('pages with opaque tokens, each campaign once, in order, within a filter too', async () => {
        const a = await newAccount();
        const stored: Campaign[] = [];
        for (const offset of [1, 2, 2, 2, 3, 4, 4]) {
          stored.push(await store.campaigns.create(makeCampaign({ accountId: a.id, createdAt: at(offset * 1_000), status: offset % 2 === 0 ? 'sent' : 'draft' })));
        }
        const pages = await collectPages((token) => store.campaigns.list(a.id, {}, { limit: 3, ...(token ? { continuationToken: token } : {}) }));
        expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
        expect(pages.flatMap((p) => ids(p.items))).toEqual(ids([...stored].sort(newestCampaignsFirst)));

        const sent = stored.filter((c) => c.status === 'sent').sort(newestCampaignsFirst);
        expect(sent).toHaveLength(5);
        const first = await store.campaigns.list(a.id, { status: 'sent' }, { limit: 2 });
        // Created after the first page and newer than all of it: later pages must not shift.
        await store.campaigns.create(makeCampaign({ accountId: a.id, createdAt: at(60_000), status: 'sent' }));
        const rest = await collectPages((token) =>
          store.campaigns.list(a.id, { status: 'sent' }, { limit: 2, continuationToken: token ?? first.continuationToken ?? '' }),
        );
        expect([...ids(first.items), ...rest.flatMap((p) => ids(p.items))]).toEqual(ids(sent));
      });

      it('returns a null token on a last page that is exactly full', async () => {
        const a = await newAccount();
        for (let i = 0; i < 4; i += 1) await store.campaigns.create(makeCampaign({ accountId: a.id, createdAt: at(i * 1_000) }));
        const first = await store.campaigns.list(a.id, {}, { limit: 2 });
        expect(first.continuationToken).toEqual(expect.any(String));
        const second = await store.campaigns.list(a.id, {}, { limit: 2, continuationToken: first.continuationToken ?? '' });
        expect(second.items).toHaveLength(2);
        expect(second.continuationToken).toBeNull();
      });

      it('rejects a continuation token it did not issue', async () => {
        const a = await newAccount();
        await store.campaigns.create(makeCampaign({ accountId: a.id }));
        for (const token of ['not-a-token', Buffer.from('["only-one"]').toString('base64url'), Buffer.from('{}').toString('base64url')]) {
          await expect(store.campaigns.list(a.id, {}, { limit: 1, continuationToken: token })).rejects.toBeInstanceOf(InvalidContinuationTokenError);
        }
      });

      it('update replaces when the etag matches and appends the events; a stale etag writes neither', async () => {
        const a = await newAccount();
        const created = await store.campaigns.create(makeCampaign({ accountId: a.id }));
        const started = makeEvent({ accountId: a.id, type: 'campaign.started', data: { campaignId: created.id } });
        const next: Campaign = { ...created, status: 'sending', startedAt: at(10), updatedAt: at(10), progress: { recipients: 3, accepted: 0, skipped: 0, costMinor: 0n } };
        const sending = await store.campaigns.update(next, [started]);
        expect(sending).toEqual({ ...next, etag: expect.any(String) });
        expect(sending.etag).not.toBe(created.etag);
        expect(await store.campaigns.get(a.id, created.id)).toEqual(sending);
        expect(await store.outbox.get(a.id, started.id)).toEqual(started);

        const late = makeEvent({ accountId: a.id, type: 'campaign.cancelled' });
        await expect(store.campaigns.update({ ...created, status: 'cancelled', updatedAt: at(20) }, [late])).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.campaigns.get(a.id, created.id)).toEqual(sending);
        expect(await store.outbox.get(a.id, late.id)).toBeNull();

        // The etag an update returns is the current one: the next update goes through with it.
        const sent = await store.campaigns.update({ ...sending, status: 'sent', sendingFinishedAt: at(30), updatedAt: at(30) }, []);
        expect(await store.campaigns.get(a.id, created.id)).toEqual(sent);
        await expect(store.campaigns.update({ ...sending, status: 'failed' }, [])).rejects.toBeInstanceOf(ConcurrencyError);
      });

      it('update writes nothing when an event cannot be appended (one unit of work)', async () => {
        const a = await newAccount();
        const created = await store.campaigns.create(makeCampaign({ accountId: a.id }));
        const existing = makeEvent({ accountId: a.id, type: 'contact.created' });
        await store.outbox.append([existing]);
        const fresh = makeEvent({ accountId: a.id, type: 'campaign.started' });
        const attempt = store.campaigns.update({ ...created, status: 'sending', updatedAt: at(10) }, [fresh, { ...existing, data: { changed: true } }]);
        await expect(attempt).rejects.toBeInstanceOf(DuplicateError);
        expect(await store.campaigns.get(a.id, created.id)).toEqual(created);
        expect(await store.outbox.get(a.id, fresh.id)).toBeNull();
        expect(await store.outbox.get(a.id, existing.id)).toEqual(existing);
        // Nothing was consumed: the same etag still updates.
        await expect(store.campaigns.update({ ...created, status: 'sending', updatedAt: at(11) }, [fresh])).resolves.toMatchObject({ status: 'sending' });
      });

      it('cannot be updated or listed through another account', async () => {
        const owner = await newAccount();
        const intruder = await newAccount();
        const created = await store.campaigns.create(makeCampaign({ accountId: owner.id }));
        const event = makeEvent({ accountId: intruder.id, type: 'campaign.cancelled' });
        await expect(store.campaigns.update({ ...created, accountId: intruder.id, status: 'cancelled' }, [event])).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.campaigns.get(owner.id, created.id)).toEqual(created);
        expect(await store.campaigns.get(intruder.id, created.id)).toBeNull();
        expect(await store.outbox.get(intruder.id, event.id)).toBeNull();
        expect((await store.campaigns.list(intruder.id, {}, { limit: 10 })).items).toEqual([]);
      });

      describe('listInStatus', () => {
        // Times in 2002 so that no campaign of another test (2026) qualifies.
        const bound = '2002-02-01T00:00:00.000Z';
        const in2002 = (s: number) => new Date(Date.UTC(2002, 0, 1, 0, 0, s)).toISOString();
        const byUpdate = (xs: readonly Campaign[]) => [...xs].sort((x, y) => (x.updatedAt < y.updatedAt ? -1 : x.updatedAt > y.updatedAt ? 1 : 0));

        it('finds campaigns in the status last updated before the bound, across accounts, least recently updated first', async () => {
          const a = await newAccount();
          const b = await newAccount();
          const create = (accountId: string, status: CampaignStatus, updatedAt: string) =>
            store.campaigns.create(makeCampaign({ accountId, status, createdAt: in2002(0), updatedAt }));
          const stale = [
            await create(b.id, 'sending', in2002(30)),
            await create(a.id, 'sending', in2002(10)),
            await create(a.id, 'sending', in2002(20)),
          ];
          const others = [
            await create(a.id, 'sending', bound), // not strictly older
            await create(b.id, 'sending', '2002-03-01T00:00:00.000Z'),
            await create(a.id, 'sent', in2002(5)),
          ];

          const found = await store.campaigns.listInStatus('sending', bound, 1_000);
          for (const c of found) {
            expect(c.status).toBe('sending');
            expect(c.updatedAt < bound).toBe(true);
          }
          expect(found.map((c) => c.updatedAt)).toEqual([...found.map((c) => c.updatedAt)].sort());
          const mine = new Set(ids(stale));
          expect(found.filter((c) => mine.has(c.id))).toEqual(byUpdate(stale));
          for (const c of others) expect(ids(found)).not.toContain(c.id);

          const limited = await store.campaigns.listInStatus('sending', bound, 2);
          expect(limited).toHaveLength(2);
          expect(limited).toEqual(found.slice(0, 2));

          // An update moves a campaign past the bound (or out of the status): it drops out.
          const [oldest] = byUpdate(stale);
          await store.campaigns.update({ ...oldest!, updatedAt: at(1) }, []);
          expect(ids(await store.campaigns.listInStatus('sending', bound, 1_000))).not.toContain(oldest!.id);
          expect(ids(await store.campaigns.listInStatus('sent', bound, 1_000))).toContain(others[2]!.id);
        });

        it('pages on from an update time, inclusive', async () => {
          const a = await newAccount();
          const made: Campaign[] = [];
          for (const s of [40, 41, 41, 42]) made.push(await store.campaigns.create(makeCampaign({ accountId: a.id, status: 'scheduled', createdAt: in2002(0), updatedAt: in2002(s) })));
          const mine = (xs: readonly Campaign[]) => xs.filter((c) => ids(made).includes(c.id));
          const from41 = mine(await store.campaigns.listInStatus('scheduled', bound, 1_000, in2002(41)));
          expect(from41.map((c) => c.updatedAt)).toEqual([in2002(41), in2002(41), in2002(42)]);
          expect(mine(await store.campaigns.listInStatus('scheduled', bound, 1_000, in2002(43)))).toEqual([]);
          expect(mine(await store.campaigns.listInStatus('scheduled', bound, 1_000))).toHaveLength(4);
        });
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('messages of campaigns', () => {
      it('store the campaign id: round trip through accept, transition and get', async () => {
        const a = await newAccount();
        const campaignId = uniqueId('cmp');
        const message = await seedMessage(a.id, { campaignId });
        expect(message.campaignId).toBe(campaignId);
        expect(await store.messages.get(a.id, message.id)).toEqual(message);
        const { message: sent } = await store.messages.transition({ ...message, status: 'sent', updatedAt: at(1) }, 0n, () => []);
        expect(await store.messages.get(a.id, message.id)).toEqual(sent);
        expect(sent.campaignId).toBe(campaignId);

        const alone = await seedMessage(a.id, { campaignId: null });
        expect((await store.messages.get(a.id, alone.id))?.campaignId).toBeNull();
        const plain = await seedMessage(a.id);
        expect(await store.messages.get(a.id, plain.id)).not.toHaveProperty('campaignId');
      });

      it('list filters by campaign, newest first, combined with other filters, paged, within the account', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const [c1, c2] = [uniqueId('cmp'), uniqueId('cmp')];
        const ofC1: Message[] = [];
        for (const [offset, status] of [[3, 'sent'], [1, 'queued'], [2, 'sent'], [2, 'delivered'], [5, 'sent']] as const) {
          ofC1.push(await seedMessage(a.id, { campaignId: c1, createdAt: at(offset * 1_000), status }));
        }
        await seedMessage(a.id, { campaignId: c2, createdAt: at(4_000) });
        await seedMessage(a.id, { createdAt: at(4_000) });
        await seedMessage(b.id, { campaignId: c1, createdAt: at(4_000) });
        const list = async (filter: MessageFilter) => ids((await store.messages.list(a.id, filter, { limit: 50 })).items);

        expect(await list({ campaignId: c1 })).toEqual(ids([...ofC1].sort(newestFirst)));
        expect(await list({ campaignId: c1, status: 'sent' })).toEqual(ids(ofC1.filter((m) => m.status === 'sent').sort(newestFirst)));
        expect(await list({ campaignId: c1, since: at(2_000), until: at(5_000) })).toEqual(
          ids(ofC1.filter((m) => m.createdAt >= at(2_000) && m.createdAt < at(5_000)).sort(newestFirst)),
        );
        expect(await list({ campaignId: c2 })).toHaveLength(1);
        expect(await list({ campaignId: uniqueId('cmp') })).toEqual([]);
        expect(await list({})).toHaveLength(7);

        const pages = await collectPages((token) => store.messages.list(a.id, { campaignId: c1 }, { limit: 2, ...(token ? { continuationToken: token } : {}) }));
        expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
        expect(pages.flatMap((p) => ids(p.items))).toEqual(ids([...ofC1].sort(newestFirst)));
      });

      it('countByStatus counts the matching messages by status, every status present', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const [c1, c2] = [uniqueId('cmp'), uniqueId('cmp')];
        const statuses = ['queued', 'sent', 'sent', 'delivered', 'delivered', 'delivered', 'failed'] as const;
        const seeded: Message[] = [];
        for (const [i, status] of statuses.entries()) seeded.push(await seedMessage(a.id, { campaignId: c1, status, createdAt: at(i * 1_000) }));
        // A status change is counted where the message is now.
        await store.messages.transition({ ...seeded[0]!, status: 'undelivered', updatedAt: at(60_000) }, 0n, () => []);
        await seedMessage(a.id, { campaignId: c2, status: 'sent' });
        await seedMessage(a.id, { status: 'cancelled' });
        await seedMessage(b.id, { campaignId: c1, status: 'failed' });
        const zero = { queued: 0, scheduled: 0, sent: 0, delivered: 0, undelivered: 0, failed: 0, cancelled: 0 };

        expect(await store.messages.countByStatus(a.id, { campaignId: c1 })).toStrictEqual({ ...zero, sent: 2, delivered: 3, undelivered: 1, failed: 1 });
        expect(await store.messages.countByStatus(a.id, { campaignId: c2 })).toStrictEqual({ ...zero, sent: 1 });
        expect(await store.messages.countByStatus(a.id, {})).toStrictEqual({ ...zero, sent: 3, delivered: 3, undelivered: 1, failed: 1, cancelled: 1 });
        expect(await store.messages.countByStatus(a.id, { campaignId: c1, status: 'delivered' })).toStrictEqual({ ...zero, delivered: 3 });
        expect(await store.messages.countByStatus(a.id, { campaignId: c1, since: at(3_000) })).toStrictEqual({ ...zero, delivered: 3, failed: 1 });
        expect(await store.messages.countByStatus(b.id, { campaignId: c1 })).toStrictEqual({ ...zero, failed: 1 });
        expect(await store.messages.countByStatus(a.id, { campaignId: uniqueId('cmp') })).toStrictEqual(zero);
        expect(await store.messages.countByStatus((await newAccount()).id, {})).toStrictEqual(zero);
      });
    });

    // -------------------------------------------------------------------------------------------
    describe('contacts and groups', () => {
      let phoneCounter = 0;
      /** A fresh E.164 number per call, so tests sharing the suite's store never collide. */
      const freshPhone = () => `+1415${String(Date.now() % 1_000).padStart(3, '0')}${String((phoneCounter += 1)).padStart(4, '0')}`;
      const makeContact = (overrides: Partial<Contact> & { accountId: string }): Contact => ({
        id: uniqueId('ctc'),
        phone: freshPhone(),
        firstName: 'Ada',
        lastName: null,
        email: null,
        customFields: { plan: 'gold' },
        groupIds: [],
        createdAt: at(0),
        updatedAt: at(0),
        ...overrides,
      });
      const makeGroup = (overrides: Partial<ContactGroup> & { accountId: string }): ContactGroup => ({
        id: uniqueId('grp'),
        name: `Group ${uniqueId('g')}`,
        description: null,
        createdAt: at(0),
        updatedAt: at(0),
        ...overrides,
      });
      const contactEvent = (accountId: string, type = 'contact.added') => makeEvent({ accountId, type });
      const allPages = async (accountId: string, filter: ContactFilter, limit: number) =>
        (await collectPages((token) => store.contacts.list(accountId, filter, { limit, continuationToken: token }))).flatMap((p) => {
          expect(p.items.length).toBeLessThanOrEqual(limit);
          return p.items;
        });

      it('create stores the contact with its events; get and findByPhone read it back, scoped to the account', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const contact = makeContact({ accountId: a.id, groupIds: ['grp_a', 'grp_b'] });
        const added = contactEvent(a.id);
        const created = await store.contacts.create(contact, [added]);
        expect(created).toEqual({ ...contact, etag: expect.any(String) });
        expect(await store.contacts.get(a.id, contact.id)).toEqual(created);
        expect(await store.contacts.findByPhone(a.id, contact.phone)).toEqual(created);
        expect(await store.outbox.get(a.id, added.id)).toEqual(added);

        expect(await store.contacts.get(b.id, contact.id)).toBeNull();
        expect(await store.contacts.findByPhone(b.id, contact.phone)).toBeNull();
        expect((await store.contacts.list(b.id, {}, { limit: 10 })).items).toEqual([]);
        expect(await store.contacts.count(b.id, {})).toBe(0);
        expect(await store.contacts.count(b.id, { groupIds: ['grp_a'] })).toBe(0);
        expect(await store.contacts.get(a.id, uniqueId('ctc'))).toBeNull();
        expect(await store.contacts.findByPhone(a.id, freshPhone())).toBeNull();
      });

      it('a phone is unique per account: a second contact with it writes nothing, another account may have it', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const first = await store.contacts.create(makeContact({ accountId: a.id }), []);
        const late = contactEvent(a.id);
        const twin = makeContact({ accountId: a.id, phone: first.phone });
        await expect(store.contacts.create(twin, [late])).rejects.toBeInstanceOf(DuplicateError);
        expect(await store.contacts.get(a.id, twin.id)).toBeNull();
        expect(await store.outbox.get(a.id, late.id)).toBeNull();
        expect(await store.contacts.findByPhone(a.id, first.phone)).toEqual(first);
        await expect(store.contacts.create(makeContact({ accountId: b.id, phone: first.phone }), [])).resolves.toBeDefined();
      });

      it('concurrent creates with one phone: exactly one wins', async () => {
        const a = await newAccount();
        const phone = freshPhone();
        const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => store.contacts.create(makeContact({ accountId: a.id, phone }), [contactEvent(a.id)])));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(DuplicateError);
        expect(await store.contacts.count(a.id, { phone })).toBe(1);
        expect((await store.outbox.listForAccount(a.id, {}, 10)).length).toBe(1);
      });

      it('a duplicate event id fails the create as a whole: no contact, and its phone stays free', async () => {
        const a = await newAccount();
        const existing = contactEvent(a.id);
        await store.outbox.append([existing]);
        const contact = makeContact({ accountId: a.id });
        await expect(store.contacts.create(contact, [{ ...existing }])).rejects.toBeInstanceOf(DuplicateError);
        expect(await store.contacts.get(a.id, contact.id)).toBeNull();
        expect(await store.contacts.findByPhone(a.id, contact.phone)).toBeNull();
        await expect(store.contacts.create(contact, [])).resolves.toBeDefined();
      });

      it('update replaces when the etag matches and appends its events; a stale etag writes nothing', async () => {
        const a = await newAccount();
        const created = await store.contacts.create(makeContact({ accountId: a.id, groupIds: ['grp_x'] }), []);
        const changed = contactEvent(a.id, 'contact.updated');
        const next = { ...created, firstName: 'Grace', customFields: { plan: 'silver', city: 'Oslo' }, groupIds: ['grp_y'], updatedAt: at(5_000) };
        const updated = await store.contacts.update(next, [changed]);
        expect(updated).toEqual({ ...next, etag: expect.any(String) });
        expect(updated.etag).not.toBe(created.etag);
        expect(await store.contacts.get(a.id, created.id)).toEqual(updated);
        expect(await store.outbox.get(a.id, changed.id)).toEqual(changed);
        // Membership follows the update.
        expect(ids(await allPages(a.id, { groupIds: ['grp_x'] }, 10))).toEqual([]);
        expect(ids(await allPages(a.id, { groupIds: ['grp_y'] }, 10))).toEqual([created.id]);

        const lost = contactEvent(a.id, 'contact.updated');
        await expect(store.contacts.update({ ...created, firstName: 'Late' }, [lost])).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.contacts.get(a.id, created.id)).toEqual(updated);
        expect(await store.outbox.get(a.id, lost.id)).toBeNull();
        const { etag: _etag, ...neverRead } = updated;
        await expect(store.contacts.update({ ...neverRead, firstName: 'No etag' }, [])).rejects.toBeInstanceOf(ConcurrencyError);
      });

      it('update moves the phone: a taken phone is refused with nothing written; the old phone becomes free', async () => {
        const a = await newAccount();
        const one = await store.contacts.create(makeContact({ accountId: a.id }), []);
        const two = await store.contacts.create(makeContact({ accountId: a.id }), []);
        const refused = contactEvent(a.id, 'contact.updated');
        await expect(store.contacts.update({ ...two, phone: one.phone }, [refused])).rejects.toBeInstanceOf(DuplicateError);
        expect(await store.contacts.get(a.id, two.id)).toEqual(two);
        expect(await store.outbox.get(a.id, refused.id)).toBeNull();

        const newPhone = freshPhone();
        const moved = await store.contacts.update({ ...two, phone: newPhone }, []);
        expect(await store.contacts.findByPhone(a.id, newPhone)).toEqual(moved);
        expect(await store.contacts.findByPhone(a.id, two.phone)).toBeNull();
        await expect(store.contacts.create(makeContact({ accountId: a.id, phone: two.phone }), [])).resolves.toBeDefined();
        // Concurrent moves onto one phone: one wins.
        const target = freshPhone();
        const [x, y] = [await store.contacts.create(makeContact({ accountId: a.id }), []), await store.contacts.create(makeContact({ accountId: a.id }), [])];
        const outcomes = await Promise.allSettled([store.contacts.update({ ...x, phone: target }, []), store.contacts.update({ ...y, phone: target }, [])]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        expect(await store.contacts.count(a.id, { phone: target })).toBe(1);
      });

      it('delete removes the contact when the etag matches, with its events, and frees the phone', async () => {
        const a = await newAccount();
        const created = await store.contacts.create(makeContact({ accountId: a.id, groupIds: ['grp_d'] }), []);
        const updated = await store.contacts.update({ ...created, lastName: 'Lovelace' }, []);
        const stale = contactEvent(a.id, 'contact.deleted');
        await expect(store.contacts.delete(created, [stale])).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.contacts.get(a.id, created.id)).toEqual(updated);
        expect(await store.outbox.get(a.id, stale.id)).toBeNull();

        const deleted = contactEvent(a.id, 'contact.deleted');
        await store.contacts.delete(updated, [deleted]);
        expect(await store.contacts.get(a.id, created.id)).toBeNull();
        expect(await store.contacts.findByPhone(a.id, created.phone)).toBeNull();
        expect(await store.contacts.count(a.id, { groupIds: ['grp_d'] })).toBe(0);
        expect(await store.outbox.get(a.id, deleted.id)).toEqual(deleted);
        await expect(store.contacts.delete(updated, [])).rejects.toBeInstanceOf(ConcurrencyError);
        await expect(store.contacts.create(makeContact({ accountId: a.id, phone: created.phone }), [])).resolves.toBeDefined();
      });

      it('list pages in id order and visits every contact once; filters by phone; counts', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const stored: Contact[] = [];
        for (let i = 0; i < 7; i += 1) stored.push(await store.contacts.create(makeContact({ accountId: a.id }), []));
        await store.contacts.create(makeContact({ accountId: b.id }), []);
        const byId = [...stored].sort((x, y) => (x.id < y.id ? -1 : 1));

        expect(await allPages(a.id, {}, 3)).toEqual(byId);
        expect(await allPages(a.id, {}, 7)).toEqual(byId);
        const exact = await store.contacts.list(a.id, {}, { limit: 7 });
        expect(exact.continuationToken).toBeNull();
        expect(await store.contacts.count(a.id, {})).toBe(7);
        expect((await store.contacts.list(a.id, { phone: stored[2]!.phone }, { limit: 10 })).items).toEqual([stored[2]]);
        expect(await store.contacts.count(a.id, { phone: stored[2]!.phone })).toBe(1);
        expect(await store.contacts.count(a.id, { phone: freshPhone() })).toBe(0);
        await expect(store.contacts.list(a.id, {}, { limit: 2, continuationToken: 'not-a-token' })).rejects.toBeInstanceOf(InvalidContinuationTokenError);
      });

      it('the group filter over several groups returns each contact once, pages, and counts members', async () => {
        const a = await newAccount();
        const g1 = uniqueId('grp');
        const g2 = uniqueId('grp');
        const g3 = uniqueId('grp');
        const specs = [[g1], [g1, g2], [g2], [], [g3], [g1, g2, g3], [g2, g3], [g1]];
        const stored: Contact[] = [];
        for (const groupIds of specs) stored.push(await store.contacts.create(makeContact({ accountId: a.id, groupIds: [...groupIds].sort() }), []));
        const expected = (wanted: string[]) => stored.filter((c) => c.groupIds.some((g) => wanted.includes(g))).sort((x, y) => (x.id < y.id ? -1 : 1));

        for (const limit of [1, 2, 3, 10]) {
          const items = await allPages(a.id, { groupIds: [g1, g2] }, limit);
          expect(ids(items)).toEqual(ids(expected([g1, g2])));
          expect(new Set(ids(items)).size).toBe(items.length);
        }
        expect(await allPages(a.id, { groupIds: [g3] }, 2)).toEqual(expected([g3]));
        expect(await allPages(a.id, { groupIds: [g1, g2, g3, g1] }, 4)).toEqual(expected([g1, g2, g3]));
        expect(await store.contacts.count(a.id, { groupIds: [g1] })).toBe(expected([g1]).length);
        expect(await store.contacts.count(a.id, { groupIds: [g1, g2] })).toBe(expected([g1, g2]).length);
        expect(await store.contacts.count(a.id, { groupIds: [g1, g2, g3] })).toBe(7);
        expect(await store.contacts.count(a.id, { groupIds: [uniqueId('grp')] })).toBe(0);
        expect(await store.contacts.count(a.id, { groupIds: [] })).toBe(0);
        expect((await store.contacts.list(a.id, { groupIds: [] }, { limit: 10 })).items).toEqual([]);
        // Phone and groups together.
        expect((await store.contacts.list(a.id, { phone: stored[4]!.phone, groupIds: [g3] }, { limit: 5 })).items).toEqual([stored[4]]);
        expect((await store.contacts.list(a.id, { phone: stored[4]!.phone, groupIds: [g1] }, { limit: 5 })).items).toEqual([]);
      });

      it('groups: create, get, list by name ignoring case, scoped to the account', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const zeta = await store.groups.create(makeGroup({ accountId: a.id, name: 'zeta' }));
        const alpha = await store.groups.create(makeGroup({ accountId: a.id, name: 'Alpha', description: 'First' }));
        const mid = await store.groups.create(makeGroup({ accountId: a.id, name: 'beta' }));
        expect(alpha).toEqual({ ...alpha, etag: expect.any(String) });
        expect(await store.groups.get(a.id, alpha.id)).toEqual(alpha);
        expect(await store.groups.get(b.id, alpha.id)).toBeNull();
        expect(await store.groups.list(a.id)).toEqual([alpha, mid, zeta]);
        expect(await store.groups.list(b.id)).toEqual([]);
        // Same name in another account is fine.
        await expect(store.groups.create(makeGroup({ accountId: b.id, name: 'Alpha' }))).resolves.toBeDefined();
      });

      it('group names are unique per account ignoring case, also under concurrency', async () => {
        const a = await newAccount();
        const vip = await store.groups.create(makeGroup({ accountId: a.id, name: 'VIP' }));
        await expect(store.groups.create(makeGroup({ accountId: a.id, name: 'vip' }))).rejects.toBeInstanceOf(DuplicateError);
        await expect(store.groups.create(makeGroup({ accountId: a.id, name: 'ＶＩＰ' }))).rejects.toBeInstanceOf(DuplicateError);
        expect(await store.groups.list(a.id)).toEqual([vip]);
        const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => store.groups.create(makeGroup({ accountId: a.id, name: 'Newsletter' }))));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(DuplicateError);
        expect((await store.groups.list(a.id)).map((g) => g.name)).toEqual(['Newsletter', 'VIP']);
      });

      it('group update checks the etag and the name; a rename frees the old name', async () => {
        const a = await newAccount();
        const one = await store.groups.create(makeGroup({ accountId: a.id, name: 'One' }));
        const two = await store.groups.create(makeGroup({ accountId: a.id, name: 'Two' }));
        await expect(store.groups.update({ ...two, name: 'ONE' })).rejects.toBeInstanceOf(DuplicateError);
        expect(await store.groups.get(a.id, two.id)).toEqual(two);

        const recased = await store.groups.update({ ...one, name: 'one', description: 'lower case now' });
        expect(recased).toEqual({ ...one, name: 'one', description: 'lower case now', etag: expect.any(String) });
        await expect(store.groups.update({ ...one, description: 'stale' })).rejects.toBeInstanceOf(ConcurrencyError);
        const renamed = await store.groups.update({ ...recased, name: 'Uno' });
        expect(await store.groups.get(a.id, one.id)).toEqual(renamed);
        await expect(store.groups.create(makeGroup({ accountId: a.id, name: 'ONE' }))).resolves.toBeDefined();
        await expect(store.groups.create(makeGroup({ accountId: a.id, name: 'uno' }))).rejects.toBeInstanceOf(DuplicateError);
      });

      it('group delete: true once, false after and for another account; the name is free again; members keep the id', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const group = await store.groups.create(makeGroup({ accountId: a.id, name: 'Leaving' }));
        const member = await store.contacts.create(makeContact({ accountId: a.id, groupIds: [group.id] }), []);
        expect(await store.groups.delete(b.id, group.id)).toBe(false);
        expect(await store.groups.delete(a.id, group.id)).toBe(true);
        expect(await store.groups.delete(a.id, group.id)).toBe(false);
        expect(await store.groups.get(a.id, group.id)).toBeNull();
        expect(await store.groups.list(a.id)).toEqual([]);
        expect((await store.contacts.get(a.id, member.id))?.groupIds).toEqual([group.id]);
        await expect(store.groups.create(makeGroup({ accountId: a.id, name: 'leaving' }))).resolves.toBeDefined();
      });
    });

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
  });
}
