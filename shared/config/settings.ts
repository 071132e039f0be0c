import { DEFAULT_PRICE_TABLES } from '../domain/pricing';
import { setting, type SettingValues } from '../settings/setting';
import { CARRIER_SETTINGS } from './carriers';

const { int, oneOf, text, flag } = setting;

/**
 * Every setting the service reads, declared once: its default, how it is read (type, range, the
 * problem it reports), its help text and where it comes from on Azure. loadConfig reads them and
 * types Config from them; the README's configuration table (tests/unit/readme.test.ts), the Azure
 * settings list (azureSettings.ts, held to infra/ by tests/unit/infra.test.ts) and the Key Vault
 * reference check follow. A new setting is one entry here (and a line in infra/main.bicep unless
 * its `azure` is embedded or platform; the infra test says so).
 */
export const SETTINGS = {
  PORT: int({ default: 7071, min: 0, max: 65535, azure: 'embedded', help: 'HTTP port of the embedded host.' }),
  HOST: text({ default: '127.0.0.1', azure: 'embedded', help: 'Interface the embedded host listens on (0.0.0.0 for all).' }),
  DATA_DIR: text({ default: './.data', azure: 'embedded', help: 'Folder of the embedded SQLite database.' }),
  PUBLIC_BASE_URL: text({
    shown: '(http://HOST:PORT)',
    azure: 'platform',
    help: 'Absolute URL carriers use to call back; set it when behind a proxy or tunnel. On Azure it defaults to https://$WEBSITE_HOSTNAME.',
    check: (value, name) =>
      /^https?:\/\/[^/]+$/.test(value.replace(/\/$/, '')) ? null : `${name}=${value} must be an origin like https://sms.example.com`,
    normalise: (value) => value.replace(/\/$/, ''),
  }),
  DEV_API_KEY: text({
    shown: '(generated)',
    azure: 'embedded',
    help: 'API key of the development account seeded on first start; on a later start the development account gets it if no account has it (a lost key), and it is printed on every start.',
  }),
  ADMIN_API_KEY: text({ shown: '(generated)', azure: 'keyVault', help: 'Operator key for /api/operator routes (X-Admin-Key).' }),
  STORAGE: oneOf({ values: ['sqlite', 'cosmos'], default: 'sqlite', azure: 'app', help: 'sqlite (embedded) or cosmos.' }),
  QUEUE: oneOf({
    values: ['sqlite', 'servicebus'],
    default: 'sqlite',
    azure: 'app',
    help: 'sqlite (embedded durable queue) or servicebus.',
  }),
  CARRIER_DEFAULT: text({ default: 'simulator', azure: 'app', help: 'Carrier used by accounts that do not name one.' }),
  SIMULATOR_DLR_DELAY_MS: int({ default: 500, min: 0, max: 3_600_000, azure: 'app', help: 'Delay before the simulator reports delivery.' }),
  SIMULATOR_SECRET: text({ shown: '(generated)', azure: 'keyVault', help: 'HMAC secret of simulator callbacks.' }),
  PRICE_CURRENCY: text({
    default: 'USD',
    azure: 'app',
    help: 'Currency of accounts created without one (ISO 4217); it must have a price table.',
  }),
  // The price tables are read together, with any other PRICE_TABLE_<CODE>, by loadPriceBook (config.ts).
  PRICE_TABLE: text({
    shown: '(the PRICE_TABLE_<PRICE_CURRENCY> table)',
    azure: 'app',
    help: 'Price per segment by destination country in PRICE_CURRENCY; overrides PRICE_TABLE_<PRICE_CURRENCY>.',
  }),
  PRICE_TABLE_USD: text({
    default: DEFAULT_PRICE_TABLES.USD!,
    azure: 'app',
    help: 'Price per segment by destination country for USD accounts. Any PRICE_TABLE_<ISO 4217 code> adds a currency accounts may be created in.',
  }),
  PRICE_TABLE_EUR: text({
    default: DEFAULT_PRICE_TABLES.EUR!,
    azure: 'app',
    help: 'Price per segment by destination country for EUR accounts.',
  }),
  DEV_ACCOUNT_CREDITS: text({ default: '100.00', azure: 'embedded', help: 'Opening credits of the seeded development account.' }),
  DEV_SENDER_ID: text({ default: 'DataFlows', azure: 'embedded', help: 'Approved sender ID of the seeded development account.' }),
  DEV_COUNTRY: text({ default: 'US', azure: 'embedded', help: 'Default country of the seeded development account.' }),
  LOG_LEVEL: oneOf({
    values: ['debug', 'info', 'warn', 'error', 'silent'],
    default: 'info',
    azure: 'app',
    help: 'debug, info, warn, error or silent.',
  }),
  // On Service Bus the lease is the queues' lockDuration (infra), not a setting.
  QUEUE_LEASE_MS: int({
    default: 30000,
    min: 100,
    max: 3_600_000,
    azure: 'embedded',
    help: 'How long a task taken by a worker stays invisible (crash recovery time).',
  }),
  QUEUE_MAX_ATTEMPTS: int({ default: 10, min: 1, max: 1000, azure: 'app', help: 'Deliveries of a task before it is dead-lettered.' }),
  MAX_BODY_BYTES: int({
    default: 262144,
    min: 1024,
    max: 10 * 1024 * 1024,
    azure: 'app',
    help: 'Largest request body accepted (413 beyond).',
  }),
  RECONCILE_INTERVAL_MS: int({
    default: 30000,
    min: 100,
    max: 86_400_000,
    azure: 'app',
    help: 'How often stuck queued/scheduled messages are re-enqueued.',
  }),
  // Cosmos DB expires history by time-to-live; only the embedded SQLite store prunes by this.
  RETENTION_DAYS: int({
    default: 30,
    min: 1,
    max: 3650,
    azure: 'embedded',
    help: 'Days the embedded host keeps webhook delivery attempts and dispatched events (Cosmos DB: 30-day time-to-live).',
  }),
  AUDIT_RETENTION_DAYS: int({
    default: 365,
    min: 1,
    max: 3650,
    azure: 'app',
    help: 'Days audit records are kept (the embedded host prunes them hourly; Cosmos DB expires them by time-to-live).',
  }),
  STALE_AFTER_MS: int({
    default: 60000,
    min: 100,
    max: 86_400_000,
    azure: 'app',
    help: 'How long a queued message may sit untouched before the reconciler re-enqueues it.',
  }),
  CAMPAIGN_BATCH_SIZE: int({ default: 200, min: 1, max: 1000, azure: 'app', help: 'Contacts a bulk campaign sends to per batch task.' }),
  CAMPAIGN_COMPLETION_TIMEOUT_HOURS: int({
    default: 72,
    min: 1,
    max: 720,
    azure: 'app',
    help: 'A campaign that finished sending completes when every message has a final status, or after this long (messages without a delivery report count as sent).',
  }),
  MONITOR_INTERVAL_MS: int({
    default: 300000,
    min: 1_000,
    max: 86_400_000,
    azure: 'app',
    help: 'How often the delivery-rate and bounce-rate monitors evaluate every account (Delivery Rate Low, High Bounce Rate).',
  }),
  COSMOS_ENDPOINT: text({ azure: 'app', help: 'Cosmos DB endpoint (STORAGE=cosmos).' }),
  // Keys are for the emulator; in Azure the managed identity signs in (no keys in app settings).
  COSMOS_KEY: text({ azure: 'embedded', help: 'Cosmos DB key; leave empty to use managed identity (DefaultAzureCredential).' }),
  COSMOS_DATABASE: text({ default: 'dataflows-sms', azure: 'app', help: 'Cosmos DB database name.' }),
  SERVICEBUS_CONNECTION_STRING: text({ azure: 'embedded', help: 'Service Bus connection string (QUEUE=servicebus).' }),
  SERVICEBUS_NAMESPACE: text({ azure: 'app', help: 'Service Bus namespace host, used with managed identity when no connection string.' }),
  // Each carrier declares its own settings (adapters/carriers/<name>/carrier.ts).
  ...CARRIER_SETTINGS,
  APPLICATIONINSIGHTS_CONNECTION_STRING: text({
    azure: 'app',
    help: 'Application Insights connection string; when set, the Azure Functions app sends traces and logs to Azure Monitor (OpenTelemetry).',
  }),
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: text({
    azure: 'app',
    help: '`Authorization=AAD;ClientId=<identity client id>`: send telemetry with Entra ID (the resource refuses keys).',
  }),
  WEBHOOK_ALLOW_LOOPBACK: flag({
    shown: '(true with STORAGE=sqlite, else false)',
    azure: 'app',
    help: 'Accept http:// webhook callback URLs to loopback (127.0.0.1, localhost) for local development; https and public addresses are required otherwise.',
  }),
  WEBHOOK_TIMEOUT_MS: int({
    default: 15000,
    min: 100,
    max: 60_000,
    azure: 'app',
    help: 'A webhook attempt that has not completed in this time fails and is retried.',
  }),
  // The embedded host's delivery pool and relay poll; on Azure the triggers, the Cosmos DB change
  // feed and a 5-minute safety-net timer do this.
  WEBHOOK_CONCURRENCY: int({
    default: 256,
    min: 1,
    max: 10_000,
    azure: 'embedded',
    help: 'Webhook deliveries in flight at once in the embedded host.',
  }),
  WEBHOOK_RELAY_INTERVAL_MS: int({
    default: 25,
    min: 5,
    max: 60_000,
    azure: 'embedded',
    help: 'How often the embedded host looks for new events to deliver when idle.',
  }),
  RATE_LIMIT_HOOKS_PER_MINUTE: int({
    default: 300,
    min: 0,
    max: 1_000_000,
    azure: 'app',
    help: 'Requests per minute per account to the webhook subscription API (/api/hooks, /api/events); 429 with Retry-After beyond; 0 turns it off.',
  }),
  RATE_LIMIT_CARRIER_PER_MINUTE: int({
    default: 60000,
    min: 0,
    max: 100_000_000,
    azure: 'app',
    help: 'Carrier callback requests per minute per source address; 429 with Retry-After beyond; 0 turns it off.',
  }),
  RATE_LIMIT_CAMPAIGN_TRIGGERS_PER_MINUTE: int({
    default: 600,
    min: 0,
    max: 100_000_000,
    azure: 'app',
    help: 'Calls per minute per account to trigger campaigns (POST /api/campaigns/{id}/trigger); 429 with Retry-After beyond; 0 turns it off.',
  }),
  AUTH_FAILURES_PER_MINUTE: int({
    default: 20,
    min: 0,
    max: 1_000_000,
    azure: 'app',
    help: 'Requests with a missing or invalid API or operator key allowed per minute per source address; beyond, they answer 429 with Retry-After (requests with a valid key are never slowed); 0 turns it off.',
  }),
} as const;

export type SettingName = keyof typeof SETTINGS;

/** Each setting's value as read, typed by its declaration (Config's fields are typed from these). */
export type SettingsRead = SettingValues<typeof SETTINGS>;
