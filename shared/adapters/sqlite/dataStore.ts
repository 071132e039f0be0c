import type { Account, DomainEvent, Message, MessageStatus, SenderId, SenderIdStatus, VirtualNumber } from '../../domain/types';
import { MAX_BALANCE_MINOR } from '../../domain/money';
import { accountFromStored, accountToStored } from '../../ports/storedMoney';
import {
  BalanceLimitError,
  ConcurrencyError,
  DuplicateError,
  InsufficientCreditsError,
  acceptManyDebits,
  checkAcceptManyEvents,
  type AcceptManyOutcome,
  type AcceptOutcome,
  type BalanceChange,
  type DataStore,
  type MessageFilter,
  type Page,
  type PageRequest,
  type TransitionOutcome,
} from '../../ports/stores';
import type Database from 'better-sqlite3';
import { zeroStatusCounts } from '../../domain/status';
import { createSqliteCampaignStore } from './campaigns';
import { createSqliteContactStores } from './contacts';
import { groupCommitFor, migrate, type Db } from './database';
import { createSqliteKeywordRuleStore } from './keywordRules';
import { createSqliteOptOutStore } from './optOuts';
import { docOf, isUniqueViolation, newEtag, newestFirstPage, parse, type Row } from './rows';
import { createSqliteWebhookStores } from './webhookStores';

/** Exported for the upgrade test, which builds a database as an older release left it. */
export const MIGRATIONS = [
  `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    api_key_hash TEXT NOT NULL UNIQUE,
    balance INTEGER NOT NULL,
    etag TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE TABLE messages (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    status TEXT NOT NULL,
    to_number TEXT NOT NULL,
    from_sender TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    scheduled_for TEXT,
    carrier TEXT NOT NULL,
    carrier_message_id TEXT,
    idempotency_key TEXT,
    etag TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
  ) WITHOUT ROWID;
  CREATE INDEX messages_by_created ON messages (account_id, created_at DESC, id DESC);
  CREATE UNIQUE INDEX messages_by_idempotency ON messages (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
  CREATE UNIQUE INDEX messages_by_carrier_id ON messages (carrier, carrier_message_id) WHERE carrier_message_id IS NOT NULL;
  CREATE INDEX messages_queued ON messages (updated_at) WHERE status = 'queued';
  CREATE INDEX messages_scheduled ON messages (scheduled_for) WHERE status = 'scheduled';
  CREATE TABLE sender_ids (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    value TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    etag TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
  );
  CREATE INDEX sender_ids_by_value ON sender_ids (account_id, value);
  CREATE TABLE virtual_numbers (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
  );
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    type TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    dispatched INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
  );
  CREATE INDEX outbox_pending ON outbox (seq) WHERE dispatched = 0;
  CREATE INDEX outbox_by_account ON outbox (account_id, seq);
  `,
  // Retention deletes by time: these make pruning a range scan instead of a table scan.
  `
  CREATE INDEX outbox_dispatched_by_time ON outbox (occurred_at) WHERE dispatched = 1;
  `,
  // Campaign messages: list by campaign newest first, and count them by status. The trailing status
  // makes the count an index-only scan; partial, because most messages belong to no campaign.
  `
  ALTER TABLE messages ADD COLUMN campaign_id TEXT;
  CREATE INDEX messages_by_campaign ON messages (account_id, campaign_id, created_at DESC, id DESC, status) WHERE campaign_id IS NOT NULL;
  `,
];

const PRUNE_CHUNK = 5_000;

/** The WHERE clause (and its parameters) of a message filter, shared by list and countByStatus. */
function messageWhere(accountId: string, filter: MessageFilter): { where: string[]; params: Record<string, unknown> } {
  const where = ['account_id = @accountId'];
  const params: Record<string, unknown> = { accountId };
  if (filter.status) (where.push('status = @status'), (params.status = filter.status));
  if (filter.to) (where.push('to_number = @to'), (params.to = filter.to));
  if (filter.from) (where.push('from_sender = @from'), (params.from = filter.from));
  if (filter.since) (where.push('created_at >= @since'), (params.since = filter.since));
  if (filter.until) (where.push('created_at < @until'), (params.until = filter.until));
  if (filter.campaignId) (where.push('campaign_id = @campaignId'), (params.campaignId = filter.campaignId));
  return { where, params };
}

type AccountRow = Row & { balance: bigint };

