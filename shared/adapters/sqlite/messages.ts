import type { DomainEvent, Message, MessageStatus } from '../../domain/types';
import { zeroStatusCounts } from '../../domain/status';
import {
  ConcurrencyError,
  DuplicateError,
  InsufficientCreditsError,
  acceptManyDebits,
  checkAcceptManyEvents,
  type AcceptManyOutcome,
  type AcceptOutcome,
  type BalanceChange,
  type MessageFilter,
  type MessageStore,
  type Page,
  type PageRequest,
  type TransitionOutcome,
} from '../../ports/stores';
import type { SqliteBalances } from './accounts';
import { groupCommitFor, migrate, type Db } from './database';
import { fixedOf, messageOf, stateOf, type MessageRow } from './messageRow';
import { isUniqueViolation, newestFirstPage } from './rows';

export const MESSAGE_MIGRATIONS = [
  `
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
  `,
  // Campaign messages: list by campaign newest first, and count them by status. The trailing status
  // makes the count an index-only scan; partial, because most messages belong to no campaign.
  `
  ALTER TABLE messages ADD COLUMN campaign_id TEXT;
  CREATE INDEX messages_by_campaign ON messages (account_id, campaign_id, created_at DESC, id DESC, status) WHERE campaign_id IS NOT NULL;
  `,
  // Version 3: a rowid table (a row stays in its page up to ~4 KB, where a WITHOUT ROWID row spilled
  // to an overflow page past ~1 KB), compact columns instead of one JSON document (messageRow.ts), an
  // integer revision as the etag, ascending time indexes (new messages append at their right edge
  // and fill their pages; a descending one split at its left edge, half empty; lists read them
  // backwards just as fast), lists by status indexed for the statuses other than delivered (most
  // messages' last: a list of delivered ones reads the newest-first index and finds one on almost
  // every row); no recipient index (it would cost ~110 bytes per message, past the 1.5 KB budget).
  // A copied row keeps its etag text until its next transition. Rows are copied in creation
  // order, so rowids follow time.
  `
  CREATE TABLE messages_v3 (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    status TEXT NOT NULL,
    to_number TEXT NOT NULL,
    from_sender TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    scheduled_for TEXT,
    carrier TEXT NOT NULL,
    carrier_message_id TEXT,
    idempotency_key TEXT,
    campaign_id TEXT,
    rev INTEGER NOT NULL,
    fixed TEXT NOT NULL,
    state TEXT NOT NULL
  );
  INSERT INTO messages_v3 (account_id, id, status, to_number, from_sender, text, created_at, updated_at, scheduled_for, carrier, carrier_message_id, idempotency_key, campaign_id, rev, fixed, state)
  SELECT account_id, id, status, to_number, from_sender, text, created_at, updated_at, scheduled_for, carrier, carrier_message_id, idempotency_key, campaign_id, etag,
    CASE WHEN campaign_absent THEN json_set(fixed, '$.k', 0) ELSE fixed END, state
  FROM (
    SELECT *, doc->>'$.text' AS text, json_type(doc, '$.campaignId') IS NULL AS campaign_absent,
      json_object('e', doc->>'$.encoding', 'g', doc->'$.segments', 'c', doc->'$.characters', 'x', doc->'$.nonEnglishChars',
        '$', json_array(doc->>'$.cost.amount', doc->>'$.cost.currency', doc->'$.cost.segments', doc->>'$.cost.unitPrice'),
        'u', doc->'$.callbackUrl', 'q', doc->'$.uniqueArgs') AS fixed,
      json_object('r', doc->'$.statusReason', 's', doc->'$.sentAt', 'd', doc->'$.deliveredAt', 'a', doc->'$.attempts', 'h', doc->'$.history',
        'n', doc->'$.notifyOnDelivery', 't', doc->'$.taskRef',
        'o', json_remove(doc, '$.id', '$.accountId', '$.to', '$.from', '$.text', '$.status', '$.statusReason', '$.encoding', '$.segments', '$.characters',
          '$.nonEnglishChars', '$.cost', '$.createdAt', '$.updatedAt', '$.scheduledFor', '$.sentAt', '$.deliveredAt', '$.attempts', '$.carrier',
          '$.carrierMessageId', '$.callbackUrl', '$.uniqueArgs', '$.idempotencyKey', '$.campaignId', '$.history', '$.notifyOnDelivery', '$.taskRef')) AS state
    FROM messages
  )
  ORDER BY created_at, id;
  DROP TABLE messages;
  ALTER TABLE messages_v3 RENAME TO messages;
  CREATE UNIQUE INDEX messages_by_id ON messages (account_id, id);
  CREATE INDEX messages_by_created ON messages (account_id, created_at, id);
  CREATE UNIQUE INDEX messages_by_idempotency ON messages (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
  CREATE UNIQUE INDEX messages_by_carrier_id ON messages (carrier, carrier_message_id) WHERE carrier_message_id IS NOT NULL;
  CREATE INDEX messages_queued ON messages (updated_at) WHERE status = 'queued';
  CREATE INDEX messages_scheduled ON messages (scheduled_for) WHERE status = 'scheduled';
  CREATE INDEX messages_by_campaign ON messages (account_id, campaign_id, created_at, id, status) WHERE campaign_id IS NOT NULL;
  CREATE INDEX messages_by_status ON messages (account_id, status, created_at, id) WHERE status <> 'delivered';
  `,
];

