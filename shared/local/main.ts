import { ConfigError, loadConfig, type Config } from '../config/config';
import type { SeedResult } from '../config/runtime';
import { startEmbeddedHost, type EmbeddedHost } from './host';
import { explainStartFailure } from './startFailure';

/** `npm start`: the embedded host with its defaults, and a first message to try. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let host: EmbeddedHost;
  try {
    host = await startEmbeddedHost(config);
  } catch (err) {
    // One line naming the setting to change, no stack trace: a start failure the operator can fix.
    const line = explainStartFailure(err, config);
    if (line) {
      process.stderr.write(`failed to start: ${line}\n`);
      process.exit(2);
    }
    throw err;
  }
  const { seed, runtime } = host;
  const key = seed.apiKey ?? (seed.configuredKey && config.storage === 'sqlite' ? seed.configuredKey : '<your API key>');
  const lines = [
    `DataFlows SMS is running at ${host.url}/api (data in ${config.dataDir})`,
    devAccountLine(seed, config),
    operatorKeyLine(runtime.generated.adminApiKey, config),
    '',
    'Send a first message (the simulator delivers numbers ending in anything but 1400/1404/1408/1409/0400/0503):',
    `  curl -s ${host.url}/api/messages -H 'X-API-Key: ${key}' -H 'Content-Type: application/json' \\`,
    `    -d '{"to":"+14155550123","text":"Hello from DataFlows SMS"}'`,
    `  curl -s ${host.url}/api/messages/<id> -H 'X-API-Key: ${key}'`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: finishing work in progress and stopping...\n`);
    host
      .close()
      .then(() => process.exit(0))
      .catch((err: Error) => {
        process.stderr.write(`shutdown failed: ${err.message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Keys from settings are printed on every start of the embedded (SQLite) host, a development setup. */
function devAccountLine(seed: SeedResult, config: Config): string {
  const account = `Development account ${seed.accountId}${seed.created ? ' created' : ''}`;
  if (seed.apiKey) return `${account}. Its API key, shown only now: ${seed.apiKey}`;
  if (seed.configuredKey) {
    const replaced = seed.keyReplaced ? ' (given to it on this start: its previous key no longer works)' : '';
    return config.storage === 'sqlite'
      ? `${account}. Its API key (DEV_API_KEY): ${seed.configuredKey}${replaced}`
      : `${account}: its API key is DEV_API_KEY${replaced}`;
  }
  return `${account}: its API key was printed on its first start. Lost it? npm run key:reset -- ${seed.accountId} (or start with DEV_API_KEY set)`;
}

function operatorKeyLine(generated: string | null, config: Config): string {
  if (generated) return `Operator key (X-Admin-Key), shown only now: ${generated}`;
  if (config.adminApiKey)
    return config.storage === 'sqlite'
      ? `Operator key (X-Admin-Key, ADMIN_API_KEY): ${config.adminApiKey}`
      : 'Operator key (X-Admin-Key): ADMIN_API_KEY';
  return 'Operator key (X-Admin-Key): printed on the first start. Lost it? npm run key:reset -- --operator, then restart (or set ADMIN_API_KEY)';
}

main().catch((err: Error) => {
  // Not a failure the operator can fix by a setting: keep the details (stack with LOG_LEVEL=debug).
  process.stderr.write(`failed to start: ${process.env.LOG_LEVEL === 'debug' ? (err.stack ?? err.message) : err.message}\n`);
  process.exit(1);
});