/** SQLite implementation of every store port: one table per aggregate, documents as JSON. */
export function createSqliteDataStore(db: Db): DataStore {
  migrate(db, MIGRATIONS, 'datastore');
  // Before the statements below: retention prepares a delete on the webhook attempts table.
  const webhookStores = createSqliteWebhookStores(db);
  const gc = groupCommitFor(db);

  const st = {
    accountInsert: db.prepare('INSERT INTO accounts (id, api_key_hash, balance, etag, doc) VALUES (?, ?, ?, ?, ?)'),
    // The balance column is a 64-bit INTEGER of minor units (the most it holds, about 9.2e18, is far
    // past MAX_BALANCE_MINOR): read as bigint (safeIntegers), never as a double.
    accountGet: db.prepare<[string]>('SELECT doc, etag, balance FROM accounts WHERE id = ?').safeIntegers(true),
    accountByKey: db.prepare<[string]>('SELECT doc, etag, balance FROM accounts WHERE api_key_hash = ?').safeIntegers(true),
    accountUpdate: db.prepare('UPDATE accounts SET api_key_hash = ?, etag = ?, doc = ? WHERE id = ? AND etag = ?'),
    accountBalance: db.prepare<[string]>('SELECT balance FROM accounts WHERE id = ?').safeIntegers(true),
    accountAdjust: db.prepare('UPDATE accounts SET balance = balance + ? WHERE id = ?'),
    accountList: db.prepare('SELECT doc, etag, balance FROM accounts WHERE id > ? ORDER BY id LIMIT ?').safeIntegers(true),
    msgInsert: db.prepare(
      `INSERT INTO messages (account_id, id, status, to_number, from_sender, created_at, updated_at, scheduled_for, carrier, carrier_message_id, idempotency_key, campaign_id, etag, doc)
       VALUES (@accountId, @id, @status, @to, @from, @createdAt, @updatedAt, @scheduledFor, @carrier, @carrierMessageId, @idempotencyKey, @campaignId, @etag, @doc)`,
    ),
    msgUpdate: db.prepare(
      `UPDATE messages SET status = @status, to_number = @to, from_sender = @from, updated_at = @updatedAt, scheduled_for = @scheduledFor,
       carrier = @carrier, carrier_message_id = @carrierMessageId, campaign_id = @campaignId, etag = @etag, doc = @doc WHERE account_id = @accountId AND id = @id AND etag = @expected`,
    ),
    msgGet: db.prepare<[string, string]>('SELECT doc, etag FROM messages WHERE account_id = ? AND id = ?'),
    msgByIdem: db.prepare<[string, string]>('SELECT doc, etag FROM messages WHERE account_id = ? AND idempotency_key = ?'),
    msgByCarrier: db.prepare<[string, string]>('SELECT doc, etag FROM messages WHERE carrier = ? AND carrier_message_id = ?'),
    msgStaleQueued: db.prepare<[string, number]>("SELECT doc, etag FROM messages WHERE status = 'queued' AND updated_at < ? ORDER BY updated_at LIMIT ?"),
    msgStaleScheduled: db.prepare<[string, number]>("SELECT doc, etag FROM messages WHERE status = 'scheduled' AND scheduled_for < ? ORDER BY scheduled_for LIMIT ?"),
    sidInsert: db.prepare('INSERT INTO sender_ids (account_id, id, value, status, created_at, etag, doc) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    sidGet: db.prepare<[string, string]>('SELECT doc, etag FROM sender_ids WHERE account_id = ? AND id = ?'),
    sidGetAdmin: db.prepare<[string]>('SELECT doc, etag FROM sender_ids WHERE id = ?'),
    sidByValue: db.prepare<[string, string]>('SELECT doc, etag FROM sender_ids WHERE account_id = ? AND value = ? ORDER BY created_at DESC LIMIT 1'),
    sidList: db.prepare<[string]>('SELECT doc, etag FROM sender_ids WHERE account_id = ? ORDER BY created_at, id'),
    sidListStatus: db.prepare<[string, string]>('SELECT doc, etag FROM sender_ids WHERE account_id = ? AND status = ? ORDER BY created_at, id'),
    sidUpdate: db.prepare('UPDATE sender_ids SET value = ?, status = ?, etag = ?, doc = ? WHERE account_id = ? AND id = ? AND etag = ?'),
    vnInsert: db.prepare('INSERT INTO virtual_numbers (account_id, id, number, doc) VALUES (?, ?, ?, ?)'),
    vnList: db.prepare<[string]>('SELECT doc FROM virtual_numbers WHERE account_id = ? ORDER BY id'),
    vnByNumber: db.prepare<[string]>('SELECT doc FROM virtual_numbers WHERE number = ?'),
    outboxInsert: db.prepare('INSERT INTO outbox (id, account_id, type, occurred_at, doc) VALUES (?, ?, ?, ?, ?)'),
    outboxPending: db.prepare<[number]>('SELECT doc FROM outbox WHERE dispatched = 0 ORDER BY seq LIMIT ?'),
    outboxMark: db.prepare<[string]>('UPDATE outbox SET dispatched = 1 WHERE id = ?'),
    outboxGet: db.prepare<[string, string]>('SELECT doc FROM outbox WHERE account_id = ? AND id = ?'),
    pruneOutbox: db.prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE dispatched = 1 AND occurred_at < ? LIMIT ?)'),
    pruneAttempts: db.prepare('DELETE FROM webhook_attempts WHERE id IN (SELECT id FROM webhook_attempts WHERE at < ? LIMIT ?)'),
  };

  /** The document's amounts (old numbers or integer strings), with the balance from its own column. */
  const accountOf = (row: AccountRow | undefined): Account | null => {
    const doc = parse<Account>(row);
    if (!doc || !row) return null;
    return { ...accountFromStored(doc as unknown as Record<string, unknown>), balance: row.balance };
  };
  const accountDocOf = (account: Account): string => docOf(accountToStored(account));

  const appendEvents = (events: DomainEvent[]) => {
    for (const e of events) st.outboxInsert.run(e.id, e.accountId, e.type, e.occurredAt, JSON.stringify(e));
  };

  const balanceOf = (accountId: string): bigint | null => (st.accountBalance.get(accountId) as { balance: bigint } | undefined)?.balance ?? null;

  const adjust = (accountId: string, delta: bigint): BalanceChange => {
    const before = balanceOf(accountId);
    if (before === null) throw new ConcurrencyError(`account ${accountId}`);
    st.accountAdjust.run(delta, accountId);
    return { before, after: before + delta };
  };

  const messageParams = (m: Message, etag: string) => ({
    accountId: m.accountId,
    id: m.id,
    status: m.status,
    to: m.to,
    from: m.from,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    scheduledFor: m.scheduledFor,
    carrier: m.carrier,
    carrierMessageId: m.carrierMessageId,
    idempotencyKey: m.idempotencyKey,
    campaignId: m.campaignId ?? null,
    etag,
    doc: docOf(m),
  });

  const acceptTx = (message: Message, debit: bigint, events: (b: BalanceChange) => DomainEvent[]): AcceptOutcome => {
    if (message.idempotencyKey) {
      const prior = parse<Message>(st.msgByIdem.get(message.accountId, message.idempotencyKey) as Row | undefined);
      if (prior) {
        const balance = balanceOf(message.accountId) ?? 0n;
        return { message: prior, balance: { before: balance, after: balance }, replayed: true };
      }
    }
    const before = balanceOf(message.accountId);
    if (before === null) throw new Error(`account ${message.accountId} does not exist`);
    if (before < debit) throw new InsufficientCreditsError(before, debit);
    const balance = adjust(message.accountId, -debit);
    const etag = newEtag();
    st.msgInsert.run(messageParams(message, etag));
    appendEvents(events(balance));
    return { message: { ...message, etag }, balance, replayed: false };
  };

  /** Like acceptTx for a chunk: replays first (by key, also within the chunk), then one debit for the rest. */
  const acceptManyTx = (messages: Message[], debits: bigint[], events: (b: BalanceChange) => DomainEvent[]): AcceptManyOutcome => {
    const accountId = messages[0]!.accountId;
    const before = balanceOf(accountId);
    if (before === null) throw new Error(`account ${accountId} does not exist`);
    const firstOfKey = new Map<string, number>();
    const replayOf: (Message | number | null)[] = messages.map((m, i) => {
      const key = m.idempotencyKey!;
      const earlier = firstOfKey.get(key);
      if (earlier !== undefined) return earlier;
      firstOfKey.set(key, i);
      return parse<Message>(st.msgByIdem.get(accountId, key) as Row | undefined);
    });
    const required = debits.reduce((sum, debit, i) => (replayOf[i] === null ? sum + debit : sum), 0n);
    if (before < required) throw new InsufficientCreditsError(before, required);
    const anyNew = replayOf.includes(null);
    const balance = anyNew ? adjust(accountId, -required) : { before, after: before };
    const unchanged = { before: balance.after, after: balance.after };
    const inserted: Message[] = [];
    messages.forEach((m, i) => {
      if (replayOf[i] !== null) return;
      const etag = newEtag();
      st.msgInsert.run(messageParams(m, etag));
      inserted[i] = { ...m, etag };
    });
    // Like a replayed accept, a chunk that inserts nothing writes nothing, events included.
    if (anyNew) appendEvents(checkAcceptManyEvents(events(balance)));
    const results: AcceptOutcome[] = [];
    replayOf.forEach((prior, i) => {
      if (prior === null) results.push({ message: inserted[i]!, balance, replayed: false });
      // A repeated key within the chunk gets whatever its first occurrence got (inserted or replayed).
      else results.push({ message: typeof prior === 'number' ? results[prior]!.message : prior, balance: unchanged, replayed: true });
    });
    return { results, balance };
  };

  const transitionTx = (next: Message, refund: bigint, events: (b: BalanceChange | undefined) => DomainEvent[]): TransitionOutcome => {
    const etag = newEtag();
    const changed = st.msgUpdate.run({ ...messageParams(next, etag), expected: next.etag ?? '' }).changes;
    if (changed === 0) throw new ConcurrencyError(`message ${next.id}`);
    const balance = refund > 0n ? adjust(next.accountId, refund) : undefined;
    appendEvents(events(balance));
    return { message: { ...next, etag }, ...(balance ? { balance } : {}) };
  };

  const sidUpdateTx = (s: SenderId, events: DomainEvent[]): SenderId => {
    const etag = newEtag();
    const changed = st.sidUpdate.run(s.value, s.status, etag, docOf(s), s.accountId, s.id, s.etag ?? '').changes;
    if (changed === 0) throw new ConcurrencyError(`sender ID ${s.id}`);
    appendEvents(events);
    return { ...s, etag };
  };

  return {
    accounts: {
      async create(account) {
        const etag = newEtag();
        try {
          await gc.run(() => st.accountInsert.run(account.id, account.apiKeyHash, account.balance, etag, accountDocOf(account)));
        } catch (err) {
          if (isUniqueViolation(err)) throw new DuplicateError(`account ${account.id}`);
          throw err;
        }
        return { ...account, etag };
      },
      async get(accountId) {
        return accountOf(st.accountGet.get(accountId) as AccountRow | undefined);
      },
      async findByApiKeyHash(hash) {
        return accountOf(st.accountByKey.get(hash) as AccountRow | undefined);
      },
      async update(account, events = []) {
        const etag = newEtag();
        // The balance column is owned by credit/accept/transition; settings updates never overwrite it.
        return gc.run(() => {
          const changed = st.accountUpdate.run(account.apiKeyHash, etag, accountDocOf(account), account.id, account.etag ?? '').changes;
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
        const rows = st.accountList.all(after, page.limit + 1) as AccountRow[];
        const items = rows.slice(0, page.limit).map((r) => accountOf(r)!);
        const more = rows.length > page.limit;
        return { items, continuationToken: more ? Buffer.from(items[items.length - 1]!.id).toString('base64url') : null };
      },
    },
    messages: {
      async accept(message, debit, events) {
        return gc.run(() => acceptTx(message, debit, events));
      },
      async acceptMany(messages, events) {
        const debits = acceptManyDebits(messages);
        try {
          return await gc.run(() => acceptManyTx(messages, debits, events));
        } catch (err) {
          // Keys were checked inside the unit: what is left to collide is a message or event id.
          if (isUniqueViolation(err)) throw new DuplicateError(`message or event of the chunk of ${messages[0]!.id}`);
          throw err;
        }
      },
      async get(accountId, id) {
        return parse<Message>(st.msgGet.get(accountId, id) as Row | undefined);
      },
      async findByCarrierMessageId(carrier, carrierMessageId) {
        return parse<Message>(st.msgByCarrier.get(carrier, carrierMessageId) as Row | undefined);
      },
      async transition(next, refund, events) {
        return gc.run(() => transitionTx(next, refund, events));
      },
      async list(accountId: string, filter: MessageFilter, page: PageRequest): Promise<Page<Message>> {
        const { where, params } = messageWhere(accountId, filter);
        // An empty token is no token (as before the shared helper).
        return newestFirstPage<Message>(db, 'messages', where, params, page.continuationToken ? page : { limit: page.limit });
      },
      async countByStatus(accountId, filter) {
        const { where, params } = messageWhere(accountId, filter);
        const rows = db.prepare(`SELECT status, COUNT(*) AS n FROM messages WHERE ${where.join(' AND ')} GROUP BY status`).all(params) as { status: MessageStatus; n: number }[];
        const counts = zeroStatusCounts();
        for (const row of rows) counts[row.status] = row.n;
        return counts;
      },
      async listStale(status, olderThan, limit) {
        const stmt = status === 'queued' ? st.msgStaleQueued : st.msgStaleScheduled;
        return (stmt.all(olderThan, limit) as Row[]).map((r) => parse<Message>(r)!);
      },
    },
    senderIds: {
      async create(s) {
        const etag = newEtag();
        try {
          await gc.run(() => st.sidInsert.run(s.accountId, s.id, s.value, s.status, s.createdAt, etag, docOf(s)));
        } catch (err) {
          if (isUniqueViolation(err)) throw new DuplicateError(`sender ID ${s.id}`);
          throw err;
        }
        return { ...s, etag };
      },
      async get(accountId, id) {
        return parse<SenderId>(st.sidGet.get(accountId, id) as Row | undefined);
      },
      async getForAdmin(id) {
        return parse<SenderId>(st.sidGetAdmin.get(id) as Row | undefined);
      },
      async findByValue(accountId, value) {
        return parse<SenderId>(st.sidByValue.get(accountId, value) as Row | undefined);
      },
      async list(accountId: string, status?: SenderIdStatus) {
        const rows = (status ? st.sidListStatus.all(accountId, status) : st.sidList.all(accountId)) as Row[];
        return rows.map((r) => parse<SenderId>(r)!);
      },
      async update(s, events) {
        return gc.run(() => sidUpdateTx(s, events));
      },
    },
    virtualNumbers: {
      async create(vn: VirtualNumber) {
        try {
          await gc.run(() => st.vnInsert.run(vn.accountId, vn.id, vn.number, JSON.stringify(vn)));
        } catch (err) {
          if (isUniqueViolation(err)) throw new DuplicateError(`virtual number ${vn.number}`);
          throw err;
        }
        return vn;
      },
      async list(accountId) {
        return (st.vnList.all(accountId) as { doc: string }[]).map((r) => JSON.parse(r.doc) as VirtualNumber);
      },
      async findByNumber(number) {
        const row = st.vnByNumber.get(number) as { doc: string } | undefined;
        return row ? (JSON.parse(row.doc) as VirtualNumber) : null;
      },
    },
    outbox: {
      async append(events) {
        try {
          await gc.run(() => appendEvents(events));
        } catch (err) {
          if (isUniqueViolation(err)) throw new DuplicateError(`event in ${events.map((e) => e.id).join(', ')}`);
          throw err;
        }
      },
      async pending(limit) {
        return (st.outboxPending.all(limit) as { doc: string }[]).map((r) => JSON.parse(r.doc) as DomainEvent);
      },
      async markDispatched(ids) {
        await gc.run(() => ids.forEach((id) => st.outboxMark.run(id)));
      },
      async listForAccount(accountId, filter, limit) {
        const where = ['account_id = @accountId'];
        if (filter.type) where.push('type = @type');
        if (filter.since) where.push('occurred_at >= @since');
        const rows = db.prepare(`SELECT doc FROM outbox WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`).all({ accountId, type: filter.type, since: filter.since, limit }) as { doc: string }[];
        return rows.map((r) => JSON.parse(r.doc) as DomainEvent);
      },
      async get(accountId, eventId) {
        const row = st.outboxGet.get(accountId, eventId) as { doc: string } | undefined;
        return row ? (JSON.parse(row.doc) as DomainEvent) : null;
      },
    },
    ...webhookStores,
    optOuts: createSqliteOptOutStore(db),
    keywordRules: createSqliteKeywordRuleStore(db),
    ...createSqliteContactStores(db, appendEvents),
    campaigns: createSqliteCampaignStore(db, appendEvents),
    retention: {
      async prune(before) {
        // In chunks, so a large backlog never holds one long write transaction.
        const deleteChunk = (stmt: Database.Statement) => gc.run(() => stmt.run(before, PRUNE_CHUNK).changes);
        const total = async (stmt: Database.Statement) => {
          let sum = 0;
          for (let n = await deleteChunk(stmt); n > 0; n = await deleteChunk(stmt)) sum += n;
          return sum;
        };
        return { deliveryAttempts: await total(st.pruneAttempts), dispatchedEvents: await total(st.pruneOutbox) };
      },
    },
    async close() {
      // The database handle is owned by whoever opened it (shared with the queue); commit what is open.
      gc.flush();
    },
  };
}