/** The WHERE clause (and its parameters) of a message filter, shared by list and countByStatus. */
function messageWhere(accountId: string, filter: MessageFilter): { where: string[]; params: Record<string, unknown> } {
  const where = ['account_id = @accountId'];
  const params: Record<string, unknown> = { accountId };
  // The extra term lets SQLite use the partial index messages_by_status (it does not infer it).
  if (filter.status)
    where.push(filter.status === 'delivered' ? 'status = @status' : "status = @status AND status <> 'delivered'"),
      (params.status = filter.status);
  if (filter.to) where.push('to_number = @to'), (params.to = filter.to);
  if (filter.from) where.push('from_sender = @from'), (params.from = filter.from);
  if (filter.since) where.push('created_at >= @since'), (params.since = filter.since);
  if (filter.until) where.push('created_at < @until'), (params.until = filter.until);
  if (filter.campaignId) where.push('campaign_id = @campaignId'), (params.campaignId = filter.campaignId);
  return { where, params };
}

const COLUMNS =
  'account_id, id, status, to_number, from_sender, text, created_at, updated_at, scheduled_for, carrier, carrier_message_id, idempotency_key, campaign_id, rev, fixed, state';
const read = (row: unknown): Message | null => (row ? messageOf(row as MessageRow) : null);
/** The etag after a transition: the revision counts up; an etag copied from version 2 (text) restarts at 1. */
const nextEtag = (etag: string): string => (/^\d+$/.test(etag) ? String(Number(etag) + 1) : '1');

/**
 * Messages in the embedded database. Accepting debits the account and a transition may refund it,
 * each in one write with the message and its outbox events (`balances` and `appendEvents` run
 * inside that write).
 */
