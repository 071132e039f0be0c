import type { DomainEvent, SenderId, SenderIdStatus } from '../../domain/types';
import { ConcurrencyError, DuplicateError, type SenderIdStore } from '../../ports/stores';
import { groupCommitFor, migrate, type Db } from './database';
import { docOf, isUniqueViolation, newEtag, parse, type Row } from './rows';

export const SENDER_ID_MIGRATIONS = [
  `
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
  `,
];

/** Sender IDs in the embedded database; a decision's events commit in the same write as the update. */
export function createSqliteSenderIdStore(db: Db, appendEvents: (events: DomainEvent[]) => void): SenderIdStore {
  migrate(db, SENDER_ID_MIGRATIONS, 'senderIds');
  const gc = groupCommitFor(db);
  const st = {
    insert: db.prepare('INSERT INTO sender_ids (account_id, id, value, status, created_at, etag, doc) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    get: db.prepare<[string, string]>('SELECT doc, etag FROM sender_ids WHERE account_id = ? AND id = ?'),
    getAdmin: db.prepare<[string]>('SELECT doc, etag FROM sender_ids WHERE id = ?'),
    byValue: db.prepare<[string, string]>(
      'SELECT doc, etag FROM sender_ids WHERE account_id = ? AND value = ? ORDER BY created_at DESC LIMIT 1',
    ),
    list: db.prepare<[string]>('SELECT doc, etag FROM sender_ids WHERE account_id = ? ORDER BY created_at, id'),
    listStatus: db.prepare<[string, string]>(
      'SELECT doc, etag FROM sender_ids WHERE account_id = ? AND status = ? ORDER BY created_at, id',
    ),
    update: db.prepare('UPDATE sender_ids SET value = ?, status = ?, etag = ?, doc = ? WHERE account_id = ? AND id = ? AND etag = ?'),
  };

  const updateTx = (s: SenderId, events: DomainEvent[]): SenderId => {
    const etag = newEtag();
    const changed = st.update.run(s.value, s.status, etag, docOf(s), s.accountId, s.id, s.etag ?? '').changes;
    if (changed === 0) throw new ConcurrencyError(`sender ID ${s.id}`);
    appendEvents(events);
    return { ...s, etag };
  };

  return {
    async create(s) {
      const etag = newEtag();
      try {
        await gc.run(() => st.insert.run(s.accountId, s.id, s.value, s.status, s.createdAt, etag, docOf(s)));
      } catch (err) {
        if (isUniqueViolation(err)) throw new DuplicateError(`sender ID ${s.id}`);
        throw err;
      }
      return { ...s, etag };
    },
    async get(accountId, id) {
      return parse<SenderId>(st.get.get(accountId, id) as Row | undefined);
    },
    async getForAdmin(id) {
      return parse<SenderId>(st.getAdmin.get(id) as Row | undefined);
    },
    async findByValue(accountId, value) {
      return parse<SenderId>(st.byValue.get(accountId, value) as Row | undefined);
    },
    async list(accountId: string, status?: SenderIdStatus) {
      const rows = (status ? st.listStatus.all(accountId, status) : st.list.all(accountId)) as Row[];
      return rows.map((r) => parse<SenderId>(r)!);
    },
    async update(s, events) {
      return gc.run(() => updateTx(s, events));
    },
  };
}
