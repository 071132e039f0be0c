import { CosmosClient } from '@azure/cosmos';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';

export interface CosmosConnectionConfig {
  /** e.g. `https://my-account.documents.azure.com:443/` */
  endpoint: string;
  /** Account key: only for the emulator or a local run. Empty or null: Entra ID. */
  key?: string | null;
  /** Defaults to DefaultAzureCredential (managed identity in Azure, developer login locally). */
  credential?: TokenCredential;
}

/**
 * Builds the real `CosmosClient`. Without a key it authenticates with Entra ID, so no account key
 * sits in the app settings; the identity needs the "Cosmos DB Built-in Data Contributor" data-plane
 * role on the account (infra/modules/cosmos.bicep assigns it).
 */
export function cosmosClientFromConfig(config: CosmosConnectionConfig): CosmosClient {
  if (!config.endpoint) throw new Error('Cosmos DB endpoint is empty');
  if (config.key) return new CosmosClient({ endpoint: config.endpoint, key: config.key });
  return new CosmosClient({ endpoint: config.endpoint, aadCredentials: config.credential ?? new DefaultAzureCredential() });
}
