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
  simulator: { dlrDelayMs: number; secret: string | null };
  prices: PriceTable;
  devAccount: { credits: string; senderId: string; country: string };
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  queueLeaseMs: number;
  queueMaxAttempts: number;
  maxBodyBytes: number;
  reconcileIntervalMs: number;
  staleAfterMs: number;
  cosmos: { endpoint: string | null; key: string | null; database: string };
  serviceBus: { connectionString: string | null; namespace: string | null };
}

/** Every setting the service reads, with its default and meaning; the README table is generated from the same facts. */
export const SETTINGS = {
  PORT: { default: '7071', help: 'HTTP port of the embedded host.' },
  HOST: { default: '127.0.0.1', help: 'Interface the embedded host listens on (0.0.0.0 for all).' },
  DATA_DIR: { default: './.data', help: 'Folder of the embedded SQLite database.' },
  PUBLIC_BASE_URL: { default: '(http://HOST:PORT)', help: 'Absolute URL carriers use to call back; set it when behind a proxy or tunnel.' },
  DEV_API_KEY: { default: '(generated)', help: 'API key of the development account seeded on first start.' },
  ADMIN_API_KEY: { default: '(generated)', help: 'Operator key for /api/admin routes (X-Admin-Key).' },
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
  STALE_AFTER_MS: { default: '60000', help: 'How long a queued message may sit untouched before the reconciler re-enqueues it.' },
  COSMOS_ENDPOINT: { default: '', help: 'Cosmos DB endpoint (STORAGE=cosmos).' },
  COSMOS_KEY: { default: '', help: 'Cosmos DB key; leave empty to use managed identity (DefaultAzureCredential).' },
  COSMOS_DATABASE: { default: 'dataflows-sms', help: 'Cosmos DB database name.' },
  SERVICEBUS_CONNECTION_STRING: { default: '', help: 'Service Bus connection string (QUEUE=servicebus).' },
  SERVICEBUS_NAMESPACE: { default: '', help: 'Service Bus namespace host, used with managed identity when no connection string.' },
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
    staleAfterMs: int('STALE_AFTER_MS', 100, 86_400_000),
    cosmos: { endpoint: optional('COSMOS_ENDPOINT'), key: optional('COSMOS_KEY'), database: get('COSMOS_DATABASE') },
    serviceBus: { connectionString: optional('SERVICEBUS_CONNECTION_STRING'), namespace: optional('SERVICEBUS_NAMESPACE') },
  };
  if (config.storage === 'cosmos' && !config.cosmos.endpoint) problems.push('STORAGE=cosmos needs COSMOS_ENDPOINT');
  if (config.queue === 'servicebus' && !config.serviceBus.connectionString && !config.serviceBus.namespace) {
    problems.push('QUEUE=servicebus needs SERVICEBUS_CONNECTION_STRING or SERVICEBUS_NAMESPACE');
  }
  if (problems.length) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
