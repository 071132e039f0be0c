import { resolve } from 'node:path';
import { DEFAULT_PRICE_TABLES, isIsoCurrency, parsePriceTable, type PriceBook, type PriceTable } from '../domain/pricing';
import { isUnresolvedKeyVaultReference } from './azureSettings';
import { CARRIER_SETTINGS, configuredCarrierNames, parseCarrierSettings, type CarrierSettings } from './carriers';

export { configuredCarrierNames, type CarrierSettings };

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicBaseUrl: string | null;
  devApiKey: string | null;
  adminApiKey: string | null;
  storage: 'sqlite' | 'cosmos';
  queue: 'sqlite' | 'servicebus';
  defaultCarrier: string;
  /** Real carriers, each null unless its settings are present. */
  carriers: CarrierSettings;
  simulator: { dlrDelayMs: number; secret: string | null };
  /** One price table per currency an account may hold (see domain/pricing). */
  prices: PriceBook;
  devAccount: { credits: string; senderId: string; country: string };
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  queueLeaseMs: number;
  queueMaxAttempts: number;
  maxBodyBytes: number;
  reconcileIntervalMs: number;
  /** How often the delivery-rate and bounce-rate monitors evaluate every account. */
  monitorIntervalMs: number;
  staleAfterMs: number;
  retentionDays: number;
  campaigns: { batchSize: number; completionTimeoutMs: number };
  cosmos: { endpoint: string | null; key: string | null; database: string };
  serviceBus: { connectionString: string | null; namespace: string | null };
  /** Application Insights connection string (functions/ starts OpenTelemetry with it). */
  telemetry: { connectionString: string | null; authentication: string | null };
  webhooks: WebhookConfig;
  rateLimits: { subscriptionsPerMinute: number; carrierPerMinute: number; campaignTriggersPerMinute: number; authFailuresPerMinute: number };
}

export interface WebhookConfig {
  /** http:// callback URLs to 127.0.0.1/localhost accepted (embedded/dev mode). */
  allowLoopback: boolean;
  timeoutMs: number;
  /** Deliveries in flight at once in the embedded host. */
  concurrency: number;
  /** How often the embedded host's outbox relay looks for new events when idle. */
  relayIntervalMs: number;
}

