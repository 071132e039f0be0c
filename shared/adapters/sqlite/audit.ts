import type { AuditRecord } from '../../domain/audit';
import { InvalidContinuationTokenError, type AuditStore } from '../../ports/stores';
import { groupCommitFor, migrate, type Db } from './database';
import { decodeToken, encodeToken } from './rows';

/** Operator records on no account: the column is NOT NULL so the (account, time) index serves them too. */
const NO_ACCOUNT = '';
const PRUNE_CHUNK = 5_000;

/**
 * Rows are appended in time order under their rowid, which also finds a row to complete and the
 * oldest rows to prune: one index besides the table itself, for the list.
 */
export const AUDIT_MIGRATIONS = [
  `
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    at TEXT NOT NULL,
    key_id TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    method TEXT NOT NULL,
    resource_id TEXT,
    source_address TEXT,
    status INTEGER,
    request_id TEXT NOT NULL
  );
  CREATE INDEX audit_by_account ON audit_log (account_id, at, id);
  `,
];

interface AuditRow {
  id: string;
  account_id: string;
  at: string;
  key_id: string;
  operation_id: string;
  method: string;
  resource_id: string | null;
  source_address: string | null;
  status: number | null;
  request_id: string;
}

const fromRow = (r: AuditRow): AuditRecord => ({
  id: r.id,
  at: r.at,
  accountId: r.account_id === NO_ACCOUNT ? null : r.account_id,
  keyId: r.key_id,
  operationId: r.operation_id,
  method: r.method,
  resourceId: r.resource_id,
  sourceAddress: r.source_address,
  status: r.status,
  requestId: r.request_id,
});

/** An open record of this process: where its row is, and whether the commit that holds it failed. */
interface OpenRow {
  seq: number | bigint;
  commitFailed: boolean;
}

/**
 * The audit log in the embedded database. Neither write waits for its commit: each is one
 * statement in the group-commit transaction of its turn, which commits before (or with) any write
 * made later on this one connection (the ordering AuditStore.open promises), and is visible to
 * every read on the connection at once.
 */
export function createSqliteAuditStore(db: Db): AuditStore {
  migrate(db, AUDIT_MIGRATIONS, 'audit');
  const gc = groupCommitFor(db);
  const st = {
    insert: db.prepare(
      `INSERT INTO audit_log (id, account_id, at, key_id, operation_id, method, resource_id, source_address, status, request_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    complete: db.prepare('UPDATE audit_log SET status = ?, resource_id = coalesce(resource_id, ?) WHERE seq = ?'),
    seqOf: db.prepare<[string, string]>('SELECT seq FROM audit_log WHERE account_id = ? AND id = ?').pluck(),
    oldest: db.prepare<[number]>('SELECT seq, at FROM audit_log ORDER BY seq LIMIT ?'),
    pruneUpTo: db.prepare('DELETE FROM audit_log WHERE seq <= ?'),
  };
  const open = new Map<string, OpenRow>();

  return {
    async open(record) {
      let seq: number | bigint | undefined;
      const committed = gc.runStatement(() => {
        const r = record;
        seq = st.insert.run(
          r.id,
          r.accountId ?? NO_ACCOUNT,
          r.at,
          r.keyId,
          r.operationId,
          r.method,
          r.resourceId,
          r.sourceAddress,
          r.status,
          r.requestId,
        ).lastInsertRowid;
      });
      if (seq === undefined) return committed; // the insert itself failed: say so now, before any change
      if (record.status !== null) {
        committed.catch(() => undefined); // a refusal's record: nothing waits on it
        return;
      }
      const row: OpenRow = { seq, commitFailed: false };
      open.set(record.id, row);
      committed.catch(() => void (row.commitFailed = true));
    },
    async complete(accountId, id, outcome) {
      const row = open.get(id);
      open.delete(id);
      if (row?.commitFailed) throw new Error(`the commit holding audit record ${id} failed`);
      const seq = row?.seq ?? (st.seqOf.get(accountId ?? NO_ACCOUNT, id) as number | undefined);
      if (seq === undefined) throw new Error(`audit record ${id} not found`);
      // A lost outcome costs only the status (the record stays, status null): not worth a wait.
      gc.runStatement(() => st.complete.run(outcome.status, outcome.resourceId, seq)).catch(() => undefined);
    },
    async list(accountId, filter, page) {
      const where = ['account_id = @accountId'];
      const params: Record<string, unknown> = { accountId: accountId ?? NO_ACCOUNT, limit: page.limit + 1 };
      const conditions = {
        since: 'at >= @since',
        until: 'at < @until',
        keyId: 'key_id = @keyId',
        operationId: 'operation_id = @operationId',
        resourceId: 'resource_id = @resourceId',
      } as const;
      for (const [name, condition] of Object.entries(conditions) as [keyof typeof conditions, string][]) {
        if (filter[name] === undefined) continue;
        where.push(condition);
        params[name] = filter[name];
      }
      if (page.continuationToken) {
        const key = decodeToken(page.continuationToken);
        if (!key) throw new InvalidContinuationTokenError();
        where.push('(at, id) < (@afterAt, @afterId)');
        params.afterAt = key[0];
        params.afterId = key[1];
      }
      const rows = db
        .prepare(`SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT @limit`)
        .all(params) as AuditRow[];
      const items = rows.slice(0, page.limit).map(fromRow);
      const last = items[items.length - 1];
      return { items, continuationToken: rows.length > page.limit && last ? encodeToken(last.at, last.id) : null };
    },
    async prune(before) {
      // Oldest first by rowid, in chunks, stopping at the first row to keep: no index on time needed.
      const chunk = () =>
        gc.run(() => {
          const rows = st.oldest.all(PRUNE_CHUNK) as { seq: number; at: string }[];
          const stop = rows.findIndex((r) => r.at >= before);
          const expired = stop < 0 ? rows : rows.slice(0, stop);
          return expired.length === 0 ? 0 : st.pruneUpTo.run(expired[expired.length - 1]!.seq).changes;
        });
      let total = 0;
      for (let n = await chunk(); n > 0; n = await chunk()) total += n;
      return total;
    },
  };
}
