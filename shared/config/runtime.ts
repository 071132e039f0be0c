import { createAccount } from '../app/accounts';
import { replaceApiKey } from '../app/accountKeys';
import { authenticateAccountKey } from '../app/apiKeyAuth';
import type { AppDeps } from '../app/deps';
import { Pacer } from '../app/pacing';
import { campaignBatchHandler, sendTaskHandler } from '../app/taskHandlers';
import { createDlrBatchHandler } from '../adapters/carriers/simulator/dlrWorker';
import { createSimulatorCarrier, type SimulatorLog } from '../adapters/carriers/simulator/simulator';
import { createNodeHttpClient } from '../adapters/runtime/httpClient';
import { addressRefusal, createUrlPolicy } from '../adapters/runtime/urlPolicy';
import { createWebhookDeliveryHandler } from '../webhooks/deliver';
import { createIdGenerator } from '../adapters/runtime/ids';
import { createJsonLogger } from '../adapters/runtime/logger';
import { createEngine, type Engine } from '../http/engine';
import { routeTable } from '../http/routes';
import {
  QUEUE_OF,
  systemClock,
  type BatchHandler,
  type Carrier,
  type CarrierRegistry,
  type Clock,
  type DataStore,
  type HttpClient,
  type Logger,
  type Task,
  type TaskHandle,
  type TaskQueue,
  type TaskReceiver,
} from '../ports';
import { createConfiguredCarriers } from './carriers';
import type { Config } from './config';

export interface RuntimeOverrides {
  clock?: Clock;
  http?: HttpClient;
  /** Client for webhook deliveries; default: a node:http client refusing private addresses. */
  webhookHttp?: HttpClient;
  logger?: Logger;
}

export interface Runtime {
  /** The settings it was built from (periodic jobs read their own). */
  config: Config;
  deps: AppDeps;
  engine: Engine;
  /** Pull side of the queue for the embedded workers (Azure Functions receive through triggers). */
  receiver: TaskReceiver;
  /** Batch handler per queue name: the embedded workers and the Azure queue triggers drive these. */
  handlers: Record<string, BatchHandler>;
  simulatorLog: SimulatorLog;
  /** How a queue trigger (which holds no lease) retries a task later; null for the pull-only embedded queue. */
  redelivery: TaskRedelivery | null;
  /** Secrets generated on this start, to print once (null when configured or generated earlier). */
  generated: { adminApiKey: string | null };
  /** Sets the base URL carriers call back, once the host knows the port it listens on. */
  setPublicBaseUrl(url: string): void;
  close(): Promise<void>;
}

/**
 * Retry for consumers the platform pushes tasks to (Azure Functions queue triggers): they hold no
 * lease to put back, so a retry is a new delayed copy that carries the next attempt number.
 */
export interface TaskRedelivery {
  /** Deliveries of a task before it is dead-lettered (the queues' maxDeliveryCount). */
  maxAttempts: number;
  sendRetry(task: Task, attempt: number, delayMs: number, reason: string): Promise<TaskHandle>;
}

/** What a deployment mode supplies: storage, queue and the secrets it keeps. */
export interface InfrastructureParts {
  store: DataStore;
  queue: TaskQueue;
  receiver: TaskReceiver;
  simulatorLog: SimulatorLog;
  /** Present where the platform pushes tasks to consumers (Azure Functions triggers). */
  redelivery?: TaskRedelivery;
  adminKeyHash: string;
  simulatorSecret: string;
  /** HMAC secret of the continuation tokens the list routes hand out. */
  pageTokenSecret: string;
  /** HMAC secret of the keyed hashes erased numbers' opt-outs are kept under (app/optOuts.ts). */
  privacyHashSecret: string;
  generated: { adminApiKey: string | null };
  close(): Promise<void>;
}

function registry(carriers: Carrier[]): CarrierRegistry {
  const byName = new Map(carriers.map((c) => [c.name, c]));
  return { get: (name) => byName.get(name), names: () => [...byName.keys()] };
}

/**
 * Wires the mode-independent part: carriers, use-case dependencies, the HTTP engine over the route
 * table and the queue handlers. Both the embedded host and Azure Functions build on this.
 */
