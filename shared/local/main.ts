import { ConfigError, loadConfig } from '../config/config';
import { startEmbeddedHost } from './host';

/** `npm start`: the embedded host with its defaults, and a first message to try. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const host = await startEmbeddedHost(config);
  const { seed, runtime } = host;
  const key = seed.apiKey ?? (config.devApiKey ? config.devApiKey : '<your API key>');
  const lines = [
    `DataFlows SMS is running at ${host.url}/api (data in ${config.dataDir})`,
    seed.apiKey
      ? `Development account ${seed.accountId} created. Its API key, shown only now: ${seed.apiKey}`
      : `Development account ${seed.accountId}${seed.created ? ' created' : ''} (API key from DEV_API_KEY or as printed on first start)`,
    runtime.generated.adminApiKey ? `Admin key (X-Admin-Key), shown only now: ${runtime.generated.adminApiKey}` : null,
    '',
    'Send a first message (the simulator delivers numbers ending in anything but 1400/1404/1408/1409/0400/0503):',
    `  curl -s ${host.url}/api/messages -H 'X-API-Key: ${key}' -H 'Content-Type: application/json' \\`,
    `    -d '{"to":"+14155550123","text":"Hello from DataFlows SMS"}'`,
    `  curl -s ${host.url}/api/messages/<id> -H 'X-API-Key: ${key}'`,
    '',
  ].filter((l) => l !== null);
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

main().catch((err: Error) => {
  process.stderr.write(`failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
