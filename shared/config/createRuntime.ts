import { createJsonLogger } from '../adapters/runtime/logger';
import { systemClock } from '../ports';
import { createAzureParts, type AzureClients } from './azureParts';
import type { Config } from './config';
import { composeApp, createEmbeddedRuntime, type Runtime, type RuntimeOverrides } from './runtime';

export interface CreateRuntimeOptions extends RuntimeOverrides {
  /** Azure mode only: SDK clients to use instead of building them from the settings (tests). */
  azureClients?: AzureClients;
}

/**
 * The composition root for any host: Azure parts (Cosmos DB + Service Bus) when the settings say
 * so, the embedded SQLite parts otherwise. loadConfig has already refused mixed combinations.
 */
export async function createRuntime(config: Config, options: CreateRuntimeOptions = {}): Promise<Runtime> {
  const { azureClients, ...overrides } = options;
  if (config.storage === 'cosmos' && config.queue === 'servicebus') {
    const logger = overrides.logger ?? createJsonLogger(config.logLevel);
    const parts = await createAzureParts(config, overrides.clock ?? systemClock, azureClients, logger);
    return composeApp(config, parts, { ...overrides, logger });
  }
  return createEmbeddedRuntime(config, overrides);
}
