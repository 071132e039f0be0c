import type { Account, DomainEvent } from '../../domain/types';
import { MAX_BALANCE_MINOR } from '../../domain/money';
import { accountFromStored, accountToStored } from '../../ports/storedMoney';
import {
  BalanceLimitError,
  ConcurrencyError,
  DuplicateError,
  InsufficientCreditsError,
  type AccountStore,
  type BalanceChange,
} from '../../ports/stores';
import { groupCommitFor, migrate, type Db } from './database';
import { docOf, isUniqueViolation, newEtag, parse, type Row } from './rows';

export const ACCOUNT_MIGRATIONS = [
  `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    api_key_hash TEXT NOT NULL UNIQUE,
    balance INTEGER NOT NULL,
    etag TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  `,
];

/** The balance column, read and moved inside a caller's write (the message store debits and refunds). */
export interface SqliteBalances {
  balanceOf(accountId: string): bigint | null;
  /** Adds `delta` (negative to debit) without a check; throws ConcurrencyError when the account is gone. */
  adjust(accountId: string, delta: bigint): BalanceChange;
}

type AccountRow = Row & { balance: bigint };

/** Accounts in the embedded database: the document as JSON, the balance in its own INTEGER column. */
export function createSqliteAccounts(
  db: Db,
  appendEvents: (events: DomainEvent[]) => void,
): { store: AccountStore; balances: SqliteBalances } {
  migrate(db, ACCOUNT_MIGRATIONS, 'accounts');
  const gc = groupCommitFor(db);
  const st = {
    insert: db.prepare('INSERT INTO accounts (id, api_key_hash, balance, etag, doc) VALUES (?, ?, ?, ?, ?)'),
    // The balance column is a 64-bit INTEGER of minor units (the most it holds, about 9.2e18, is far
    // past MAX_BALANCE_MINOR): read as bigint (safeIntegers), never as a double.
    get: db.prepare<[string]>('SELECT doc, etag, balance FROM accounts WHERE id = ?').safeIntegers(true),
    byKey: db.prepare<[string]>('SELECT doc, etag, balance FROM accounts WHERE api_key_hash = ?').safeIntegers(true),
    update: db.prepare('UPDATE accounts SET api_key_hash = ?, etag = ?, doc = ? WHERE id = ? AND etag = ?'),
    balance: db.prepare<[string]>('SELECT balance FROM accounts WHERE id = ?').safeIntegers(true),
    adjust: db.prepare('UPDATE accounts SET balance = balance + ? WHERE id = ?'),
    list: db.prepare('SELECT doc, etag, balance FROM accounts WHERE id > ? ORDER BY id LIMIT ?').safeIntegers(true),
  };

  /** The document's amounts (old numbers or integer strings), with the balance from its own column. */
  const accountOf = (row: AccountRow | undefined): Account | null => {
    const doc = parse<Account>(row);
    if (!doc || !row) return null;
    return { ...accountFromStored(doc as unknown as Record<string, unknown>), balance: row.balance };
  };
  const accountDocOf = (account: Account): string => docOf(accountToStored(account));

  const balanceOf = (accountId: string): bigint | null => (st.balance.get(accountId) as { balance: bigint } | undefined)?.balance ?? null;

  const adjust = (accountId: string, delta: bigint): BalanceChange => {
    const before = balanceOf(accountId);
    if (before === null) throw new ConcurrencyError(`account ${accountId}`);
    st.adjust.run(delta, accountId);
    return { before, after: before + delta };
  };

  const store: AccountStore = {
    async create(account) {
      const etag = newEtag();
      try {
        await gc.run(() => st.insert.run(account.id, account.apiKeyHash, account.balance, etag, accountDocOf(account)));
      } catch (err) {
        if (isUniqueViolation(err)) throw new DuplicateError(`account ${account.id}`);
        throw err;
      }
      return { ...account, etag };
    },
    async get(accountId) {
      return accountOf(st.get.get(accountId) as AccountRow | undefined);
    },
    async findByApiKeyHash(hash) {
      return accountOf(st.byKey.get(hash) as AccountRow | undefined);
    },
    async update(account, events = []) {
      const etag = newEtag();
      // The balance column is owned by credit/accept/transition; settings updates never overwrite it.
      return gc.run(() => {
        const changed = st.update.run(account.apiKeyHash, etag, accountDocOf(account), account.id, account.etag ?? '').changes;
        if (changed === 0) throw new ConcurrencyError(`account ${account.id}`);
        try {
          appendEvents(events);
        } catch (err) {
          if (isUniqueViolation(err)) throw new DuplicateError(`event in ${events.map((e) => e.id).join(', ')}`);
          throw err;
        }
        return { ...account, balance: balanceOf(account.id) ?? account.balance, etag };
      });
    },
    async credit(accountId, amount, allowNegative = false) {
      return gc.run(() => {
        const before = balanceOf(accountId);
        if (before === null) throw new ConcurrencyError(`account ${accountId}`);
        const after = before + amount;
        if (amount < 0n && after < 0n && !allowNegative) throw new InsufficientCreditsError(before, -amount);
        if (amount > 0n && after > MAX_BALANCE_MINOR) throw new BalanceLimitError(before, amount);
        return adjust(accountId, amount);
      });
    },
    async list(page) {
      const after = page.continuationToken ? Buffer.from(page.continuationToken, 'base64url').toString('utf8') : '';
      const rows = st.list.all(after, page.limit + 1) as AccountRow[];
      const items = rows.slice(0, page.limit).map((r) => accountOf(r)!);
      const more = rows.length > page.limit;
      return { items, continuationToken: more ? Buffer.from(items[items.length - 1]!.id).toString('base64url') : null };
    },
  };

  return { store, balances: { balanceOf, adjust } };
}
