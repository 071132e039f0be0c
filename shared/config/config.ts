import { resolve } from 'node:path';
import { parsePriceTable, type PriceTable } from '../domain/pricing';

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
  prices: PriceTable;
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
  rateLimits: { subscriptionsPerMinute: number; carrierPerMinute: number; campaignTriggersPerMinute: number };
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

export interface CarrierSettings {
  acs: { connectionString: string; eventGridKey: string } | null;
  twilio: { accountSid: string; authToken: string; messagingServiceSid: string | null; apiBaseUrl: string } | null;
  kannel: { sendsmsUrl: string; username: string; password: string; callbackSecret: string; smsc: string | null } | null;
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
  PRICE_CURRENCY: { default: 'USD', help: 'Currency of prices and credits.' },
  PRICE_TABLE: { default: 'default=0.05,US=0.0079,GB=0.04,IN=0.0075', help: 'Price per segment by destination country.' },
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
  ACS_CONNECTION_STRING: { default: '', help: 'Azure Communication Services connection string (`endpoint=https://...;accesskey=...`); registers the `acs` carrier.' },
  ACS_EVENTGRID_KEY: { default: '', help: 'Secret Event Grid sends as `?key=` on the ACS callback URLs; required with ACS_CONNECTION_STRING.' },
  TWILIO_ACCOUNT_SID: { default: '', help: 'Twilio account SID (`AC...`); with TWILIO_AUTH_TOKEN registers the `twilio` carrier.' },
  TWILIO_AUTH_TOKEN: { default: '', help: 'Twilio auth token: authenticates API calls and verifies X-Twilio-Signature on callbacks.' },
  TWILIO_MESSAGING_SERVICE_SID: { default: '', help: 'Optional Messaging Service (`MG...`) to send through instead of the message\'s From.' },
  TWILIO_API_BASE_URL: { default: 'https://api.twilio.com', help: 'Twilio REST API base URL (an egress proxy or a test server).' },
  KANNEL_SENDSMS_URL: { default: '', help: 'smsbox send-sms URL, e.g. `http://kannel:13013/cgi-bin/sendsms`; registers the `kannel` carrier.' },
  KANNEL_USERNAME: { default: '', help: 'smsbox sendsms-user username; required with KANNEL_SENDSMS_URL.' },
  KANNEL_PASSWORD: { default: '', help: 'smsbox sendsms-user password; required with KANNEL_SENDSMS_URL.' },
  KANNEL_CALLBACK_SECRET: { default: '', help: 'Signs the dlr-url of each message and authenticates the sms-service URL (`?key=`); required with KANNEL_SENDSMS_URL.' },
  KANNEL_SMSC: { default: '', help: 'Optional smsc id Kannel routes our messages through.' },
  APPLICATIONINSIGHTS_CONNECTION_STRING: { default: '', help: 'Application Insights connection string; when set, the Azure Functions app sends traces and logs to Azure Monitor (OpenTelemetry).' },
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: { default: '', help: '`Authorization=AAD;ClientId=<identity client id>`: send telemetry with Entra ID (the resource refuses keys).' },
  WEBHOOK_ALLOW_LOOPBACK: { default: '(true with STORAGE=sqlite, else false)', help: 'Accept http:// webhook callback URLs to loopback (127.0.0.1, localhost) for local development; https and public addresses are required otherwise.' },
  WEBHOOK_TIMEOUT_MS: { default: '15000', help: 'A webhook attempt that has not completed in this time fails and is retried.' },
  WEBHOOK_CONCURRENCY: { default: '256', help: 'Webhook deliveries in flight at once in the embedded host.' },
  WEBHOOK_RELAY_INTERVAL_MS: { default: '25', help: 'How often the embedded host looks for new events to deliver when idle.' },
  RATE_LIMIT_HOOKS_PER_MINUTE: { default: '300', help: 'Requests per minute per account to the webhook subscription API (/api/hooks, /api/events); 429 with Retry-After beyond; 0 turns it off.' },
  RATE_LIMIT_CARRIER_PER_MINUTE: { default: '60000', help: 'Carrier callback requests per minute per source address; 429 with Retry-After beyond; 0 turns it off.' },
  RATE_LIMIT_CAMPAIGN_TRIGGERS_PER_MINUTE: { default: '600', help: 'Calls per minute per account to trigger campaigns (POST /api/campaigns/{id}/trigger); 429 with Retry-After beyond; 0 turns it off.' },
} as const;

