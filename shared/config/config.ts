import { resolve } from 'node:path';
import { DEFAULT_PRICE_TABLES, isIsoCurrency, parsePriceTable, type PriceBook, type PriceTable } from '../domain/pricing';
import { readSettings } from '../settings/setting';
import { isUnresolvedKeyVaultReference } from './azureSettings';
import { configuredCarrierNames, parseCarrierSettings, type CarrierSettings } from './carriers';
import { SETTINGS, type SettingName, type SettingsRead } from './settings';

export { configuredCarrierNames, SETTINGS, type CarrierSettings, type SettingName };

/** A setting's value as its declaration in settings.ts reads it. */
type S = SettingsRead;

/** The service's settings, read and checked by loadConfig; each field is typed from its setting's declaration. */
export interface Config {
  port: S['PORT'];
  host: S['HOST'];
  /** DATA_DIR, resolved to an absolute path. */
  dataDir: string;
  publicBaseUrl: S['PUBLIC_BASE_URL'];
  devApiKey: S['DEV_API_KEY'];
  adminApiKey: S['ADMIN_API_KEY'];
  storage: S['STORAGE'];
  queue: S['QUEUE'];
  defaultCarrier: S['CARRIER_DEFAULT'];
  /** Real carriers, each null unless its settings are present. */
  carriers: CarrierSettings;
  simulator: { dlrDelayMs: S['SIMULATOR_DLR_DELAY_MS']; secret: S['SIMULATOR_SECRET'] };
  /** One price table per currency an account may hold (see domain/pricing). */
  prices: PriceBook;
  devAccount: { credits: S['DEV_ACCOUNT_CREDITS']; senderId: S['DEV_SENDER_ID']; country: S['DEV_COUNTRY'] };
  logLevel: S['LOG_LEVEL'];
  queueLeaseMs: S['QUEUE_LEASE_MS'];
  queueMaxAttempts: S['QUEUE_MAX_ATTEMPTS'];
  maxBodyBytes: S['MAX_BODY_BYTES'];
  reconcileIntervalMs: S['RECONCILE_INTERVAL_MS'];
  /** How often the delivery-rate and bounce-rate monitors evaluate every account. */
  monitorIntervalMs: S['MONITOR_INTERVAL_MS'];
  staleAfterMs: S['STALE_AFTER_MS'];
  retentionDays: S['RETENTION_DAYS'];
  auditRetentionDays: S['AUDIT_RETENTION_DAYS'];
  /** completionTimeoutMs: CAMPAIGN_COMPLETION_TIMEOUT_HOURS in milliseconds. */
  campaigns: { batchSize: S['CAMPAIGN_BATCH_SIZE']; completionTimeoutMs: number };
  cosmos: { endpoint: S['COSMOS_ENDPOINT']; key: S['COSMOS_KEY']; database: S['COSMOS_DATABASE'] };
  serviceBus: { connectionString: S['SERVICEBUS_CONNECTION_STRING']; namespace: S['SERVICEBUS_NAMESPACE'] };
  /** Application Insights connection string (functions/ starts OpenTelemetry with it). */
  telemetry: {
    connectionString: S['APPLICATIONINSIGHTS_CONNECTION_STRING'];
    authentication: S['APPLICATIONINSIGHTS_AUTHENTICATION_STRING'];
  };
  webhooks: WebhookConfig;
  rateLimits: {
    subscriptionsPerMinute: S['RATE_LIMIT_HOOKS_PER_MINUTE'];
    carrierPerMinute: S['RATE_LIMIT_CARRIER_PER_MINUTE'];
    campaignTriggersPerMinute: S['RATE_LIMIT_CAMPAIGN_TRIGGERS_PER_MINUTE'];
    authFailuresPerMinute: S['AUTH_FAILURES_PER_MINUTE'];
  };
}

export interface WebhookConfig {
  /** http:// callback URLs to 127.0.0.1/localhost accepted (embedded/dev mode). */
  allowLoopback: boolean;
  timeoutMs: S['WEBHOOK_TIMEOUT_MS'];
  /** Deliveries in flight at once in the embedded host. */
  concurrency: S['WEBHOOK_CONCURRENCY'];
  /** How often the embedded host's outbox relay looks for new events when idle. */
  relayIntervalMs: S['WEBHOOK_RELAY_INTERVAL_MS'];
}

