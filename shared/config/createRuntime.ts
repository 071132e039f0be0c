import { createJsonLogger } from '../adapters/runtime/logger';
import { systemClock, type Clock, type Logger, type TaskQueue } from '../ports';
import type { AzureClients } from './azureParts';
import type { Config } from './config';
import { composeApp, type InfrastructureParts, type Runtime, type RuntimeOverrides } from './runtime';

export interface CreateRuntimeOptions extends RuntimeOverrides {
  /** Azure mode only: SDK clients to use instead of building them from the settings (tests). */
  azureClients?: AzureClients;
  /**
   * The host's own view of the mode's queue, which the use cases then send through (the embedded
   * host wakes its idle workers on each send, shared/local/wakeOnSend.ts).
   */
  wrapQueue?: (queue: TaskQueue) => TaskQueue;
}

/**
 * The composition root for any host: Azure parts (Cosmos DB + Service Bus) when the settings say
 * so, the embedded SQLite parts otherwise. loadConfig has already refused mixed combinations.
 * Each mode's parts are required only when chosen, so the Azure Functions worker never loads
 * better-sqlite3 and the embedded host never loads the Cosmos DB and Service Bus SDKs (cold start:
 * bench/coldstart.mjs, tests/unit/coldStart.test.ts).
 */
export async function createRuntime(config: Config, options: CreateRuntimeOptions = {}): Promise<Runtime> {
  const { azureClients, wrapQueue, ...overrides } = options;
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createJsonLogger(config.logLevel);
  const parts = await createParts(config, clock, logger, azureClients);
  return composeApp(config, wrapQueue ? { ...parts, queue: wrapQueue(parts.queue) } : parts, { ...overrides, logger });
}

/** The mode's storage, queue and secrets, each mode's module required only when chosen. */
async function createParts(
  config: Config,
  clock: Clock,
  logger: Logger,
  azureClients: AzureClients | undefined,
): Promise<InfrastructureParts> {
  if (config.storage === 'cosmos' && config.queue === 'servicebus') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createAzureParts } = require('./azureParts') as typeof import('./azureParts');
    return createAzureParts(config, clock, azureClients, logger);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createSqliteParts } = require('./sqliteParts') as typeof import('./sqliteParts');
  return createSqliteParts(config, clock);
}
