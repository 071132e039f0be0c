import type { AuditRecord } from '../../domain/audit';
import { InvalidContinuationTokenError, type AuditStore } from '../../ports/stores';
import { groupCommitFor, migrate, type Db } from './database';
import { decodeToken, encodeToken } from './rows';

/** Operator records on no account: the column is NOT NULL so the (account, time) index serves them too. */
const NO_ACCOUNT = '';
const PRUNE_CHUNK = 5_000;

export const AUDIT_MIGRATIONS = [
  `
  CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    at TEXT NOT NULL,
    key_id TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    method TEXT NOT NULL,
    resource_id TEXT,
    source_address TEXT,
    status INTEGER,
    request_id TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX audit_by_account ON audit_log (account_id, at, id);
  CREATE INDEX audit_by_time ON audit_log (at);
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

/** The audit log in the embedded database; its inserts ride the group commit of the turn they are made in. */
export function createSqliteAuditStore(db: Db): AuditStore {
  migrate(db, AUDIT_MIGRATIONS, 'audit');
  const gc = groupCommitFor(db);
  const st = {
    insert: db.prepare(
      `INSERT INTO audit_log (id, account_id, at, key_id, operation_id, method, resource_id, source_address, status, request_id)
       VALUES (@id, @accountId, @at, @keyId, @operationId, @method, @resourceId, @sourceAddress, @status, @requestId)`,
    ),
    complete: db.prepare('UPDATE audit_log SET status = ?, resource_id = coalesce(resource_id, ?) WHERE account_id = ? AND id = ?'),
    prune: db.prepare('DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ? LIMIT ?)'),
  };
  // The commit of each open record, until its outcome is written: `complete` surfaces a failed commit.
  const commits = new Map<string, Promise<void>>();

  return {
    async open(record) {
      // Not awaited: the row is in the transaction of this turn, which commits before (or with) any
      // write made after this returns, on this one connection. Awaiting would cost a commit per request.
      let inserted = false;
      const committed = gc.run(() => {
        st.insert.run({ ...record, accountId: record.accountId ?? NO_ACCOUNT });
        inserted = true;
      });
      if (!inserted) await committed; // the insert itself failed: say so now, before any change
      committed.catch(() => undefined); // a failed commit is reported by `complete`
      if (record.status === null) commits.set(record.id, committed);
    },
    async complete(accountId, id, outcome) {
      const committed = commits.get(id);
      commits.delete(id);
      await committed;
      await gc.run(() => st.complete.run(outcome.status, outcome.resourceId, accountId ?? NO_ACCOUNT, id));
    },
    async list(accountId, filter, page) {
      const where = ['account_id = @accountId'];
      const params: Record<string, unknown> = { accountId: accountId ?? NO_ACCOUNT, limit: page.limit + 1 };
      const conditions = { since: 'at >= @since', until: 'at < @until', keyId: 'key_id = @keyId', operationId: 'operation_id = @operationId', resourceId: 'resource_id = @resourceId' } as const;
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
      const rows = db.prepare(`SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT @limit`).all(params) as AuditRow[];
      const items = rows.slice(0, page.limit).map(fromRow);
      const last = items[items.length - 1];
      return { items, continuationToken: rows.length > page.limit && last ? encodeToken(last.at, last.id) : null };
    },
    async prune(before) {
      // In chunks, so a large backlog never holds one long write transaction.
      const chunk = () => gc.run(() => st.prune.run(before, PRUNE_CHUNK).changes);
      let total = 0;
      for (let n = await chunk(); n > 0; n = await chunk()) total += n;
      return total;
    },
  };
}
