/**
 * Cold start: the Azure Functions worker requires the entry point (package.json `main`) before the
 * host can index the functions. It must not load the carrier SDKs or SQLite then (they took 0.6 to
 * 0.9 s together), nor the Cosmos DB and Service Bus SDKs, which the runtime loads on the first
 * invocation. Each check runs in a fresh Node process over the BUILT files (npm test builds first)
 * and reads what that process loaded from require.cache. No timing here: bench/coldstart.mjs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const dist = (path: string) => join(root, 'dist', path);
const WATCHED = ['twilio', '@azure/communication-sms', 'better-sqlite3', '@azure/cosmos', '@azure/service-bus'] as const;
const AZURE_ENV = {
  STORAGE: 'cosmos',
  QUEUE: 'servicebus',
  COSMOS_ENDPOINT: 'https://cold.documents.azure.com:443/',
  SERVICEBUS_NAMESPACE: 'cold.servicebus.windows.net',
  ADMIN_API_KEY: 'cold-admin-key',
  SIMULATOR_SECRET: 'cold-simulator-secret',
  LOG_LEVEL: 'silent',
};

/** Runs `script` in a fresh process; answers which of WATCHED it loaded. */
function loadedBy(script: string, env: Record<string, string> = {}): string[] {
  const probe = `${script}
;const keys = Object.keys(require.cache);
process.stdout.write(JSON.stringify(${JSON.stringify(WATCHED)}.filter((m) => keys.some((k) => k.includes('/node_modules/' + m + '/')))));`;
  const r = spawnSync(process.execPath, ['-e', probe], {
    cwd: root,
    env: { ...process.env, ...env, APPLICATIONINSIGHTS_CONNECTION_STRING: '' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

describe('cold start of the Functions entry', () => {
  beforeAll(() => expect(existsSync(dist('functions/index.js'))).toBe(true));

  test('requiring the entry with the Azure settings loads no carrier SDK, no SQLite, no Cosmos DB or Service Bus SDK', () => {
    expect(loadedBy(`require(${JSON.stringify(dist('functions/index.js'))})`, AZURE_ENV)).toEqual([]);
  });

  test('the composition loads a carrier SDK only when that carrier is configured, and not SQLite', () => {
    const carriers = JSON.stringify(dist('shared/config/carriers.js'));
    const deps = `{ clock: { now: () => 0 }, http: {}, logger: { debug() {}, info() {}, warn() {}, error() {} } }`;
    const none = `require(${JSON.stringify(dist('shared/config/createRuntime.js'))}); require(${carriers}).createConfiguredCarriers({ acs: null, twilio: null, kannel: null }, ${deps});`;
    expect(loadedBy(none)).toEqual([]);
    const twilio = `require(${carriers}).createConfiguredCarriers({ acs: null, kannel: null, twilio: { accountSid: 'AC${'0'.repeat(32)}', authToken: 't', messagingServiceSid: null, apiBaseUrl: 'https://api.twilio.com' } }, ${deps});`;
    expect(loadedBy(twilio)).toEqual(['twilio']); // the probe sees a load when there is one
  });
});
