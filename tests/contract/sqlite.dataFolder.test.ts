import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../shared/adapters/sqlite/database';
import { createSqliteDataStore } from '../../shared/adapters/sqlite/dataStore';
import { createSqliteMeta } from '../../shared/adapters/sqlite/meta';
import { makeMessage } from '../fixtures/records';

/**
 * A data folder written before the SQLite stores got one file (and one migration component) each
 * opens unchanged: no migration runs again, the schema is the one a new folder gets, the data reads.
 */
const FIXTURE = readFileSync(join(__dirname, '../fixtures/sqlite/dataFolderBeforeStoreSplit.sql'), 'utf8');

type SchemaRow = { type: string; name: string; tbl_name: string; sql: string | null };
const schemaOf = (db: Db): SchemaRow[] => db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all() as SchemaRow[];
const versionsOf = (db: Db): Record<string, number> =>
  Object.fromEntries((db.prepare('SELECT component, version FROM schema_versions').all() as { component: string; version: number }[]).map((r) => [r.component, r.version]));

/** Tables added since that release (each store migrates its own in): compared apart. */
const ADDED_SINCE = ['api_keys'];
const oldPart = (rows: SchemaRow[]): SchemaRow[] => rows.filter((r) => !ADDED_SINCE.includes(r.tbl_name));
const addedPart = (rows: SchemaRow[]): SchemaRow[] => rows.filter((r) => ADDED_SINCE.includes(r.tbl_name));

function openOldFolder(): Db {
  const db = openDatabase(':memory:');
  db.exec(FIXTURE);
  return db;
}

describe('SQLite data folder from before the per-store migrations', () => {
  it('a new folder gets exactly the tables and indexes (statement text included) of the old release', () => {
    const old = openOldFolder();
    const fresh = openDatabase(':memory:');
    createSqliteMeta(fresh);
    const store = createSqliteDataStore(fresh);
    try {
      expect(oldPart(schemaOf(fresh))).toEqual(schemaOf(old));
      // Recorded as the old component too, so the release before can still open a new folder.
      expect(versionsOf(fresh).datastore).toBe(3);
    } finally {
      void store.close();
      old.close();
      fresh.close();
    }
  });

  it('opens without re-running a migration and records each store at the version the old one implies', async () => {
    const db = openOldFolder();
    const before = schemaOf(db);
    createSqliteMeta(db);
    const store = createSqliteDataStore(db);
    try {
      expect(oldPart(schemaOf(db))).toEqual(before);
      // The tables added since are created in the old folder exactly as in a new one.
      const fresh = openDatabase(':memory:');
      createSqliteDataStore(fresh);
      expect(addedPart(schemaOf(db))).toEqual(addedPart(schemaOf(fresh)));
      expect(addedPart(schemaOf(db)).length).toBeGreaterThan(0);
      fresh.close();
      const after = schemaOf(db);
      expect(versionsOf(db)).toEqual({
        meta: 1,
        datastore: 3,
        accounts: 1,
        messages: 2,
        senderIds: 1,
        virtualNumbers: 1,
        outbox: 2,
        webhooks: 2,
        optouts: 1,
        keywordRules: 1,
        contacts: 1,
        campaigns: 1,
        apiKeys: 1,
      });
      // Opening it again (now with the per-store rows) changes nothing either.
      createSqliteDataStore(db);
      expect(schemaOf(db)).toEqual(after);
    } finally {
      await store.close();
      db.close();
    }
  });

  it('reads and writes the old records: exact balance, replayed idempotency key, outbox, retention', async () => {
    const db = openOldFolder();
    const store = createSqliteDataStore(db);
    try {
      const acc = 'acc_presplit';
      expect((await store.accounts.findByApiKeyHash('sha256_presplit'))!.balance).toBe(8_999_999_999_999_999_926n);
      expect((await store.messages.get(acc, 'msg_presplit_1'))!.campaignId).toBe('cmp_presplit');
      expect((await store.messages.countByStatus(acc, { campaignId: 'cmp_presplit' })).queued).toBe(1);
      const replay = await store.messages.accept(makeMessage({ accountId: acc, idempotencyKey: 'idem-1' }), 75n, () => []);
      expect(replay.replayed).toBe(true);
      expect(replay.message.id).toBe('msg_presplit_1');
      const fresh = await store.messages.accept(makeMessage({ accountId: acc }), 25n, () => []);
      expect(fresh.balance).toEqual({ before: 8_999_999_999_999_999_926n, after: 8_999_999_999_999_999_901n });
      expect((await store.senderIds.findByValue(acc, 'PRESPLIT'))!.id).toBe('sid_presplit');
      expect((await store.virtualNumbers.findByNumber('+15550001111'))!.id).toBe('vn_presplit');
      expect((await store.campaigns.get(acc, 'cmp_presplit'))!.progress.costMinor).toBe(0n);
      expect((await store.outbox.pending(10)).map((e) => e.id)).toEqual(['evt_presplit_pending']);
      expect(await store.retention.prune('2026-01-01T12:00:00.000Z')).toEqual({ deliveryAttempts: 0, dispatchedEvents: 1 });
      expect(await store.outbox.get(acc, 'evt_presplit_old')).toBeNull();
    } finally {
      await store.close();
      db.close();
    }
  });
});