export class ConfigError extends Error {}

/** Reads and validates the environment; every problem is reported at once, by setting name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = unresolvedReferences(env);
  const v = readSettings(SETTINGS, env, problems);
  const config: Config = {
    port: v.PORT,
    host: v.HOST,
    dataDir: resolve(v.DATA_DIR),
    publicBaseUrl: v.PUBLIC_BASE_URL,
    devApiKey: v.DEV_API_KEY,
    adminApiKey: v.ADMIN_API_KEY,
    storage: v.STORAGE,
    queue: v.QUEUE,
    defaultCarrier: v.CARRIER_DEFAULT,
    simulator: { dlrDelayMs: v.SIMULATOR_DLR_DELAY_MS, secret: v.SIMULATOR_SECRET },
    prices: loadPriceBook(env, v.PRICE_CURRENCY, problems),
    devAccount: { credits: v.DEV_ACCOUNT_CREDITS, senderId: v.DEV_SENDER_ID, country: v.DEV_COUNTRY },
    logLevel: v.LOG_LEVEL,
    queueLeaseMs: v.QUEUE_LEASE_MS,
    queueMaxAttempts: v.QUEUE_MAX_ATTEMPTS,
    maxBodyBytes: v.MAX_BODY_BYTES,
    reconcileIntervalMs: v.RECONCILE_INTERVAL_MS,
    monitorIntervalMs: v.MONITOR_INTERVAL_MS,
    staleAfterMs: v.STALE_AFTER_MS,
    campaigns: { batchSize: v.CAMPAIGN_BATCH_SIZE, completionTimeoutMs: v.CAMPAIGN_COMPLETION_TIMEOUT_HOURS * 3_600_000 },
    retentionDays: v.RETENTION_DAYS,
    auditRetentionDays: v.AUDIT_RETENTION_DAYS,
    cosmos: { endpoint: v.COSMOS_ENDPOINT, key: v.COSMOS_KEY, database: v.COSMOS_DATABASE },
    serviceBus: { connectionString: v.SERVICEBUS_CONNECTION_STRING, namespace: v.SERVICEBUS_NAMESPACE },
    carriers: parseCarrierSettings(v, problems),
    telemetry: { connectionString: v.APPLICATIONINSIGHTS_CONNECTION_STRING, authentication: v.APPLICATIONINSIGHTS_AUTHENTICATION_STRING },
    webhooks: {
      // Unset: loopback callbacks are for the embedded host, whose store is SQLite.
      allowLoopback: v.WEBHOOK_ALLOW_LOOPBACK ?? v.STORAGE === 'sqlite',
      timeoutMs: v.WEBHOOK_TIMEOUT_MS,
      concurrency: v.WEBHOOK_CONCURRENCY,
      relayIntervalMs: v.WEBHOOK_RELAY_INTERVAL_MS,
    },
    rateLimits: {
      subscriptionsPerMinute: v.RATE_LIMIT_HOOKS_PER_MINUTE,
      carrierPerMinute: v.RATE_LIMIT_CARRIER_PER_MINUTE,
      campaignTriggersPerMinute: v.RATE_LIMIT_CAMPAIGN_TRIGGERS_PER_MINUTE,
      authFailuresPerMinute: v.AUTH_FAILURES_PER_MINUTE,
    },
  };
  if (config.storage === 'cosmos' && !config.cosmos.endpoint) problems.push('STORAGE=cosmos needs COSMOS_ENDPOINT');
  const carriers = configuredCarrierNames(config.carriers);
  if (!carriers.includes(config.defaultCarrier))
    problems.push(`CARRIER_DEFAULT=${config.defaultCarrier} must name a configured carrier: ${carriers.join(', ')}`);
  if (config.queue === 'servicebus' && !config.serviceBus.connectionString && !config.serviceBus.namespace) {
    problems.push('QUEUE=servicebus needs SERVICEBUS_CONNECTION_STRING or SERVICEBUS_NAMESPACE');
  }
  problems.push(...azureModeProblems(config));
  // On Azure (App Service / Functions) the platform names the host carriers call back.
  if (!config.publicBaseUrl && env.WEBSITE_HOSTNAME) config.publicBaseUrl = `https://${env.WEBSITE_HOSTNAME}`;
  if (problems.length) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}

/** Settings still holding a Key Vault reference: the platform could not read the secret. */
function unresolvedReferences(env: Record<string, string | undefined>): string[] {
  return (Object.keys(SETTINGS) as SettingName[])
    .filter((name) => isUnresolvedKeyVaultReference(env[name] ?? ''))
    .map(
      (name) =>
        `${name} is an unresolved Key Vault reference (${env[name]!.trim()}): the platform could not read the secret; check that the secret exists and that the app's identity (keyVaultReferenceIdentity) has Key Vault Secrets User on the vault, then restart`,
    );
}

