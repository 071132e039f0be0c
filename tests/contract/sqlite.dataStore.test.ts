import { migrate, openDatabase } from '../../shared/adapters/sqlite/database';
import { MIGRATIONS, createSqliteDataStore } from '../../shared/adapters/sqlite/dataStore';
import { makeMessage } from '../fixtures/records';
import { describeDataStoreContract } from './dataStore.contract';
import { describeWebhookStoreContract } from './webhookStores.contract';

async function openSqliteStore() {
  const db = openDatabase(':memory:');
  const store = createSqliteDataStore(db);
  return {
    store,
    cleanup: async () => {
      await store.close();
      db.close();
    },
  };
}

describeDataStoreContract('SQLite data store', openSqliteStore);
describeWebhookStoreContract('SQLite data store', openSqliteStore);

describe('SQLite data store upgrades', () => {
  it('adds the campaign column to a database written before campaigns: old messages stay readable and countable', async () => {
    const db = openDatabase(':memory:');
    // The schema as the release before campaigns left it (its two migrations), with one message.
    migrate(db, MIGRATIONS.slice(0, 2), 'datastore');
    const old = makeMessage({ status: 'delivered' });
    db.prepare(
      `INSERT INTO messages (account_id, id, status, to_number, from_sender, created_at, updated_at, carrier, etag, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'etag-1', ?)`,
    ).run(old.accountId, old.id, old.status, old.to, old.from, old.createdAt, old.updatedAt, old.carrier, JSON.stringify(old));

    const store = createSqliteDataStore(db);
    try {
      expect(await store.messages.get(old.accountId, old.id)).toEqual({ ...old, etag: 'etag-1' });
      expect((await store.messages.list(old.accountId, {}, { limit: 10 })).items).toHaveLength(1);
      expect((await store.messages.list(old.accountId, { campaignId: 'cmp_x' }, { limit: 10 })).items).toEqual([]);
      expect((await store.messages.countByStatus(old.accountId, {})).delivered).toBe(1);
      expect(Object.values(await store.messages.countByStatus(old.accountId, { campaignId: 'cmp_x' }))).toEqual([0, 0, 0, 0, 0, 0, 0]);
    } finally {
      await store.close();
      db.close();
    }
  });
});
