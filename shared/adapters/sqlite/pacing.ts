import type { PaceState, SendLimit } from '../../domain/pacing';
import type { PacingStore } from '../../ports/pacingStore';
import { ConcurrencyError } from '../../ports/stores';
import { groupCommitFor, migrate, type Db } from './database';
import { docOf, isUniqueViolation, newEtag, parse, type Row } from './rows';

/** Operator send limits and the per-sender pacing timeline, as JSON documents beside an etag. */
const MIGRATIONS = [
  `
  CREATE TABLE send_limits (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    etag TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (scope, key)
  ) WITHOUT ROWID;
  CREATE TABLE pace_states (
    key TEXT PRIMARY KEY,
    etag TEXT NOT NULL,
    doc TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
];

export function createSqlitePacingStore(db: Db): PacingStore {
  migrate(db, MIGRATIONS, 'pacing');
  const gc = groupCommitFor(db);
  const st = {
    getLimit: db.prepare<[string, string]>('SELECT doc, etag FROM send_limits WHERE scope = ? AND key = ?'),
    putLimit: db.prepare(
      'INSERT INTO send_limits (scope, key, etag, doc) VALUES (?, ?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET etag = excluded.etag, doc = excluded.doc',
    ),
    removeLimit: db.prepare<[string, string]>('DELETE FROM send_limits WHERE scope = ? AND key = ?'),
    getPace: db.prepare<[string]>('SELECT doc, etag FROM pace_states WHERE key = ?'),
    insertPace: db.prepare('INSERT INTO pace_states (key, etag, doc) VALUES (?, ?, ?)'),
    replacePace: db.prepare('UPDATE pace_states SET etag = ?, doc = ? WHERE key = ? AND etag = ?'),
  };
  return {
    async getLimit(scope, key) {
      return parse<SendLimit>(st.getLimit.get(scope, key) as Row | undefined);
    },
    async putLimit(limit) {
      const etag = newEtag();
      await gc.run(() => st.putLimit.run(limit.scope, limit.key, etag, docOf(limit)));
      return { ...limit, etag };
    },
    async removeLimit(scope, key) {
      return gc.run(() => st.removeLimit.run(scope, key).changes > 0);
    },
    async getPace(key) {
      return parse<PaceState>(st.getPace.get(key) as Row | undefined);
    },
    async savePace(state) {
      const etag = newEtag();
      await gc.run(() => {
        if (state.etag === undefined) {
          try {
            st.insertPace.run(state.key, etag, docOf(state));
          } catch (err) {
            if (isUniqueViolation(err)) throw new ConcurrencyError(`pace state ${state.key}`);
            throw err;
          }
          return;
        }
        if (st.replacePace.run(etag, docOf(state), state.key, state.etag).changes === 0)
          throw new ConcurrencyError(`pace state ${state.key}`);
      });
      return { ...state, etag };
    },
  };
}
