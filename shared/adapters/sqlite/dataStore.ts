import type { DataStore } from '../../ports/stores';
import { createSqliteAccounts } from './accounts';
import { createSqliteApiKeyStore } from './apiKeys';
import { createSqliteAuditStore } from './audit';
import { createSqliteCampaignStore } from './campaigns';
import { createSqliteContactStores } from './contacts';
import { groupCommitFor, type Db } from './database';
import { createSqliteKeywordRuleStore } from './keywordRules';
import { carryOverLegacyVersions, recordLegacyVersion } from './legacySchema';
import { createSqliteMessageStore } from './messages';
import { createSqliteOptOutStore } from './optOuts';
import { createSqliteOutbox } from './outbox';
import { createSqlitePrivacyStore } from './privacy';
import { createSqlitePacingStore } from './pacing';
import { createSqliteRetention } from './retention';
import { createSqliteSenderIdStore } from './senderIds';
import { createSqliteVirtualNumberStore } from './virtualNumbers';
import { createSqliteWebhookStores } from './webhookStores';

/**
 * SQLite implementation of every store port: one file per store, each with its own table(s) and
 * migrations, sharing the database handle and its group commit. Events raised with a change are
 * written by the outbox inside that change's write.
 */
export function createSqliteDataStore(db: Db): DataStore {
  carryOverLegacyVersions(db);
  const outbox = createSqliteOutbox(db);
  const { appendEvents } = outbox;
  const accounts = createSqliteAccounts(db, appendEvents);
  const messages = createSqliteMessageStore(db, accounts.balances, appendEvents);
  const senderIds = createSqliteSenderIdStore(db, appendEvents);
  const virtualNumbers = createSqliteVirtualNumberStore(db);
  recordLegacyVersion(db);
  const { subscriptions, deliveries, pruneDeliveryAttempts } = createSqliteWebhookStores(db);
  const gc = groupCommitFor(db);

  return {
    accounts: accounts.store,
    audit: createSqliteAuditStore(db),
    messages,
    senderIds,
    virtualNumbers,
    outbox: outbox.store,
    subscriptions,
    deliveries,
    optOuts: createSqliteOptOutStore(db),
    keywordRules: createSqliteKeywordRuleStore(db),
    apiKeys: createSqliteApiKeyStore(db),
    pacing: createSqlitePacingStore(db),
    ...createSqliteContactStores(db, appendEvents),
    campaigns: createSqliteCampaignStore(db, appendEvents),
    privacy: createSqlitePrivacyStore(db),
    retention: createSqliteRetention(db, { deliveryAttempts: pruneDeliveryAttempts, dispatchedEvents: outbox.pruneDispatched }),
    async close() {
      // The database handle is owned by whoever opened it (shared with the queue); commit what is open.
      gc.flush();
    },
  };
}
