/**
 * Entry point of the Azure Functions app (package.json `main` → dist/functions/index.js). Order
 * matters: settings first (a bad setting stops indexing with every problem named), then telemetry,
 * which must hook modules before `@azure/functions` and the Azure SDKs load, then registration.
 */
import { loadConfig } from '../shared/config/config';
import { createFunctionsLogger } from './logger';
import { startTelemetry } from './telemetry';

const config = loadConfig(process.env);
const openTelemetry = startTelemetry(config);

// Required only now, after telemetry is started (see above).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { app } = require('@azure/functions') as typeof import('@azure/functions');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { registerFunctions } = require('./register') as typeof import('./register');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lazyRuntime } = require('./runtimeProvider') as typeof import('./runtimeProvider');

// The composition (Cosmos DB and Service Bus SDKs, carriers) is required on the first invocation,
// with the runtime it builds: loading this file stays quick, so the host indexes the functions soon
// after a cold start (npm run bench:coldstart).
export const runtime = lazyRuntime(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createRuntime } = require('../shared/config/createRuntime') as typeof import('../shared/config/createRuntime');
  return createRuntime(config, { logger: createFunctionsLogger({ level: config.logLevel, openTelemetry }) });
});

registerFunctions(app, config, runtime);