/** Every setting the service reads, with its default and meaning; the README table is generated from the same facts. */
export const SETTINGS = {
  PORT: { default: '7071', help: 'HTTP port of the embedded host.' },
  HOST: { default: '127.0.0.1', help: 'Interface the embedded host listens on (0.0.0.0 for all).' },
  DATA_DIR: { default: './.data', help: 'Folder of the embedded SQLite database.' },
  PUBLIC_BASE_URL: { default: '(http://HOST:PORT)', help: 'Absolute URL carriers use to call back; set it when behind a proxy or tunnel. On Azure it defaults to https://$WEBSITE_HOSTNAME.' },
  DEV_API_KEY: { default: '(generated)', help: 'API key of the development account seeded on first start; on a later start the development account gets it if no account has it (a lost key), and it is printed on every start.' },
  ADMIN_API_KEY: { default: '(generated)', help: 'Operator key for /api/operator routes (X-Admin-Key).' },
  STORAGE: { default: 'sqlite', help: 'sqlite (embedded) or cosmos.' },
  QUEUE: { default: 'sqlite', help: 'sqlite (embedded durable queue) or servicebus.' },
  CARRIER_DEFAULT: { default: 'simulator', help: 'Carrier used by accounts that do not name one.' },
  SIMULATOR_DLR_DELAY_MS: { default: '500', help: 'Delay before the simulator reports delivery.' },
  SIMULATOR_SECRET: { default: '(generated)', help: 'HMAC secret of simulator callbacks.' },
  PRICE_CURRENCY: { default: 'USD', help: 'Currency of accounts created without one (ISO 4217); it must have a price table.' },
  PRICE_TABLE: { default: '(the PRICE_TABLE_<PRICE_CURRENCY> table)', help: 'Price per segment by destination country in PRICE_CURRENCY; overrides PRICE_TABLE_<PRICE_CURRENCY>.' },
  PRICE_TABLE_USD: { default: DEFAULT_PRICE_TABLES.USD!, help: 'Price per segment by destination country for USD accounts. Any PRICE_TABLE_<ISO 4217 code> adds a currency accounts may be created in.' },
  PRICE_TABLE_EUR: { default: DEFAULT_PRICE_TABLES.EUR!, help: 'Price per segment by destination country for EUR accounts.' },
  DEV_ACCOUNT_CREDITS: { default: '100.00', help: 'Opening credits of the seeded development account.' },
  DEV_SENDER_ID: { default: 'DataFlows', help: 'Approved sender ID of the seeded development account.' },
  DEV_COUNTRY: { default: 'US', help: 'Default country of the seeded development account.' },
  LOG_LEVEL: { default: 'info', help: 'debug, info, warn, error or silent.' },
  QUEUE_LEASE_MS: { default: '30000', help: 'How long a task taken by a worker stays invisible (crash recovery time).' },
  QUEUE_MAX_ATTEMPTS: { default: '10', help: 'Deliveries of a task before it is dead-lettered.' },
  MAX_BODY_BYTES: { default: '262144', help: 'Largest request body accepted (413 beyond).' },
  RECONCILE_INTERVAL_MS: { default: '30000', help: 'How often stuck queued/scheduled messages are re-enqueued.' },
  RETENTION_DAYS: { default: '30', help: 'Days the embedded host keeps webhook delivery attempts and dispatched events (Cosmos DB: 30-day time-to-live).' },
  STALE_AFTER_MS: { default: '60000', help: 'How long a queued message may sit untouched before the reconciler re-enqueues it.' },
  CAMPAIGN_BATCH_SIZE: { default: '200', help: 'Contacts a bulk campaign sends to per batch task.' },
  MONITOR_INTERVAL_MS: { default: '300000', help: 'How often the delivery-rate and bounce-rate monitors evaluate every account (Delivery Rate Low, High Bounce Rate).' },
  CAMPAIGN_COMPLETION_TIMEOUT_HOURS: { default: '72', help: 'A campaign that finished sending completes when every message has a final status, or after this long (messages without a delivery report count as sent).' },
  COSMOS_ENDPOINT: { default: '', help: 'Cosmos DB endpoint (STORAGE=cosmos).' },
  COSMOS_KEY: { default: '', help: 'Cosmos DB key; leave empty to use managed identity (DefaultAzureCredential).' },
  COSMOS_DATABASE: { default: 'dataflows-sms', help: 'Cosmos DB database name.' },
  SERVICEBUS_CONNECTION_STRING: { default: '', help: 'Service Bus connection string (QUEUE=servicebus).' },
  SERVICEBUS_NAMESPACE: { default: '', help: 'Service Bus namespace host, used with managed identity when no connection string.' },
  // Each carrier declares its own settings (adapters/carriers/<name>/carrier.ts).
  ...CARRIER_SETTINGS,
  APPLICATIONINSIGHTS_CONNECTION_STRING: { default: '', help: 'Application Insights connection string; when set, the Azure Functions app sends traces and logs to Azure Monitor (OpenTelemetry).' },
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: { default: '', help: '`Authorization=AAD;ClientId=<identity client id>`: send telemetry with Entra ID (the resource refuses keys).' },
  WEBHOOK_ALLOW_LOOPBACK: { default: '(true with STORAGE=sqlite, else false)', help: 'Accept http:// webhook callback URLs to loopback (127.0.0.1, localhost) for local development; https and public addresses are required otherwise.' },
  WEBHOOK_TIMEOUT_MS: { default: '15000', help: 'A webhook attempt that has not completed in this time fails and is retried.' },
  WEBHOOK_CONCURRENCY: { default: '256', help: 'Webhook deliveries in flight at once in the embedded host.' },
  WEBHOOK_RELAY_INTERVAL_MS: { default: '25', help: 'How often the embedded host looks for new events to deliver when idle.' },
  RATE_LIMIT_HOOKS_PER_MINUTE: { default: '300', help: 'Requests per minute per account to the webhook subscription API (/api/hooks, /api/events); 429 with Retry-After beyond; 0 turns it off.' },
  RATE_LIMIT_CARRIER_PER_MINUTE: { default: '60000', help: 'Carrier callback requests per minute per source address; 429 with Retry-After beyond; 0 turns it off.' },
  RATE_LIMIT_CAMPAIGN_TRIGGERS_PER_MINUTE: { default: '600', help: 'Calls per minute per account to trigger campaigns (POST /api/campaigns/{id}/trigger); 429 with Retry-After beyond; 0 turns it off.' },
  AUTH_FAILURES_PER_MINUTE: { default: '20', help: 'Requests with a missing or invalid API or operator key allowed per minute per source address; beyond, they answer 429 with Retry-After (requests with a valid key are never slowed); 0 turns it off.' },
} as const;

export type SettingName = keyof typeof SETTINGS;

export class ConfigError extends Error {}

