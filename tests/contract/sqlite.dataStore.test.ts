import { migrate, openDatabase } from '../../shared/adapters/sqlite/database';
import { createSqliteDataStore } from '../../shared/adapters/sqlite/dataStore';
import { legacyDataStoreMigrations } from '../../shared/adapters/sqlite/legacySchema';
import { makeAccount, makeCampaign, makeMessage } from '../fixtures/records';
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
    migrate(db, legacyDataStoreMigrations().slice(0, 2), 'datastore');
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

  it('reads accounts and campaigns written before amounts were strings, and the balance column as bigint', async () => {
    const db = openDatabase(':memory:');
    const store = createSqliteDataStore(db);
    try {
      // As the release before wrote them: the threshold and the campaign cost as JSON numbers.
      const old = makeAccount();
      const { etag: _none, ...doc } = { ...old, balance: 1_000_000, lowBalanceThreshold: 100_000 };
      db.prepare('INSERT INTO accounts (id, api_key_hash, balance, etag, doc) VALUES (?, ?, ?, ?, ?)').run(
        old.id,
        old.apiKeyHash,
        1_000_000,
        'etag-1',
        JSON.stringify(doc),
      );
      const campaign = await store.campaigns.create(makeCampaign({ accountId: old.id }));
      const raw = JSON.parse((db.prepare('SELECT doc FROM campaigns WHERE id = ?').get(campaign.id) as { doc: string }).doc) as Record<
        string,
        { costMinor: unknown }
      >;
      expect(raw.progress!.costMinor).toBe('0');
      db.prepare('UPDATE campaigns SET doc = ? WHERE id = ?').run(
        JSON.stringify({ ...raw, progress: { ...raw.progress, costMinor: 4_500 } }),
        campaign.id,
      );

      expect(await store.accounts.get(old.id)).toEqual({ ...old, balance: 1_000_000n, lowBalanceThreshold: 100_000n, etag: 'etag-1' });
      expect((await store.campaigns.get(old.id, campaign.id))!.progress.costMinor).toBe(4_500n);
      // The largest balance is kept exactly in the INTEGER column, past 2^53.
      expect(await store.accounts.credit(old.id, 9_999_999_998_999_999n)).toEqual({ before: 1_000_000n, after: 9_999_999_999_999_999n });
      expect((await store.accounts.get(old.id))!.balance).toBe(9_999_999_999_999_999n);
    } finally {
      await store.close();
      db.close();
    }
  });
});
