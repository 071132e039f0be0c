import type { AzureSource } from '../settings/setting';
import { SETTINGS, type SettingName } from './settings';

export type AzureSettingSource = AzureSource;

/**
 * Where each setting comes from when the service runs on Azure Functions, from its declaration's
 * `azure` (settings.ts; the sources are explained in settings/setting.ts). The infrastructure test
 * (tests/unit/infra.test.ts) holds infra/ to it: every `app` and `keyVault` setting is in the
 * Function App's settings (secrets as Key Vault references, never values), no `embedded` or
 * `platform` setting is, so a new setting cannot be forgotten in Bicep.
 */
export const AZURE_SETTING_SOURCES = Object.fromEntries(
  (Object.keys(SETTINGS) as SettingName[]).map((name) => [name, SETTINGS[name].azure]),
) as Readonly<Record<string, AzureSettingSource>>;

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
