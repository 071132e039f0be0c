import { migrate, type Db } from './database';

/** Small key/value table for the embedded host's own settings (admin key hash, simulator secret). */
export function createSqliteMeta(db: Db) {
  migrate(db, ['CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;'], 'meta');
  const get = db.prepare<[string]>('SELECT value FROM meta WHERE key = ?');
  const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  return {
    get: (key: string): string | null => (get.get(key) as { value: string } | undefined)?.value ?? null,
    set: (key: string, value: string): void => void put.run(key, value),
  };
}
