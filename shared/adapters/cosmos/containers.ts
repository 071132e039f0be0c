/**
 * The Cosmos DB container model, as plain data: the adapter creates containers from it, and the
 * infrastructure checks compare it with the Bicep templates. Shapes follow the ARM
 * `Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers` `resource` object.
 *
 * tenants   partition key /accountId. Everything owned by one account lives in its logical
 *           partition: the account document itself (balance included), messages, idempotency
 *           markers, sender ids, virtual numbers, campaigns, outbox events and audit records (operator records on
 *           no account in the partition `_operator`). Every tenant call is
 *           therefore single-partition, and the units of work of the port (debit + message +
 *           events, refund + transition + events, sender-id decision + events, campaign update +
 *           events) are transactional batches. Contacts and contact groups live here too, each
 *           with a marker document (id derived from the phone / the lower-cased name) created,
 *           moved and deleted in the same batch as the record: the uniqueness constraints. Keyword
 *           rules likewise, their marker derived from keyword, match type and number.
 *           Per-item TTL is on (defaultTtl -1: nothing expires unless it carries `ttl`): outbox
 *           events get a `ttl` when dispatched, audit records one of AUDIT_RETENTION_DAYS.
 *
 * lookups   partition key /id. Small pointer documents for the cross-tenant look-ups that run on hot
 *           paths, all served by 1-RU point reads instead of fan-out queries: API-key hash -> key
 *           record (authenticated requests, behind a 5 s in-process cache; the older hash -> account
 *           pointers serve keys from before key records), carrier message id -> message (every delivery report),
 *           phone number -> virtual number (every inbound message, and the global uniqueness of
 *           numbers). Pointers are hints: readers verify them against the tenant document, so a
 *           pointer left behind by a crash is harmless. Carrier pointers carry a `ttl`.
 *
 * Only the paths the queries filter or sort on are indexed (see the query list in README.md); `id`
 * and `_ts` are always indexed by Cosmos DB. Composite indexes match the ORDER BY clauses exactly.
 */

export interface CosmosCompositePath {
  path: string;
  order: 'ascending' | 'descending';
}

export interface CosmosContainerDescription {
  id: string;
  partitionKey: { paths: readonly string[]; kind: 'Hash'; version: 2 };
  indexingPolicy: {
    indexingMode: 'consistent';
    automatic: true;
    includedPaths: readonly { path: string }[];
    excludedPaths: readonly { path: string }[];
    compositeIndexes: readonly (readonly CosmosCompositePath[])[];
  };
  /** -1: per-item TTL enabled, items without `ttl` never expire. Absent: TTL off. */
  defaultTtl?: number;
}

export const cosmosContainers = {
  tenants: {
    id: 'tenants',
    partitionKey: { paths: ['/accountId'], kind: 'Hash', version: 2 },
    indexingPolicy: {
      indexingMode: 'consistent',
      automatic: true,
      includedPaths: [
        { path: '/docType/?' }, // every query: discriminates accounts, messages, sender ids, events...
        { path: '/accountId/?' }, // every tenant query repeats the partition key
        { path: '/status/?' }, // messages.list (status), messages.countByStatus, messages.listStale, senderIds.list (status), campaigns.list (status), campaigns.listInStatus
        { path: '/to/?' }, // messages.list (to)
        { path: '/from/?' }, // messages.list (from)
        { path: '/createdAt/?' }, // messages.list since/until and order, campaigns.list order
        { path: '/updatedAt/?' }, // messages.listStale (queued), campaigns.listInStatus
        { path: '/scheduledFor/?' }, // messages.listStale (scheduled)
        { path: '/value/?' }, // senderIds.findByValue
        { path: '/type/?' }, // outbox.listForAccount (type)
        { path: '/occurredAt/?' }, // outbox.pending and listForAccount (since, order)
        { path: '/dispatched/?' }, // outbox.pending
        { path: '/eventType/?' }, // subscriptions.listActive
        { path: '/targetId/?' }, // deliveries.list
        { path: '/at/?' }, // deliveries.list (since, order), audit.list (since, until, order)
        { path: '/eventId/?' }, // deliveries.list (eventId)
        { path: '/phone/?' }, // optOuts.list (after, order), contacts.list (phone)
        { path: '/campaignId/?' }, // messages.list (campaignId), messages.countByStatus (campaignId)
        { path: '/kind/?' }, // campaigns.list (kind)
        { path: '/groupIds/[]/?' }, // contacts.list and contacts.count (ARRAY_CONTAINS group filter)
        { path: '/keyId/?' }, // audit.list (keyId)
        { path: '/operationId/?' }, // audit.list (operationId)
        { path: '/resourceId/?' }, // audit.list (resourceId)
      ],
      excludedPaths: [{ path: '/*' }],
      compositeIndexes: [
        // messages.list and campaigns.list without a status (or campaign) filter
        [
          { path: '/createdAt', order: 'descending' },
          { path: '/id', order: 'descending' },
        ],
        // messages.list and campaigns.list with a status filter (equality prefix, then the same order)
        [
          { path: '/status', order: 'ascending' },
          { path: '/createdAt', order: 'descending' },
          { path: '/id', order: 'descending' },
        ],
        // messages.list of one campaign (equality prefix, then the same order)
        [
          { path: '/campaignId', order: 'ascending' },
          { path: '/createdAt', order: 'descending' },
          { path: '/id', order: 'descending' },
        ],
        // outbox.pending: seek to dispatched = false, oldest first
        [
          { path: '/dispatched', order: 'ascending' },
          { path: '/occurredAt', order: 'ascending' },
          { path: '/id', order: 'ascending' },
        ],
        // outbox.listForAccount
        [
          { path: '/occurredAt', order: 'ascending' },
          { path: '/id', order: 'ascending' },
        ],
        // deliveries.list and audit.list: newest first
        [
          { path: '/at', order: 'descending' },
          { path: '/id', order: 'descending' },
        ],
      ],
    },
    defaultTtl: -1,
  },
  lookups: {
    id: 'lookups',
    partitionKey: { paths: ['/id'], kind: 'Hash', version: 2 },
    indexingPolicy: {
      // Point reads only: nothing to index.
      indexingMode: 'consistent',
      automatic: true,
      includedPaths: [],
      excludedPaths: [{ path: '/*' }],
      compositeIndexes: [],
    },
    defaultTtl: -1,
  },
} as const satisfies Record<string, CosmosContainerDescription>;

export type CosmosContainerName = keyof typeof cosmosContainers;
