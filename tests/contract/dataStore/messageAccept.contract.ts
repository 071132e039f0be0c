/** The DataStore contract, MessageStore.accept and acceptMany: the debit, idempotent replay and events in one unit (run by describeDataStoreContract). */
import type { DomainEvent, Message } from '../../../shared/domain/types';
import {
  DuplicateError,
  InsufficientCreditsError,
  MAX_ACCEPT_MANY,
  MAX_ACCEPT_MANY_EVENTS,
  type BalanceChange,
  type DataStore,
} from '../../../shared/ports/stores';
import { formatMinor } from '../../../shared/domain/money';
import { makeEvent, makeMessage, uniqueId, uniqueSuffix } from '../../fixtures/records';
import { sortedIds, type StoreHarness } from './harness';

export function describeMessageAcceptContract(t: StoreHarness): void {
  let store: DataStore;
  beforeAll(() => {
    store = t.store;
  });
  const { newAccount, balanceOf, acceptedEvents } = t;

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
      expect(accepted.map((o) => o.balance.after).sort((x, y) => Number(x - y))).toEqual([
        0n,
        100n,
        200n,
        300n,
        400n,
        500n,
        600n,
        700n,
        800n,
        900n,
      ]);

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
      Array.from({ length: n }, (_, i) =>
        makeMessage({
          accountId,
          idempotencyKey: `${prefix}:${i}`,
          cost: { amount: formatMinor(cost), currency: 'USD', segments: 1, unitPrice: formatMinor(cost) },
        }),
      );

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
      await refused(
        store.messages.acceptMany(chunkOf(other.id, MAX_ACCEPT_MANY + 1, 10n), () => []),
        RangeError,
      );
      await refused(
        store.messages.acceptMany([], () => []),
        RangeError,
      );
      await refused(
        store.messages.acceptMany(chunkOf(other.id, 2, 10n), () =>
          Array.from({ length: MAX_ACCEPT_MANY_EVENTS + 1 }, () => makeEvent({ accountId: other.id })),
        ),
        RangeError,
      );
      await refused(
        store.messages.acceptMany([...chunkOf(other.id, 1, 10n), makeMessage({ accountId: other.id })], () => []),
        TypeError,
      );
      await refused(
        store.messages.acceptMany([...chunkOf(other.id, 1, 10n), ...chunkOf(account.id, 1, 10n)], () => []),
        TypeError,
      );
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
      const [a, b] = await Promise.all([
        store.messages.acceptMany(chunk, chunkEvents(account.id, [])),
        store.messages.acceptMany(twin, chunkEvents(account.id, [])),
      ]);
      const inserted = [...a.results, ...b.results].filter((r) => !r.replayed);
      expect(inserted).toHaveLength(5);
      expect(a.results.map((r) => r.message.id)).toEqual(b.results.map((r) => r.message.id));
      expect(await balanceOf(account.id)).toBe(9_500n);
      expect((await store.messages.list(account.id, {}, { limit: 20 })).items).toHaveLength(5);
      expect(await store.outbox.listForAccount(account.id, {}, 10)).toHaveLength(1);
    });
  });
}