export type SettingName = keyof typeof SETTINGS;

export class ConfigError extends Error {}

/** Reads and validates the environment; every problem is reported at once, by setting name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
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
  const prices = parsePriceTable(get('PRICE_CURRENCY'), get('PRICE_TABLE'));
  if ('error' in prices) problems.push(`PRICE_TABLE: ${prices.error}`);
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
    prices: 'error' in prices ? { currency: 'USD', perSegment: {} } : prices,
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
    carriers: carrierSettings(optional, problems),
    telemetry: { connectionString: optional('APPLICATIONINSIGHTS_CONNECTION_STRING'), authentication: optional('APPLICATIONINSIGHTS_AUTHENTICATION_STRING') },
    webhooks: {
      allowLoopback: false,
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', 100, 60_000),
      concurrency: int('WEBHOOK_CONCURRENCY', 1, 10_000),
      relayIntervalMs: int('WEBHOOK_RELAY_INTERVAL_MS', 5, 60_000),
    },
    rateLimits: { subscriptionsPerMinute: int('RATE_LIMIT_HOOKS_PER_MINUTE', 0, 1_000_000), carrierPerMinute: int('RATE_LIMIT_CARRIER_PER_MINUTE', 0, 100_000_000), campaignTriggersPerMinute: int('RATE_LIMIT_CAMPAIGN_TRIGGERS_PER_MINUTE', 0, 100_000_000) },
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

/** Names of the carriers these settings register; the simulator is always there. */
export function configuredCarrierNames(carriers: CarrierSettings): string[] {
  return ['simulator', ...(['acs', 'twilio', 'kannel'] as const).filter((name) => carriers[name] !== null)];
}

/** A carrier is configured when its first setting is present; then the rest it needs must be too. */
function carrierSettings(optional: (name: SettingName) => string | null, problems: string[]): CarrierSettings {
  const needs = (carrier: SettingName, ...names: SettingName[]) => {
    const missing = names.filter((n) => optional(n) === null);
    if (missing.length) problems.push(`${carrier} needs ${missing.join(', ')}`);
    return missing.length === 0;
  };
  const origin = (name: SettingName, value: string) => {
    if (!/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(value)) problems.push(`${name}=${value} must be an http(s) URL`);
    return value.replace(/\/$/, '');
  };
  const acsCs = optional('ACS_CONNECTION_STRING');
  if (acsCs && !/^endpoint=https?:\/\/[^;]+;accesskey=.+$/i.test(acsCs)) problems.push('ACS_CONNECTION_STRING must look like endpoint=https://<resource>.communication.azure.com/;accesskey=<key>');
  const sid = optional('TWILIO_ACCOUNT_SID');
  if (sid && !/^AC[0-9a-fA-F]{32}$/.test(sid)) problems.push('TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits');
  const service = optional('TWILIO_MESSAGING_SERVICE_SID');
  if (service && !/^MG[0-9a-fA-F]{32}$/.test(service)) problems.push('TWILIO_MESSAGING_SERVICE_SID must be MG followed by 32 hex digits');
  const kannelUrl = optional('KANNEL_SENDSMS_URL');
  return {
    acs: acsCs && needs('ACS_CONNECTION_STRING', 'ACS_EVENTGRID_KEY') ? { connectionString: acsCs, eventGridKey: optional('ACS_EVENTGRID_KEY')! } : null,
    twilio:
      sid && needs('TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN')
        ? { accountSid: sid, authToken: optional('TWILIO_AUTH_TOKEN')!, messagingServiceSid: service, apiBaseUrl: origin('TWILIO_API_BASE_URL', optional('TWILIO_API_BASE_URL') ?? SETTINGS.TWILIO_API_BASE_URL.default) }
        : null,
    kannel:
      kannelUrl && needs('KANNEL_SENDSMS_URL', 'KANNEL_USERNAME', 'KANNEL_PASSWORD', 'KANNEL_CALLBACK_SECRET')
        ? { sendsmsUrl: origin('KANNEL_SENDSMS_URL', kannelUrl), username: optional('KANNEL_USERNAME')!, password: optional('KANNEL_PASSWORD')!, callbackSecret: optional('KANNEL_CALLBACK_SECRET')!, smsc: optional('KANNEL_SMSC') }
        : null,
  };
}
