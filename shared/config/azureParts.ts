import { createHmac } from 'node:crypto';
import { hashApiKey } from '../app/apiKeys';
import { cosmosClientFromConfig, openCosmosDataStore, openCosmosSimulatorLog, type CosmosClient } from '../adapters/cosmos';
import { createServiceBusTaskQueue, serviceBusClientFromConfig, type ServiceBusClientLike } from '../adapters/servicebus';
import type { Clock, Logger } from '../ports';
import { ConfigError, type Config } from './config';
import type { InfrastructureParts } from './runtime';

/**
 * SDK clients to use instead of building them from the settings: tests pass a client of the
 * in-process Cosmos server and the fake Service Bus. Clients passed in belong to the caller and are
 * not closed by `close()`.
 */
export interface AzureClients {
  cosmos?: CosmosClient;
  serviceBus?: ServiceBusClientLike;
}

/**
 * Azure mode: Cosmos DB for the store and the simulator's memory, one Service Bus queue per task
 * type, secrets from settings (Key Vault references in the Function App). Authentication is Entra ID
 * (DefaultAzureCredential: the app's managed identity) unless a key or connection string is set.
 */
export async function createAzureParts(
  config: Config,
  clock: Clock,
  clients: AzureClients = {},
  logger?: Logger,
): Promise<InfrastructureParts> {
  const { adminApiKey } = config;
  const simulatorSecret = config.simulator.secret;
  // loadConfig refuses Azure mode without these; a Config built by hand must not get past here either.
  if (!adminApiKey || !simulatorSecret) throw new ConfigError('Azure mode needs ADMIN_API_KEY and SIMULATOR_SECRET');
  const ownCosmos = clients.cosmos
    ? null
    : cosmosClientFromConfig({ endpoint: requireSetting(config.cosmos.endpoint, 'COSMOS_ENDPOINT'), key: config.cosmos.key });
  const cosmos = clients.cosmos ?? (ownCosmos as CosmosClient);
  const ownBus = clients.serviceBus ? null : serviceBusClientFromConfig(serviceBusConnection(config));
  const bus = clients.serviceBus ?? (ownBus as ServiceBusClientLike);
  try {
    // With a key (emulator, local runs) the store may create what is missing. With Entra ID it
    // cannot (data-plane roles do not cover databases and containers): Bicep created them.
    const createIfMissing = Boolean(config.cosmos.key);
    const store = await openCosmosDataStore({
      client: cosmos,
      databaseId: config.cosmos.database,
      createIfMissing,
      auditTtlSeconds: config.auditRetentionDays * 86_400,
    });
    const queue = createServiceBusTaskQueue({ client: bus, clock, maxAttempts: config.queueMaxAttempts, ...(logger ? { logger } : {}) });
    return {
      store,
      queue,
      // Functions consume through triggers; the pull side serves the dead-letter admin routes.
      receiver: queue,
      redelivery: {
        maxAttempts: config.queueMaxAttempts,
        sendRetry: (task, attempt, delayMs, reason) => queue.sendRetry(task, attempt, delayMs, reason),
      },
      simulatorLog: openCosmosSimulatorLog({ client: cosmos, databaseId: config.cosmos.database }),
      adminKeyHash: hashApiKey(adminApiKey),
      simulatorSecret,
      pageTokenSecret: pageTokenSecretFrom(adminApiKey),
      privacyHashSecret: privacyHashSecretFrom(adminApiKey),
      generated: { adminApiKey: null },
      async close() {
        await queue.close();
        await store.close();
        await ownBus?.close();
        ownCosmos?.dispose();
      },
    };
  } catch (err) {
    await ownBus?.close().catch(() => undefined);
    ownCosmos?.dispose();
    throw err;
  }
}

/**
 * Azure mode keeps no generated secrets, so the page-token key is derived from the operator key
 * (a Key Vault secret already): every instance agrees on it, and rotating the operator key only
 * invalidates the continuation tokens in flight.
 */
function pageTokenSecretFrom(adminApiKey: string): string {
  return createHmac('sha256', adminApiKey).update('dataflows-sms/page-tokens/v1').digest('base64url');
}

/**
 * Like the page-token key, derived from the operator key (a Key Vault secret): every instance
 * agrees on it. Caveat: rotating ADMIN_API_KEY changes it, and the opt-outs of numbers erased
 * before are then no longer found (docs/privacy.md).
 */
function privacyHashSecretFrom(adminApiKey: string): string {
  return createHmac('sha256', adminApiKey).update('dataflows-sms/privacy-hash/v1').digest('base64url');
}

function requireSetting(value: string | null, name: string): string {
  if (!value) throw new ConfigError(`Azure mode needs ${name}`);
  return value;
}

function serviceBusConnection(config: Config): { connectionString: string } | { fullyQualifiedNamespace: string } {
  const { connectionString, namespace } = config.serviceBus;
  if (connectionString) return { connectionString };
  return { fullyQualifiedNamespace: requireSetting(namespace, 'SERVICEBUS_NAMESPACE or SERVICEBUS_CONNECTION_STRING') };
}
