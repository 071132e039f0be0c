import type { DomainEvent } from '../../domain/types';
import { DuplicateError, type OutboxStore } from '../../ports/stores';
import { groupCommitFor, migrate, type Db } from './database';
import { isUniqueViolation } from './rows';
import type { PruneChunk } from './retention';

export const OUTBOX_MIGRATIONS = [
  `
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
  // Retention deletes by time: this makes pruning a range scan instead of a table scan.
  `
  CREATE INDEX outbox_dispatched_by_time ON outbox (occurred_at) WHERE dispatched = 1;
  `,
  // Version 3: the document keeps only the event's data; id, type, time and account are columns
  // already (about 150 bytes less per event). A row without data fails the upgrade rather than lose it.
  `
  UPDATE outbox SET doc = doc->'$.data';
  `,
];

type EventRow = { id: string; account_id: string; type: string; occurred_at: string; doc: string };
const COLUMNS = 'id, account_id, type, occurred_at, doc';
const eventOf = (r: EventRow): DomainEvent => ({
  id: r.id,
  type: r.type,
  occurredAt: r.occurred_at,
  accountId: r.account_id,
  data: dataIn(r.doc),
});

/**
 * Key lists of the most frequent event data (a status change, twice per message), frozen and
 * append-only: data with exactly these keys in this order is stored as [shape, ...values], without
 * its key names (about 120 bytes less per event). Any other data is stored as its object.
 */
const DATA_SHAPES: readonly (readonly string[])[] = [
  ['messageId', 'status', 'previousStatus', 'recipient', 'from', 'timestamp', 'reason', 'segments', 'carrierMessageId', 'uniqueArgs'],
];
const SHAPE_OF = new Map(DATA_SHAPES.map((keys, i) => [JSON.stringify(keys), i]));

export function dataOut(data: Record<string, unknown>): string {
  const keys = Object.keys(data);
  const shape = SHAPE_OF.get(JSON.stringify(keys));
  // An undefined value is dropped from an object but would read back as null from an array.
  if (shape === undefined || keys.some((k) => data[k] === undefined)) return JSON.stringify(data);
  return JSON.stringify([shape, ...keys.map((k) => data[k])]);
}

export function dataIn(doc: string): Record<string, unknown> {
  const value = JSON.parse(doc) as Record<string, unknown> | [number, ...unknown[]];
  if (!Array.isArray(value)) return value;
  const [shape, ...values] = value;
  return Object.fromEntries(DATA_SHAPES[shape]!.map((k, i) => [k, values[i]]));
}

export interface SqliteOutbox {
  store: OutboxStore;
  /** Inserts events inside the caller's write, so they commit with the change that raised them. */
  appendEvents: (events: DomainEvent[]) => void;
  /** Retention: dispatched events that occurred before the cutoff (pending ones are never deleted). */
  pruneDispatched: PruneChunk;
}

/** The outbox in the embedded database: events in insertion order, marked once dispatched. */
export function createSqliteOutbox(db: Db): SqliteOutbox {
  migrate(db, OUTBOX_MIGRATIONS, 'outbox');
  const gc = groupCommitFor(db);
  const st = {
    insert: db.prepare('INSERT INTO outbox (id, account_id, type, occurred_at, doc) VALUES (?, ?, ?, ?, ?)'),
    pending: db.prepare<[number]>(`SELECT ${COLUMNS} FROM outbox WHERE dispatched = 0 ORDER BY seq LIMIT ?`),
    // One statement marks a relayed batch (the ids as a JSON array).
    mark: db.prepare<[string]>('UPDATE outbox SET dispatched = 1 WHERE id IN (SELECT value FROM json_each(?))'),
    get: db.prepare<[string, string]>(`SELECT ${COLUMNS} FROM outbox WHERE account_id = ? AND id = ?`),
    prune: db.prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE dispatched = 1 AND occurred_at < ? LIMIT ?)'),
  };

  const appendEvents = (events: DomainEvent[]) => {
    for (const e of events) st.insert.run(e.id, e.accountId, e.type, e.occurredAt, dataOut(e.data));
  };

  const store: OutboxStore = {
    async append(events) {
      try {
        await gc.run(() => appendEvents(events));
      } catch (err) {
        if (isUniqueViolation(err)) throw new DuplicateError(`event in ${events.map((e) => e.id).join(', ')}`);
        throw err;
      }
    },
    async pending(limit) {
      return (st.pending.all(limit) as EventRow[]).map(eventOf);
    },
    async markDispatched(ids) {
      if (ids.length > 0) await gc.run(() => st.mark.run(JSON.stringify(ids)));
    },
    async listForAccount(accountId, filter, limit) {
      const where = ['account_id = @accountId'];
      if (filter.type) where.push('type = @type');
      if (filter.since) where.push('occurred_at >= @since');
      const rows = db
        .prepare(`SELECT ${COLUMNS} FROM outbox WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`)
        .all({ accountId, type: filter.type, since: filter.since, limit }) as EventRow[];
      return rows.map(eventOf);
    },
    async get(accountId, eventId) {
      const row = st.get.get(accountId, eventId) as EventRow | undefined;
      return row ? eventOf(row) : null;
    },
  };

  return { store, appendEvents, pruneDispatched: (before, limit) => st.prune.run(before, limit).changes };
}
