import type { VirtualNumber } from '../../domain/types';
import { DuplicateError, type VirtualNumberStore } from '../../ports/stores';
import { groupCommitFor, migrate, type Db } from './database';
import { isUniqueViolation } from './rows';

export const VIRTUAL_NUMBER_MIGRATIONS = [
  `
  CREATE TABLE virtual_numbers (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
  );
  `,
];

/** Virtual numbers in the embedded database: a number belongs to one account (a unique column). */
export function createSqliteVirtualNumberStore(db: Db): VirtualNumberStore {
  migrate(db, VIRTUAL_NUMBER_MIGRATIONS, 'virtualNumbers');
  const gc = groupCommitFor(db);
  const st = {
    insert: db.prepare('INSERT INTO virtual_numbers (account_id, id, number, doc) VALUES (?, ?, ?, ?)'),
    list: db.prepare<[string]>('SELECT doc FROM virtual_numbers WHERE account_id = ? ORDER BY id'),
    byNumber: db.prepare<[string]>('SELECT doc FROM virtual_numbers WHERE number = ?'),
  };
  return {
    async create(vn: VirtualNumber) {
      try {
        await gc.run(() => st.insert.run(vn.accountId, vn.id, vn.number, JSON.stringify(vn)));
      } catch (err) {
        if (isUniqueViolation(err)) throw new DuplicateError(`virtual number ${vn.number}`);
        throw err;
      }
      return vn;
    },
    async list(accountId) {
      return (st.list.all(accountId) as { doc: string }[]).map((r) => JSON.parse(r.doc) as VirtualNumber);
    },
    async findByNumber(number) {
      const row = st.byNumber.get(number) as { doc: string } | undefined;
      return row ? (JSON.parse(row.doc) as VirtualNumber) : null;
    },
  };
}
