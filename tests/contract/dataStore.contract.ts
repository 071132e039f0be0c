/**
 * The behaviour every DataStore adapter must show (SQLite, Cosmos DB, ...). One store is opened for
 * the whole suite; every test works on accounts of its own, so tests do not see each other's tenant
 * data. The few cross-tenant queries (pending outbox, stale messages, account listing) are written to
 * hold whatever other tests left behind.
 *
 * Semantics pinned here beyond the doc comments of shared/ports/stores.ts (both adapters agree):
 *  - an account's etag guards what `accounts.update` writes. `update` never writes the balance, which
 *    only `accept`, `transition` and `credit` move, and those do not change the etag;
 *  - `credit` accepts negative amounts (deductions);
 *  - `listStale('queued')` compares `updatedAt`, `listStale('scheduled')` compares `scheduledFor`,
 *    both strictly older than the bound;
 *  - outbox `since` is inclusive, like the message filter's.
 *
 * What the suite leaves to the adapter: the balance reported by a replayed accept; the order of
 * `senderIds.list`, `virtualNumbers.list` and `listStale`; which events come first when two share an
 * `occurredAt`; what `markDispatched` does with unknown ids (only that it does not throw).
 */
import { describeAccountStoreContract } from './dataStore/accounts.contract';
import { describeApiKeyStoreContract } from './dataStore/apiKeys.contract';
import { describeAuditStoreContract } from './dataStore/audit.contract';
import { describeCampaignStoreContract } from './dataStore/campaigns.contract';
import { describeContactStoresContract } from './dataStore/contacts.contract';
import { useStoreUnderTest, type DataStoreUnderTest } from './dataStore/harness';
import { describeKeywordRuleStoreContract } from './dataStore/keywordRules.contract';
import { describeMessageAcceptContract } from './dataStore/messageAccept.contract';
import { describeMessageStoreContract } from './dataStore/messages.contract';
import { describeOptOutStoreContract } from './dataStore/optOuts.contract';
import { describeOutboxStoreContract } from './dataStore/outbox.contract';
import { describePrivacyStoreContract } from './dataStore/privacy.contract';
import { describePacingStoreContract } from './dataStore/pacing.contract';
import { describeSenderIdStoreContract } from './dataStore/senderIds.contract';
import { describeVirtualNumberStoreContract } from './dataStore/virtualNumbers.contract';

export type { DataStoreUnderTest } from './dataStore/harness';

/** Every part of the contract (one file per store in ./dataStore/) against one store opened once. */
export function describeDataStoreContract(name: string, open: () => Promise<DataStoreUnderTest>): void {
  describe(`DataStore contract: ${name}`, () => {
    const t = useStoreUnderTest(open);
    describeAccountStoreContract(t);
    describeMessageAcceptContract(t);
    describeMessageStoreContract(t);
    describeSenderIdStoreContract(t);
    describeVirtualNumberStoreContract(t);
    describeOptOutStoreContract(t);
    describeKeywordRuleStoreContract(t);
    describeCampaignStoreContract(t);
    describeContactStoresContract(t);
    describeOutboxStoreContract(t);
    describePrivacyStoreContract(t);
    describeApiKeyStoreContract(t);
    describePacingStoreContract(t);
    describeAuditStoreContract(t);
  });
}
