import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/**
 * Opens the embedded database in WAL mode. synchronous=NORMAL: a commit survives the process being
 * killed (the WAL is in the OS page cache); only an OS crash or power loss can drop the last commits.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

/** Each migration runs once, in order, recorded in user_version. */
export function migrate(db: Db, migrations: string[], name: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)`);
  const row = db.prepare('SELECT version FROM schema_versions WHERE component = ?').get(name) as { version: number } | undefined;
  const from = row?.version ?? 0;
  const apply = db.transaction(() => {
    for (let v = from; v < migrations.length; v++) db.exec(migrations[v]!);
    db.prepare('INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version').run(name, migrations.length);
  });
  if (from < migrations.length) apply();
}
