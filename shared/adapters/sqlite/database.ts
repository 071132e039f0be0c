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
    db.prepare(
      'INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version',
    ).run(name, migrations.length);
  });
  if (from < migrations.length) apply();
}

/**
 * Group commit: every write of one event-loop turn joins one SQLite transaction (each in its own
 * savepoint, so one failing write does not undo the others), committed in a single step at
 * setImmediate. Callers' promises resolve only after that COMMIT, so nothing is acknowledged
 * before it is durable, while a busy host pays for one commit per turn instead of one per write.
 */
export class GroupCommit {
  private waiting: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private scheduled = false;
  // Prepared once: db.exec re-parses SQL and db.transaction() builds a wrapper per call, both
  // measurable on a path that runs several times per request.
  private readonly sql: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo', Database.Statement>;

  constructor(private readonly db: Db) {
    this.sql = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT group_write'),
      release: db.prepare('RELEASE group_write'),
      rollbackTo: db.prepare('ROLLBACK TO group_write'),
    };
  }

  run<T>(write: () => T): Promise<T> {
    if (!this.db.inTransaction) {
      this.sql.begin.run();
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    }
    let result: T;
    this.sql.savepoint.run();
    try {
      result = write();
      this.sql.release.run();
    } catch (err) {
      // Undo this write only; the others of the turn still commit.
      this.sql.rollbackTo.run();
      this.sql.release.run();
      return Promise.reject(err as Error);
    }
    return new Promise<T>((resolve, reject) => this.waiting.push({ resolve: () => resolve(result), reject }));
  }

  /**
   * `run` for a write of exactly one statement, without the savepoint: SQLite undoes a failed
   * statement by itself, so the savepoint's two extra statements would buy nothing.
   */
  runStatement<T>(write: () => T): Promise<T> {
    if (!this.db.inTransaction) {
      this.sql.begin.run();
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    }
    let result: T;
    try {
      result = write();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return new Promise<T>((resolve, reject) => this.waiting.push({ resolve: () => resolve(result), reject }));
  }

  /** Commits whatever is open now (also called before closing the database). */
  flush(): void {
    this.scheduled = false;
    const waiting = this.waiting;
    this.waiting = [];
    if (!this.db.inTransaction) {
      waiting.forEach((w) => w.resolve());
      return;
    }
    try {
      this.sql.commit.run();
    } catch (err) {
      if (this.db.inTransaction) this.sql.rollback.run();
      waiting.forEach((w) => w.reject(err as Error));
      return;
    }
    waiting.forEach((w) => w.resolve());
  }
}

const committers = new WeakMap<Db, GroupCommit>();

/** One group committer per database handle, shared by every adapter writing to it. */
export function groupCommitFor(db: Db): GroupCommit {
  let gc = committers.get(db);
  if (!gc) committers.set(db, (gc = new GroupCommit(db)));
  return gc;
}