/**
 * Azure mode (Cosmos DB + Service Bus) has no local database to keep generated secrets in, so the
 * operator key and the simulator secret come from settings (Key Vault references in Azure). The two
 * Azure parts go together: the embedded queue cannot serve Azure storage, nor the other way round.
 */
function azureModeProblems(config: Config): string[] {
  if (config.storage === 'sqlite' && config.queue === 'sqlite') return [];
  const problems: string[] = [];
  if (config.storage !== 'cosmos' || config.queue !== 'servicebus') {
    problems.push(
      `STORAGE=${config.storage} with QUEUE=${config.queue} is not supported: use STORAGE=cosmos with QUEUE=servicebus (Azure) or both sqlite (embedded)`,
    );
  }
  if (!config.adminApiKey)
    problems.push('Azure mode (STORAGE=cosmos, QUEUE=servicebus) needs ADMIN_API_KEY: there is no local database to keep a generated one');
  if (!config.simulator.secret)
    problems.push(
      'Azure mode (STORAGE=cosmos, QUEUE=servicebus) needs SIMULATOR_SECRET: every instance must sign and verify simulator callbacks with the same secret',
    );
  return problems;
}
/**
 * The price tables: the built-in ones (USD, EUR), every PRICE_TABLE_<CODE> setting, and PRICE_TABLE
 * as the table of PRICE_CURRENCY (how a single-currency deployment was configured before).
 */
function loadPriceBook(env: Record<string, string | undefined>, defaultCurrency: string, problems: string[]): PriceBook {
  const specs = new Map<string, { setting: string; spec: string }>();
  for (const [code, spec] of Object.entries(DEFAULT_PRICE_TABLES)) specs.set(code, { setting: `PRICE_TABLE_${code}`, spec });
  for (const [name, value] of Object.entries(env)) {
    const code = /^PRICE_TABLE_(.+)$/.exec(name)?.[1];
    if (code === undefined || value === undefined || value === '') continue;
    if (!isIsoCurrency(code)) problems.push(`${name}: ${code} is not an ISO 4217 currency code`);
    else specs.set(code, { setting: name, spec: value });
  }
  if (env.PRICE_TABLE) specs.set(defaultCurrency, { setting: 'PRICE_TABLE', spec: env.PRICE_TABLE });
  const tables: Record<string, PriceTable> = {};
  for (const [code, { setting, spec }] of specs) {
    const table = parsePriceTable(code, spec);
    if ('error' in table) problems.push(`${setting}: ${table.error}`);
    else tables[code] = table;
  }
  if (!isIsoCurrency(defaultCurrency)) problems.push(`PRICE_CURRENCY=${defaultCurrency} is not an ISO 4217 currency code`);
  else if (
    !tables[defaultCurrency] &&
    !problems.some((p) => p.includes(`PRICE_TABLE_${defaultCurrency}`) || p.startsWith('PRICE_TABLE:'))
  ) {
    problems.push(`PRICE_CURRENCY=${defaultCurrency} has no price table: set PRICE_TABLE or PRICE_TABLE_${defaultCurrency}`);
  }
  return { defaultCurrency, tables };
}
