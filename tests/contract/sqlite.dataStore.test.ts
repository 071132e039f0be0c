import { openDatabase } from '../../shared/adapters/sqlite/database';
import { createSqliteDataStore } from '../../shared/adapters/sqlite/dataStore';
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
