// Cold start of the Azure Functions entry: the time to `require` dist/functions/index.js (what the
// worker does before the host can index the functions), each run in a fresh Node process with the
// Azure settings (Cosmos DB + Service Bus, no real carrier configured), median of several runs.
// Beside it, in the same run: a bare `node -e 0` (process start only, measured from outside) and
// the eager baseline, the entry loaded after the modules it used to load at require time (carrier
// SDKs, SQLite, Cosmos DB and Service Bus SDKs), which is how the entry loaded before they were
// made lazy. Usage: npm run bench:coldstart [-- --runs=9]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist/functions/index.js');
const runsArg = process.argv.find((a) => a.startsWith('--runs='));
const RUNS = runsArg ? Number(runsArg.slice(7)) : 9;
const EAGER_MODULES = ['twilio', '@azure/communication-sms', 'better-sqlite3', '@azure/identity', '@azure/cosmos', '@azure/service-bus'];

const env = {
  ...process.env,
  STORAGE: 'cosmos',
  QUEUE: 'servicebus',
  COSMOS_ENDPOINT: 'https://coldstart.documents.azure.com:443/',
  SERVICEBUS_NAMESPACE: 'coldstart.servicebus.windows.net',
  ADMIN_API_KEY: 'coldstart-admin-key',
  SIMULATOR_SECRET: 'coldstart-simulator-secret',
  LOG_LEVEL: 'silent',
  APPLICATIONINSIGHTS_CONNECTION_STRING: '', // without telemetry, as in the figure
};

/** Milliseconds the child spends in `require` of `modules` (in order), measured inside it. */
function timeRequire(modules) {
  const script = `const t=process.hrtime.bigint();for(const m of ${JSON.stringify(modules)})require(m);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  // stderr ignored: outside the Functions host, @azure/functions warns once per registration.
  const r = spawnSync(process.execPath, ['-e', script], { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  if (r.status !== 0) throw new Error(`child exited ${r.status}`);
  return Number(r.stdout);
}

/** Wall time of a whole `node -e 0`, measured from outside. */
function timeBareNode() {
  const t = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const samples = { bare: [], entry: [], eager: [] };
for (let i = 0; i < RUNS; i += 1) {
  // Interleaved, so load on this shared machine affects all three alike.
  samples.bare.push(timeBareNode());
  samples.entry.push(timeRequire([entry]));
  samples.eager.push(timeRequire([...EAGER_MODULES, entry]));
}
const m = { bare: median(samples.bare), entry: median(samples.entry), eager: median(samples.eager) };
const row = (name, ms) => `| ${name} | ${ms.toFixed(0)} |`;
console.log(`Median of ${RUNS} fresh processes each (Node ${process.versions.node}):\n`);
console.log('| what | ms |\n|---|---:|');
console.log(row('bare `node -e 0` (whole process, from outside)', m.bare));
console.log(row('eager baseline: require carrier SDKs, SQLite, Cosmos DB and Service Bus SDKs, then the entry', m.eager));
console.log(row('require dist/functions/index.js (Azure settings, no carrier configured)', m.entry));
console.log(`\nentry / eager baseline: ${(m.entry / m.eager).toFixed(2)} (target ≤ 0.50)`);
