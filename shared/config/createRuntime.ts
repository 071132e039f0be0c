import { createJsonLogger } from '../adapters/runtime/logger';
import { systemClock } from '../ports';
import type { AzureClients } from './azureParts';
import type { Config } from './config';
import { composeApp, type Runtime, type RuntimeOverrides } from './runtime';

export interface CreateRuntimeOptions extends RuntimeOverrides {
  /** Azure mode only: SDK clients to use instead of building them from the settings (tests). */
  azureClients?: AzureClients;
}

/**
 * The composition root for any host: Azure parts (Cosmos DB + Service Bus) when the settings say
 * so, the embedded SQLite parts otherwise. loadConfig has already refused mixed combinations.
 * Each mode's parts are required only when chosen, so the Azure Functions worker never loads
 * better-sqlite3 and the embedded host never loads the Cosmos DB and Service Bus SDKs (cold start:
 * bench/coldstart.mjs, tests/unit/coldStart.test.ts).
 */
export async function createRuntime(config: Config, options: CreateRuntimeOptions = {}): Promise<Runtime> {
  const { azureClients, ...overrides } = options;
  const clock = overrides.clock ?? systemClock;
  if (config.storage === 'cosmos' && config.queue === 'servicebus') {
    const logger = overrides.logger ?? createJsonLogger(config.logLevel);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createAzureParts } = require('./azureParts') as typeof import('./azureParts');
    const parts = await createAzureParts(config, clock, azureClients, logger);
    return composeApp(config, parts, { ...overrides, logger });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createSqliteParts } = require('./sqliteParts') as typeof import('./sqliteParts');
  return composeApp(config, createSqliteParts(config, clock), overrides);
}
