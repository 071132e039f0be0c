import { openDatabase } from '../../shared/adapters/sqlite/database';
import { createSqliteDataStore } from '../../shared/adapters/sqlite/dataStore';
import { describeDataStoreContract } from './dataStore.contract';
import { describeWebhookStoreContract } from './webhookStores.contract';

describeDataStoreContract('SQLite data store', async () => {
  const db = openDatabase(':memory:');
  const store = createSqliteDataStore(db);
  return {
    store,
    cleanup: async () => {
      await store.close();
      db.close();
    },
  };
});

describeWebhookStoreContract('SQLite data store', async () => {
  const db = openDatabase(':memory:');
  const store = createSqliteDataStore(db);
  return {
    store,
    cleanup: async () => {
      await store.close();
      db.close();
    },
  };
});
