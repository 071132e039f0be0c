import type { Account, DomainEvent, Message } from '../../../shared/domain/types';
import type { BalanceChange, DataStore, Page } from '../../../shared/ports/stores';
import { makeAccount, makeEvent, makeMessage } from '../../fixtures/records';

export interface DataStoreUnderTest {
  store: DataStore;
  cleanup: () => Promise<void>;
}

/** Newest first: createdAt descending, then id descending (plain string order). */
export function newestFirst(a: Message, b: Message): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export const ids = (items: readonly { id: string }[]): string[] => items.map((i) => i.id);
export const sortedIds = (items: readonly { id: string }[]): string[] => ids(items).sort();

export async function collectPages<T>(fetch: (token: string | undefined) => Promise<Page<T>>, maxPages = 1000): Promise<Page<T>[]> {
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

/** The store under test (set once the suite's beforeAll opened it) and the helpers every part shares. */
export interface StoreHarness {
  readonly store: DataStore;
  newAccount(overrides?: Partial<Account>): Promise<Account>;
  balanceOf(accountId: string): Promise<bigint>;
  /** Stores a message through the only door there is, with a small debit and no events. */
  seedMessage(accountId: string, overrides?: Partial<Message>): Promise<Message>;
  acceptedEvents(accountId: string, messageId: string, seen?: BalanceChange[]): (balance: BalanceChange) => DomainEvent[];
  drainOutbox(): Promise<void>;
}

/**
 * Opens one store for the enclosing describe (one in-process Cosmos DB server for the whole suite,
 * not one per part) and closes it after.
 */
export function useStoreUnderTest(open: () => Promise<DataStoreUnderTest>): StoreHarness {
  let store: DataStore | undefined;
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

  const opened = (): DataStore => {
    if (!store) throw new Error('the store is opened in beforeAll: use it inside a test or hook');
    return store;
  };

  const harness: StoreHarness = {
    get store() {
      return opened();
    },
    newAccount: (overrides = {}) => opened().accounts.create(makeAccount(overrides)),
    async balanceOf(accountId) {
      const account = await opened().accounts.get(accountId);
      if (!account) throw new Error(`account ${accountId} vanished`);
      return account.balance;
    },
    async seedMessage(accountId, overrides = {}) {
      const { message } = await opened().messages.accept(makeMessage({ accountId, ...overrides }), 1n, () => []);
      return message;
    },
    acceptedEvents(accountId, messageId, seen) {
      return (balance) => {
        seen?.push(balance);
        return [
          makeEvent({
            accountId,
            type: 'message.accepted',
            data: { messageId, before: Number(balance.before), after: Number(balance.after) },
          }),
        ];
      };
    },
    async drainOutbox() {
      for (let round = 0; round < 100; round += 1) {
        const batch = await opened().outbox.pending(500);
        if (batch.length === 0) return;
        await opened().outbox.markDispatched(batch.map((e) => e.id));
      }
      throw new Error('the outbox never drained: markDispatched does not remove events from pending');
    },
  };
  return harness;
}