export function createSqliteMessageStore(db: Db, balances: SqliteBalances, appendEvents: (events: DomainEvent[]) => void): MessageStore {
  migrate(db, MESSAGE_MIGRATIONS, 'messages');
  const gc = groupCommitFor(db);
  const { balanceOf, adjust } = balances;
  const st = {
    insert: db.prepare(`INSERT INTO messages (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`),
    // A transition rewrites what may change (status columns and the small `state`), never the content.
    update: db.prepare(
      `UPDATE messages SET status = ?, updated_at = ?, scheduled_for = ?, carrier = ?, carrier_message_id = ?, state = ?,
       rev = CASE WHEN typeof(rev) = 'integer' THEN rev + 1 ELSE 1 END WHERE account_id = ? AND id = ? AND rev = ?`,
    ),
    get: db.prepare<[string, string]>(`SELECT ${COLUMNS} FROM messages WHERE account_id = ? AND id = ?`),
    byIdem: db.prepare<[string, string]>(`SELECT ${COLUMNS} FROM messages WHERE account_id = ? AND idempotency_key = ?`),
    byCarrier: db.prepare<[string, string]>(`SELECT ${COLUMNS} FROM messages WHERE carrier = ? AND carrier_message_id = ?`),
    staleQueued: db.prepare<[string, number]>(
      `SELECT ${COLUMNS} FROM messages WHERE status = 'queued' AND updated_at < ? ORDER BY updated_at LIMIT ?`,
    ),
    staleScheduled: db.prepare<[string, number]>(
      `SELECT ${COLUMNS} FROM messages WHERE status = 'scheduled' AND scheduled_for < ? ORDER BY scheduled_for LIMIT ?`,
    ),
  };
  const insert = (m: Message): Message => {
    st.insert.run(
      m.accountId,
      m.id,
      m.status,
      m.to,
      m.from,
      m.text,
      m.createdAt,
      m.updatedAt,
      m.scheduledFor,
      m.carrier,
      m.carrierMessageId,
      m.idempotencyKey,
      m.campaignId ?? null,
      fixedOf(m),
      stateOf(m),
    );
    return { ...m, etag: '1' };
  };

  const acceptTx = (message: Message, debit: bigint, events: (b: BalanceChange) => DomainEvent[]): AcceptOutcome => {
    if (message.idempotencyKey) {
      const prior = read(st.byIdem.get(message.accountId, message.idempotencyKey));
      if (prior) {
        const balance = balanceOf(message.accountId) ?? 0n;
        return { message: prior, balance: { before: balance, after: balance }, replayed: true };
      }
    }
    const before = balanceOf(message.accountId);
    if (before === null) throw new Error(`account ${message.accountId} does not exist`);
    if (before < debit) throw new InsufficientCreditsError(before, debit);
    const balance = adjust(message.accountId, -debit);
    const stored = insert(message);
    appendEvents(events(balance));
    return { message: stored, balance, replayed: false };
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
      return read(st.byIdem.get(accountId, key));
    });
    const required = debits.reduce((sum, debit, i) => (replayOf[i] === null ? sum + debit : sum), 0n);
    if (before < required) throw new InsufficientCreditsError(before, required);
    const anyNew = replayOf.includes(null);
    const balance = anyNew ? adjust(accountId, -required) : { before, after: before };
    const unchanged = { before: balance.after, after: balance.after };
    const inserted: Message[] = [];
    messages.forEach((m, i) => {
      if (replayOf[i] === null) inserted[i] = insert(m);
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
    // Bound as text: the INTEGER column's affinity compares '7' with 7, and an old text etag with itself.
    const etag = next.etag ?? '';
    const changed = st.update.run(
      next.status,
      next.updatedAt,
      next.scheduledFor,
      next.carrier,
      next.carrierMessageId,
      stateOf(next),
      next.accountId,
      next.id,
      etag,
    ).changes;
    if (changed === 0) throw new ConcurrencyError(`message ${next.id}`);
    const balance = refund > 0n ? adjust(next.accountId, refund) : undefined;
    appendEvents(events(balance));
    return { message: { ...next, etag: nextEtag(etag) }, ...(balance ? { balance } : {}) };
  };

  return {
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
      return read(st.get.get(accountId, id));
    },
    async findByCarrierMessageId(carrier, carrierMessageId) {
      return read(st.byCarrier.get(carrier, carrierMessageId));
    },
    async transition(next, refund, events) {
      return gc.run(() => transitionTx(next, refund, events));
    },
    async list(accountId: string, filter: MessageFilter, page: PageRequest): Promise<Page<Message>> {
      const { where, params } = messageWhere(accountId, filter);
      // An empty token is no token (as before the shared helper).
      return newestFirstPage<Message>(db, 'messages', where, params, page.continuationToken ? page : { limit: page.limit }, {
        columns: COLUMNS,
        item: messageOf,
      });
    },
    async countByStatus(accountId, filter) {
      const { where, params } = messageWhere(accountId, filter);
      const rows = db.prepare(`SELECT status, COUNT(*) AS n FROM messages WHERE ${where.join(' AND ')} GROUP BY status`).all(params) as {
        status: MessageStatus;
        n: number;
      }[];
      const counts = zeroStatusCounts();
      for (const row of rows) counts[row.status] = row.n;
      return counts;
    },
    async listStale(status, olderThan, limit) {
      const stmt = status === 'queued' ? st.staleQueued : st.staleScheduled;
      return (stmt.all(olderThan, limit) as MessageRow[]).map(messageOf);
    },
  };
}
