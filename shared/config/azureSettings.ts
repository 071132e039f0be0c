/**
 * Where each setting comes from when the service runs on Azure Functions. The infrastructure test
 * (tests/unit/infra.test.ts) holds infra/ to it: every `app` and `keyVault` setting is in the
 * Function App's settings (secrets as Key Vault references, never values), no `embedded` setting
 * is, and every setting of SETTINGS is classified here, so a new setting cannot be forgotten in Bicep.
 *
 *  app       a plain app setting, from a Bicep parameter or a resource output
 *  keyVault  a secret: the app setting is a Key Vault reference resolved by the platform with the
 *            app's managed identity (carrier secrets only when the operator supplies them)
 *  platform  derived on Azure without an app setting (PUBLIC_BASE_URL from WEBSITE_HOSTNAME)
 *  embedded  read only by the embedded host or for keys Azure replaces by managed identity
 */
import { CARRIER_AZURE_SOURCES } from './carriers';

export type AzureSettingSource = 'app' | 'keyVault' | 'platform' | 'embedded';

export const AZURE_SETTING_SOURCES: Record<string, AzureSettingSource> = {
  PORT: 'embedded',
  HOST: 'embedded',
  DATA_DIR: 'embedded',
  PUBLIC_BASE_URL: 'platform',
  DEV_API_KEY: 'embedded',
  ADMIN_API_KEY: 'keyVault',
  STORAGE: 'app',
  QUEUE: 'app',
  CARRIER_DEFAULT: 'app',
  SIMULATOR_DLR_DELAY_MS: 'app',
  SIMULATOR_SECRET: 'keyVault',
  PRICE_CURRENCY: 'app',
  PRICE_TABLE: 'app',
  PRICE_TABLE_USD: 'app',
  PRICE_TABLE_EUR: 'app',
  DEV_ACCOUNT_CREDITS: 'embedded',
  DEV_SENDER_ID: 'embedded',
  DEV_COUNTRY: 'embedded',
  LOG_LEVEL: 'app',
  // On Service Bus the lease is the queues' lockDuration (infra), not a setting.
  QUEUE_LEASE_MS: 'embedded',
  QUEUE_MAX_ATTEMPTS: 'app',
  MAX_BODY_BYTES: 'app',
  RECONCILE_INTERVAL_MS: 'app',
  STALE_AFTER_MS: 'app',
  CAMPAIGN_BATCH_SIZE: 'app',
  CAMPAIGN_COMPLETION_TIMEOUT_HOURS: 'app',
  MONITOR_INTERVAL_MS: 'app',
  // Cosmos DB expires history by time-to-live; only the embedded SQLite store prunes by this.
  RETENTION_DAYS: 'embedded',
  COSMOS_ENDPOINT: 'app',
  // Keys are for the emulator; in Azure the managed identity signs in (no keys in app settings).
  COSMOS_KEY: 'embedded',
  COSMOS_DATABASE: 'app',
  SERVICEBUS_CONNECTION_STRING: 'embedded',
  SERVICEBUS_NAMESPACE: 'app',
  // Carrier settings: their descriptors say which are secrets (Key Vault); the rest are app settings.
  ...CARRIER_AZURE_SOURCES,
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'app',
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'app',
  WEBHOOK_ALLOW_LOOPBACK: 'app',
  WEBHOOK_TIMEOUT_MS: 'app',
  // The embedded host's delivery pool and relay poll; on Azure the triggers, the Cosmos DB change
  // feed and a 5-minute safety-net timer do this.
  WEBHOOK_CONCURRENCY: 'embedded',
  WEBHOOK_RELAY_INTERVAL_MS: 'embedded',
  RATE_LIMIT_HOOKS_PER_MINUTE: 'app',
  RATE_LIMIT_CARRIER_PER_MINUTE: 'app',
  RATE_LIMIT_CAMPAIGN_TRIGGERS_PER_MINUTE: 'app',
  AUTH_FAILURES_PER_MINUTE: 'app',
};

/**
 * Settings the platform or the Functions runtime needs beyond SETTINGS: the managed identity the
 * SDKs' DefaultAzureCredential picks (AZURE_CLIENT_ID), the triggers' Service Bus connection, and
 * the host's storage, all identity-based.
 */
export const AZURE_PLATFORM_SETTINGS = [
  'AZURE_CLIENT_ID',
  'ServiceBusConnection__fullyQualifiedNamespace',
  'ServiceBusConnection__credential',
  'ServiceBusConnection__clientId',
  'CosmosDBConnection__accountEndpoint',
  'CosmosDBConnection__credential',
  'CosmosDBConnection__clientId',
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
] as const;

/**
 * A Key Vault reference the platform could not resolve. App Service and Functions replace an app
 * setting of the form `@Microsoft.KeyVault(SecretUri=...)` or `@Microsoft.KeyVault(VaultName=...;
 * SecretName=...)` by the secret; when they cannot (no access for keyVaultReferenceIdentity, vault
 * or secret missing, bad syntax) the app reads the reference string itself as the value (Microsoft
 * Learn, "Use Key Vault references as app settings in App Service and Azure Functions"). Used as a
 * key, that text would be a working operator key anyone reading the settings knows: loadConfig refuses it.
 */
export function isUnresolvedKeyVaultReference(value: string): boolean {
  return /^\s*@Microsoft\.KeyVault\(/i.test(value);
}
