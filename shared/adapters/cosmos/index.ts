import { CosmosOptOutStore } from './optOuts';
import {
  PartitionKeyDefinitionVersion,
  PartitionKeyKind,
  type Container,
  type ContainerDefinition,
  type CosmosClient,
  type Database,
} from '@azure/cosmos';
import type { DataStore } from '../../ports/stores';
import { CosmosAccountStore } from './accounts';
import { CosmosApiKeyStore } from './apiKeys';
import { CosmosAuditStore } from './audit';
import { CosmosCampaignStore } from './campaigns';
import { CosmosContactStore, CosmosGroupStore } from './contacts';
import { CosmosKeywordRuleStore } from './keywordRules';
import { cosmosContainers, type CosmosContainerName } from './containers';
import type { CosmosContext, CosmosStoreSettings } from './context';
import { CosmosMessageStore } from './messages';
import { CosmosOutboxStore } from './outbox';
import { CosmosPrivacyStore } from './privacy';
import { CosmosPacingStore } from './pacing';
import { CosmosSenderIdStore } from './senderIds';
import { CosmosVirtualNumberStore } from './virtualNumbers';
import { CosmosDeliveryAttemptStore, CosmosSubscriptionStore } from './webhooks';

export { cosmosContainers } from './containers';
export type { CosmosContainerDescription, CosmosCompositePath, CosmosContainerName } from './containers';
export { AccountNotFoundError } from './accounts';
export { cosmosClientFromConfig, type CosmosConnectionConfig } from './client';
export { openCosmosSimulatorLog, simulatorLogId, type CosmosSimulatorLogOptions } from './simulatorLog';
export type { CosmosClient } from '@azure/cosmos';

export interface OpenCosmosDataStoreOptions {
  /** Owned by the caller: `close()` does not dispose it. */
  client: CosmosClient;
  databaseId: string;
  /**
   * Create the database and containers when they are missing (tests, local runs). In Azure the
   * Bicep templates create them and this stays false: the store then only checks they exist with
   * the expected partition keys.
   */
  createIfMissing?: boolean;
  /** Seconds dispatched outbox events are kept for inspection and redelivery. Default 30 days. */
  dispatchedEventTtlSeconds?: number;
  /** Seconds carrier-message-id pointers are kept. Default 90 days. */
  carrierLookupTtlSeconds?: number;
  /** Seconds an Idempotency-Key is remembered. Default 30 days (retries of a create come within minutes). */
  idempotencyTtlSeconds?: number;
  /** Seconds an audit record is kept (AUDIT_RETENTION_DAYS). Default 365 days. */
  auditTtlSeconds?: number;
  /** Optimistic-concurrency attempts on one account balance before ConcurrencyError. Default 100. */
  maxConcurrencyRetries?: number;
  /** Age after which a pointer to a record that was never written may be reclaimed. Default 120 s. */
  orphanGraceSeconds?: number;
}

const DAY = 24 * 60 * 60;

export function containerDefinition(name: CosmosContainerName): ContainerDefinition {
  const d = cosmosContainers[name];
  const compositeIndexes: ReadonlyArray<ReadonlyArray<{ path: string; order: 'ascending' | 'descending' }>> =
    d.indexingPolicy.compositeIndexes;
  return {
    id: d.id,
    partitionKey: { paths: [...d.partitionKey.paths], kind: PartitionKeyKind.Hash, version: PartitionKeyDefinitionVersion.V2 },
    indexingPolicy: {
      indexingMode: d.indexingPolicy.indexingMode,
      automatic: d.indexingPolicy.automatic,
      includedPaths: d.indexingPolicy.includedPaths.map((p) => ({ path: p.path })),
      excludedPaths: d.indexingPolicy.excludedPaths.map((p) => ({ path: p.path })),
      compositeIndexes: compositeIndexes.map((index) => index.map((p) => ({ path: p.path, order: p.order }))),
    },
    ...(d.defaultTtl === undefined ? {} : { defaultTtl: d.defaultTtl }),
  };
}

async function openContainer(database: Database, name: CosmosContainerName, create: boolean): Promise<Container> {
  const definition = containerDefinition(name);
  const id = definition.id as string;
  let resource: ContainerDefinition | undefined;
  if (create) {
    ({ resource } = await database.containers.createIfNotExists(definition));
  } else {
    try {
      ({ resource } = await database.container(id).read());
    } catch (err) {
      throw new Error(`Cosmos DB container ${database.id}/${id} cannot be read (missing? deploy the infrastructure first)`, { cause: err });
    }
    if (!resource) throw new Error(`Cosmos DB container ${database.id}/${id} does not exist (deploy the infrastructure first)`);
  }
  const expected = definition.partitionKey?.paths.join(',');
  const actual = resource?.partitionKey?.paths.join(',');
  if (actual !== expected) {
    throw new Error(`Cosmos DB container ${database.id}/${id} is partitioned by ${actual ?? '(nothing)'}, expected ${expected}`);
  }
  return database.container(id);
}

/**
 * A DataStore on Cosmos DB (NoSQL API). See README.md in this folder for the container model, the
 * transactional units and their limits.
 */
export async function openCosmosDataStore(options: OpenCosmosDataStoreOptions): Promise<DataStore> {
  const { client, databaseId, createIfMissing = false } = options;
  const database = createIfMissing ? (await client.databases.createIfNotExists({ id: databaseId })).database : client.database(databaseId);
  const [tenants, lookups] = await Promise.all([
    openContainer(database, 'tenants', createIfMissing),
    openContainer(database, 'lookups', createIfMissing),
  ]);
  const settings: CosmosStoreSettings = {
    dispatchedEventTtlSeconds: options.dispatchedEventTtlSeconds ?? 30 * DAY,
    carrierLookupTtlSeconds: options.carrierLookupTtlSeconds ?? 90 * DAY,
    idempotencyTtlSeconds: options.idempotencyTtlSeconds ?? 30 * DAY,
    auditTtlSeconds: options.auditTtlSeconds ?? 365 * DAY,
    maxConcurrencyRetries: options.maxConcurrencyRetries ?? 100,
    orphanGraceSeconds: options.orphanGraceSeconds ?? 120,
  };
  const ctx: CosmosContext = { tenants, lookups, settings };
  return {
    accounts: new CosmosAccountStore(ctx),
    audit: new CosmosAuditStore(ctx),
    messages: new CosmosMessageStore(ctx),
    senderIds: new CosmosSenderIdStore(ctx),
    virtualNumbers: new CosmosVirtualNumberStore(ctx),
    outbox: new CosmosOutboxStore(ctx),
    subscriptions: new CosmosSubscriptionStore(ctx),
    deliveries: new CosmosDeliveryAttemptStore(ctx),
    optOuts: new CosmosOptOutStore(ctx),
    campaigns: new CosmosCampaignStore(ctx),
    contacts: new CosmosContactStore(ctx),
    groups: new CosmosGroupStore(ctx),
    keywordRules: new CosmosKeywordRuleStore(ctx),
    privacy: new CosmosPrivacyStore(ctx),
    apiKeys: new CosmosApiKeyStore(ctx),
    pacing: new CosmosPacingStore(ctx),
    retention: {
      // Attempts and dispatched events carry a time-to-live (30 days by default): Cosmos DB deletes
      // them itself, at no request-unit cost, so there is nothing for a job to do here.
      prune: async () => ({ deliveryAttempts: 0, dispatchedEvents: 0 }),
    },
    // The client belongs to the caller (it is usually shared by the whole Functions host).
    close: async () => undefined,
  };
}