/** Reads and validates the environment; every problem is reported at once, by setting name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = unresolvedReferences(env);
  const get = (name: SettingName): string => {
    const v = env[name];
    return v !== undefined && v !== '' ? v : SETTINGS[name].default;
  };
  const optional = (name: SettingName): string | null => {
    const v = env[name];
    return v !== undefined && v !== '' ? v : null;
  };
  const int = (name: SettingName, min: number, max: number): number => {
    const raw = get(name);
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) problems.push(`${name}=${raw} must be a whole number from ${min} to ${max}`);
    return n;
  };
  const oneOf = <T extends string>(name: SettingName, values: readonly T[]): T => {
    const v = get(name) as T;
    if (!values.includes(v)) problems.push(`${name}=${v} must be one of ${values.join(', ')}`);
    return v;
  };
  const prices = loadPriceBook(env, get('PRICE_CURRENCY'), problems);
  const publicBaseUrl = optional('PUBLIC_BASE_URL');
  if (publicBaseUrl && !/^https?:\/\/[^/]+$/.test(publicBaseUrl.replace(/\/$/, ''))) problems.push(`PUBLIC_BASE_URL=${publicBaseUrl} must be an origin like https://sms.example.com`);
  const config: Config = {
    port: int('PORT', 0, 65535),
    host: get('HOST'),
    dataDir: resolve(get('DATA_DIR')),
    publicBaseUrl: publicBaseUrl?.replace(/\/$/, '') ?? null,
    devApiKey: optional('DEV_API_KEY'),
    adminApiKey: optional('ADMIN_API_KEY'),
    storage: oneOf('STORAGE', ['sqlite', 'cosmos'] as const),
    queue: oneOf('QUEUE', ['sqlite', 'servicebus'] as const),
    defaultCarrier: get('CARRIER_DEFAULT'),
    simulator: { dlrDelayMs: int('SIMULATOR_DLR_DELAY_MS', 0, 3_600_000), secret: optional('SIMULATOR_SECRET') },
    prices,
    devAccount: { credits: get('DEV_ACCOUNT_CREDITS'), senderId: get('DEV_SENDER_ID'), country: get('DEV_COUNTRY') },
    logLevel: oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'] as const),
    queueLeaseMs: int('QUEUE_LEASE_MS', 100, 3_600_000),
    queueMaxAttempts: int('QUEUE_MAX_ATTEMPTS', 1, 1000),
    maxBodyBytes: int('MAX_BODY_BYTES', 1024, 10 * 1024 * 1024),
    reconcileIntervalMs: int('RECONCILE_INTERVAL_MS', 100, 86_400_000),
    monitorIntervalMs: int('MONITOR_INTERVAL_MS', 1_000, 86_400_000),
    staleAfterMs: int('STALE_AFTER_MS', 100, 86_400_000),
    campaigns: { batchSize: int('CAMPAIGN_BATCH_SIZE', 1, 1000), completionTimeoutMs: int('CAMPAIGN_COMPLETION_TIMEOUT_HOURS', 1, 720) * 3_600_000 },
    retentionDays: int('RETENTION_DAYS', 1, 3650),
    cosmos: { endpoint: optional('COSMOS_ENDPOINT'), key: optional('COSMOS_KEY'), database: get('COSMOS_DATABASE') },
    serviceBus: { connectionString: optional('SERVICEBUS_CONNECTION_STRING'), namespace: optional('SERVICEBUS_NAMESPACE') },
    carriers: parseCarrierSettings((name) => optional(name as SettingName), problems),
    telemetry: { connectionString: optional('APPLICATIONINSIGHTS_CONNECTION_STRING'), authentication: optional('APPLICATIONINSIGHTS_AUTHENTICATION_STRING') },
    webhooks: {
      allowLoopback: false,
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', 100, 60_000),
      concurrency: int('WEBHOOK_CONCURRENCY', 1, 10_000),
      relayIntervalMs: int('WEBHOOK_RELAY_INTERVAL_MS', 5, 60_000),
    },
    rateLimits: { subscriptionsPerMinute: int('RATE_LIMIT_HOOKS_PER_MINUTE', 0, 1_000_000), carrierPerMinute: int('RATE_LIMIT_CARRIER_PER_MINUTE', 0, 100_000_000), campaignTriggersPerMinute: int('RATE_LIMIT_CAMPAIGN_TRIGGERS_PER_MINUTE', 0, 100_000_000), authFailuresPerMinute: int('AUTH_FAILURES_PER_MINUTE', 0, 1_000_000) },
  };
  const loopback = optional('WEBHOOK_ALLOW_LOOPBACK');
  if (loopback === null) config.webhooks.allowLoopback = config.storage === 'sqlite';
  else if (loopback === 'true' || loopback === 'false') config.webhooks.allowLoopback = loopback === 'true';
  else problems.push(`WEBHOOK_ALLOW_LOOPBACK=${loopback} must be true or false`);
  if (config.storage === 'cosmos' && !config.cosmos.endpoint) problems.push('STORAGE=cosmos needs COSMOS_ENDPOINT');
  const carriers = configuredCarrierNames(config.carriers);
  if (!carriers.includes(config.defaultCarrier)) problems.push(`CARRIER_DEFAULT=${config.defaultCarrier} must name a configured carrier: ${carriers.join(', ')}`);
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
    problems.push(`STORAGE=${config.storage} with QUEUE=${config.queue} is not supported: use STORAGE=cosmos with QUEUE=servicebus (Azure) or both sqlite (embedded)`);
  }
  if (!config.adminApiKey) problems.push('Azure mode (STORAGE=cosmos, QUEUE=servicebus) needs ADMIN_API_KEY: there is no local database to keep a generated one');
  if (!config.simulator.secret) problems.push('Azure mode (STORAGE=cosmos, QUEUE=servicebus) needs SIMULATOR_SECRET: every instance must sign and verify simulator callbacks with the same secret');
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
  else if (!tables[defaultCurrency] && !problems.some((p) => p.includes(`PRICE_TABLE_${defaultCurrency}`) || p.startsWith('PRICE_TABLE:'))) {
    problems.push(`PRICE_CURRENCY=${defaultCurrency} has no price table: set PRICE_TABLE or PRICE_TABLE_${defaultCurrency}`);
  }
  return { defaultCurrency, tables };
}