export function composeApp(config: Config, parts: InfrastructureParts, overrides: RuntimeOverrides = {}): Runtime {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createJsonLogger(config.logLevel);
  const ownHttp = overrides.http ? null : createNodeHttpClient();
  const http = overrides.http ?? ownHttp!;
  const { queue } = parts;
  const simulator = createSimulatorCarrier({
    log: parts.simulatorLog,
    queue,
    clock,
    secret: parts.simulatorSecret,
    dlrDelayMs: config.simulator.dlrDelayMs,
  });
  const settings = {
    prices: config.prices,
    defaultCarrier: config.defaultCarrier,
    publicBaseUrl: config.publicBaseUrl ?? `http://${config.host}:${config.port}`,
    minScheduleAheadMs: 60_000,
    maxScheduleAheadMs: 35 * 86_400_000,
    staleAfterMs: config.staleAfterMs,
    campaignBatchSize: config.campaigns.batchSize,
    campaignCompletionTimeoutMs: config.campaigns.completionTimeoutMs,
  };
  const deps: AppDeps = {
    store: parts.store,
    queue,
    carriers: registry([simulator, ...createConfiguredCarriers(config.carriers, { clock, http, logger })]),
    clock,
    ids: createIdGenerator(clock),
    logger,
    settings,
    privacy: { hashSecret: parts.privacyHashSecret },
    pacer: new Pacer(parts.store, clock),
    deadLetters: parts.receiver,
    webhooks: { urlPolicy: createUrlPolicy({ allowLoopback: config.webhooks.allowLoopback }) },
  };
  // Webhook URLs come from customers: their client refuses private and metadata addresses on connect.
  const ownWebhookHttp = overrides.webhookHttp
    ? null
    : createNodeHttpClient({ refuseAddress: (ip) => addressRefusal(ip, config.webhooks.allowLoopback), maxSockets: 256 });
  const webhookHttp = overrides.webhookHttp ?? ownWebhookHttp!;
  const engine = createEngine(deps, routeTable, {
    adminKeyHash: parts.adminKeyHash,
    pageTokenSecret: parts.pageTokenSecret,
    maxBodyBytes: config.maxBodyBytes,
    rateLimits: {
      subscriptions: config.rateLimits.subscriptionsPerMinute,
      carrier: config.rateLimits.carrierPerMinute,
      campaignTriggers: config.rateLimits.campaignTriggersPerMinute,
    },
    authFailuresPerMinute: config.rateLimits.authFailuresPerMinute,
  });
  const handlers: Record<string, BatchHandler> = {
    [QUEUE_OF['sms.send.v1']]: sendTaskHandler(deps),
    [QUEUE_OF['campaign.batch.v1']]: campaignBatchHandler(deps),
    [QUEUE_OF['webhook.deliver.v1']]: createWebhookDeliveryHandler({ app: deps, http: webhookHttp, timeoutMs: config.webhooks.timeoutMs }),
    [QUEUE_OF['simulator.dlr.v1']]: createDlrBatchHandler({
      http,
      clock,
      secret: parts.simulatorSecret,
      callbackUrl: () => `${settings.publicBaseUrl}/api/carriers/simulator/status`,
      logger,
    }),
  };
  return {
    config,
    deps,
    engine,
    receiver: parts.receiver,
    redelivery: parts.redelivery ?? null,
    handlers,
    simulatorLog: parts.simulatorLog,
    generated: parts.generated,
    setPublicBaseUrl(url) {
      settings.publicBaseUrl = url;
    },
    async close() {
      ownHttp?.close();
      ownWebhookHttp?.close();
      await parts.close();
    },
  };
}

export interface SeedResult {
  created: boolean;
  accountId: string;
  /** Present only when the key was generated now: it is shown once. */
  apiKey: string | null;
  /**
   * DEV_API_KEY, when set: the key of accountId (given to the development account if no account had
   * it, e.g. after its generated key was lost), so `npm start` can print it on every start.
   */
  configuredKey: string | null;
  /** The development account's previous key was replaced by DEV_API_KEY on this start. */
  keyReplaced: boolean;
}

const DEV_ACCOUNT_NAME = 'Development account';

/**
 * First start: creates the development account with credits and one approved sender ID. Later
 * starts with DEV_API_KEY find the account holding that key; if none does, the development account
 * (the first one created) gets it, which is how a lost development key is recovered by a restart.
 */
export async function seedDevAccount(deps: AppDeps, config: Config): Promise<SeedResult> {
  const existing = await deps.store.accounts.list({ limit: 1 });
  const configuredKey = config.devApiKey;
  if (existing.items.length > 0) {
    const first = existing.items[0]!;
    if (!configuredKey) return { created: false, accountId: first.id, apiKey: null, configuredKey: null, keyReplaced: false };
    // Held means usable: a key revoked or expired since is given back to the development account.
    const held = await authenticateAccountKey(deps, configuredKey, false);
    if ('account' in held) return { created: false, accountId: held.account.id, apiKey: null, configuredKey, keyReplaced: false };
    await replaceApiKey(deps, first.id, configuredKey);
    return { created: false, accountId: first.id, apiKey: null, configuredKey, keyReplaced: true };
  }
  const { account, apiKey } = await createAccount(deps, {
    name: DEV_ACCOUNT_NAME,
    credits: config.devAccount.credits,
    defaultCountry: config.devAccount.country,
    lowBalanceThreshold: '10.00',
    senderId: config.devAccount.senderId,
    ...(configuredKey ? { apiKey: configuredKey } : {}),
  });
  return { created: true, accountId: account.id, apiKey: configuredKey ? null : apiKey, configuredKey, keyReplaced: false };
}
