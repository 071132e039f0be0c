import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../shared/adapters/sqlite/database';
import { createSqliteDataStore } from '../../shared/adapters/sqlite/dataStore';
import { createSqliteMeta } from '../../shared/adapters/sqlite/meta';
import type { Message } from '../../shared/domain/types';
import { ConcurrencyError } from '../../shared/ports/stores';
import { makeMessage } from '../fixtures/records';

/**
 * A data folder written before the SQLite stores got one file (and one migration component) each
 * opens unchanged: no migration runs again, the schema is the one a new folder gets, the data reads.
 */
const FIXTURE = readFileSync(join(__dirname, '../fixtures/sqlite/dataFolderBeforeStoreSplit.sql'), 'utf8');

type SchemaRow = { type: string; name: string; tbl_name: string; sql: string | null };
const schemaOf = (db: Db): SchemaRow[] =>
  db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all() as SchemaRow[];
const versionsOf = (db: Db): Record<string, number> =>
  Object.fromEntries(
    (db.prepare('SELECT component, version FROM schema_versions').all() as { component: string; version: number }[]).map((r) => [
      r.component,
      r.version,
    ]),
  );

/** Tables added since that release (each store migrates its own in): compared apart. */
const ADDED_SINCE = ['api_keys', 'send_limits', 'pace_states', 'audit_log'];
const oldPart = (rows: SchemaRow[]): SchemaRow[] => rows.filter((r) => !ADDED_SINCE.includes(r.tbl_name));
const addedPart = (rows: SchemaRow[]): SchemaRow[] => rows.filter((r) => ADDED_SINCE.includes(r.tbl_name));

function openOldFolder(): Db {
  const db = openDatabase(':memory:');
  db.exec(FIXTURE);
  return db;
}

describe('SQLite data folder from before the per-store migrations', () => {
  it('upgraded, it has exactly the tables and indexes (statement text included) of a new folder', () => {
    const old = openOldFolder();
    createSqliteMeta(old);
    void createSqliteDataStore(old).close();
    const fresh = openDatabase(':memory:');
    createSqliteMeta(fresh);
    const store = createSqliteDataStore(fresh);
    try {
      expect(schemaOf(fresh)).toEqual(schemaOf(old));
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
    const before = schemaOf(db).filter((r) => r.tbl_name !== 'messages');
    createSqliteMeta(db);
    const store = createSqliteDataStore(db);
    try {
      // Only the messages table changed since (version 3, compact rows; the outbox only its rows); the rest is as it was.
      expect(oldPart(schemaOf(db)).filter((r) => r.tbl_name !== 'messages')).toEqual(before);
      // The tables added since are created in the old folder exactly as in a new one.
      const fresh = openDatabase(':memory:');
      createSqliteDataStore(fresh);
      expect(addedPart(schemaOf(db))).toEqual(addedPart(schemaOf(fresh)));
      expect(addedPart(schemaOf(db)).length).toBeGreaterThan(0);
      fresh.close();
      expect(versionsOf(db)).toEqual({
        meta: 1,
        datastore: 3,
        accounts: 1,
        messages: 3,
        senderIds: 1,
        virtualNumbers: 1,
        outbox: 3,
        webhooks: 2,
        optouts: 1,
        keywordRules: 1,
        contacts: 1,
        campaigns: 1,
        apiKeys: 1,
        audit: 1,
        pacing: 1,
      });
      // Opening it again (now with the per-store rows) changes nothing either.
      const upgraded = schemaOf(db);
      createSqliteDataStore(db);
      expect(schemaOf(db)).toEqual(upgraded);
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

/**
 * A data folder written by the release before compact message rows (messages version 2: WITHOUT
 * ROWID, one JSON document per message) upgrades in place: every message reads back as that
 * release read it, and carries on through transitions, lists, lookups and replays.
 */
const BEFORE_COMPACT = readFileSync(join(__dirname, '../fixtures/sqlite/dataFolderBeforeCompactMessages.sql'), 'utf8');
const ACC = 'acc_01M94SQGZAEB9EEFP9B5WDVM0K';

describe('SQLite data folder from before compact message rows', () => {
  function open(): { db: Db; before: Message[] } {
    const db = openDatabase(':memory:');
    db.exec(BEFORE_COMPACT);
    // What the old release read: its document with the etag beside it.
    const before = (db.prepare('SELECT doc, etag FROM messages ORDER BY id').all() as { doc: string; etag: string }[]).map((r) => ({
      ...(JSON.parse(r.doc) as Message),
      etag: r.etag,
    }));
    return { db, before };
  }

  it('reads every message exactly as the old release did, and lists and finds them', async () => {
    const { db, before } = open();
    createSqliteMeta(db);
    const store = createSqliteDataStore(db);
    try {
      expect(before).toHaveLength(6);
      expect(versionsOf(db).messages).toBe(3);
      for (const m of before) expect(await store.messages.get(m.accountId, m.id)).toEqual(m);
      const listed = await store.messages.list(ACC, {}, { limit: 10 });
      expect(listed.items.map((m) => m.id)).toEqual(
        [...before]
          .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1))
          .map((m) => m.id),
      );
      expect((await store.messages.list(ACC, { campaignId: 'cmp_old' }, { limit: 10 })).items.map((m) => m.id)).toEqual([
        'msg_old_campaign_1',
      ]);
      expect(await store.messages.countByStatus(ACC, {})).toMatchObject({ delivered: 2, undelivered: 1, scheduled: 1, queued: 2 });
      const delivered = before.find((m) => m.id === 'msg_01M94SQH1TA5HFNK94K2JHTKAQ')!;
      expect(await store.messages.findByCarrierMessageId('simulator', delivered.carrierMessageId!)).toEqual(delivered);
      expect((await store.messages.listStale('scheduled', '2999-01-01T00:00:00.000Z', 10)).map((m) => m.id)).toEqual([
        'msg_01M94SQH2Z5SR7C7BB9W16XDWE',
      ]);
      const replay = await store.messages.accept(makeMessage({ accountId: ACC, idempotencyKey: 'idem-old-2' }), 75n, () => []);
      expect(replay).toMatchObject({ replayed: true, message: { id: 'msg_01M94SQH30QPXWPK5WKHWRTCJJ' } });
    } finally {
      await store.close();
      db.close();
    }
  });

  it('transitions an old message with its old etag, then only with the new one', async () => {
    const { db, before } = open();
    const store = createSqliteDataStore(db);
    try {
      const queued = before.find((m) => m.id === 'msg_01M94SQH30QPXWPK5WKHWRTCJJ')!;
      const at = '2026-12-06T05:00:00.000Z';
      const next: Message = {
        ...queued,
        status: 'sent',
        sentAt: at,
        updatedAt: at,
        attempts: 1,
        carrierMessageId: 'sim-upgraded',
        history: [...queued.history, { status: 'sent', at }],
      };
      const { message: sent } = await store.messages.transition(next, 0n, () => []);
      expect(sent.etag).not.toBe(queued.etag);
      expect(await store.messages.get(ACC, queued.id)).toEqual(sent);
      await expect(store.messages.transition({ ...next, status: 'failed' }, 0n, () => [])).rejects.toBeInstanceOf(ConcurrencyError);
      const { message: delivered } = await store.messages.transition(
        { ...sent, status: 'delivered', deliveredAt: at, updatedAt: at },
        0n,
        () => [],
      );
      expect(await store.messages.findByCarrierMessageId('simulator', 'sim-upgraded')).toEqual(delivered);
    } finally {
      await store.close();
      db.close();
    }
  });
});
