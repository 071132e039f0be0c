import type { OptOut } from '../../domain/optOut';
import type { OptOutStore } from '../../ports/stores';
import { groupCommitFor, migrate, type Db } from './database';

/** Opt-outs in the embedded database: one row per account and phone. */
export function createSqliteOptOutStore(db: Db): OptOutStore {
  migrate(
    db,
    [
      'CREATE TABLE opt_outs (account_id TEXT NOT NULL, phone TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (account_id, phone)) WITHOUT ROWID;',
    ],
    'optouts',
  );
  const gc = groupCommitFor(db);
  const st = {
    upsert: db.prepare(
      'INSERT INTO opt_outs (account_id, phone, doc) VALUES (?, ?, ?) ON CONFLICT (account_id, phone) DO UPDATE SET doc = excluded.doc',
    ),
    remove: db.prepare<[string, string]>('DELETE FROM opt_outs WHERE account_id = ? AND phone = ?'),
    get: db.prepare<[string, string]>('SELECT doc FROM opt_outs WHERE account_id = ? AND phone = ?'),
    page: db.prepare<[string, string, number]>('SELECT doc FROM opt_outs WHERE account_id = ? AND phone > ? ORDER BY phone LIMIT ?'),
  };
  const parse = (row: { doc: string } | undefined): OptOut | null => (row ? (JSON.parse(row.doc) as OptOut) : null);
  return {
    async add(optOut) {
      await gc.run(() => st.upsert.run(optOut.accountId, optOut.phone, JSON.stringify(optOut)));
      return optOut;
    },
    async remove(accountId, phone) {
      return gc.run(() => st.remove.run(accountId, phone).changes > 0);
    },
    async get(accountId, phone) {
      return parse(st.get.get(accountId, phone) as { doc: string } | undefined);
    },
    async list(accountId, page) {
      // The token is the last phone of the previous page (phones sort as text, E.164 has no secrets).
      const after = page.continuationToken ? Buffer.from(page.continuationToken, 'base64url').toString('utf8') : '';
      const rows = st.page.all(accountId, after, page.limit + 1) as { doc: string }[];
      const items = rows.slice(0, page.limit).map((r) => parse(r)!);
      const last = items[items.length - 1];
      return { items, continuationToken: rows.length > page.limit && last ? Buffer.from(last.phone).toString('base64url') : null };
    },
  };
}
