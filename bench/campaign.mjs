// bench:campaign — a bulk campaign to N contacts on the embedded host: messages accepted per second
// from start until every recipient's message is accepted (status `sent`), and the time until the
// campaign completes (every delivery report in). Baseline in the same run: the same N messages sent
// one request each through POST /api/messages by 64 connections, on a fresh host.
// Run with `npm run bench:campaign` (builds first). Figures go to stdout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fmt, load, startServer } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');
const N = Number(process.env.BENCH_CONTACTS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const KEY = 'dfs_bench_key';
const TEXT = 'Hi {{firstName|there}}, our spring sale starts today: 20% off with code {{code}}.';

// Distinct numbers over several area codes; the last four digits vary over every simulator outcome.
const phone = (i) => `+1${['415', '628', '510', '650'][Math.floor(i / 10_000) % 4]}555${String(i % 10_000).padStart(4, '0')}`;

function hostEnv(dataDir) {
  return {
    PORT: '0',
    DATA_DIR: dataDir,
    DEV_API_KEY: KEY,
    ADMIN_API_KEY: 'bench-admin',
    DEV_ACCOUNT_CREDITS: '100000000',
    LOG_LEVEL: 'error',
    SIMULATOR_DLR_DELAY_MS: '500',
    RECONCILE_INTERVAL_MS: '1000', // the campaign job's round: how soon completion is noticed
  };
}

async function api(url, method, path, body) {
  const res = await fetch(`${url}/api${path}`, {
    method,
    headers: { 'x-api-key': KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function until(check, everyMs = 50) {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// ---- the campaign -------------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'dfs-bench-'));
const host = await startServer(join(root, 'dist/shared/local/main.js'), hostEnv(dir));
const group = await api(host.url, 'POST', '/groups', { name: 'Everyone' });
for (let from = 0; from < N; from += 5_000) {
  const rows = ['phone,firstName,code'];
  for (let i = from; i < Math.min(N, from + 5_000); i++) rows.push(`${phone(i)},${i % 3 === 0 ? '' : `Name${i}`},C${i}`);
  const imported = await api(host.url, 'POST', '/contacts/import', { csv: rows.join('\n'), groupIds: [group.id] });
  if (imported.errors.length > 0) throw new Error(`import: ${JSON.stringify(imported.errors.slice(0, 3))}`);
}
const campaign = await api(host.url, 'POST', '/campaigns', { name: 'Spring sale', kind: 'bulk', text: TEXT, groupIds: [group.id] });
const started = Date.now();
await api(host.url, 'POST', `/campaigns/${campaign.id}/start`);
const sent = await until(async () => {
  const c = await api(host.url, 'GET', `/campaigns/${campaign.id}`);
  return c.status === 'sent' || c.status === 'completed' || c.status === 'failed' ? c : null;
});
const acceptedMs = Date.now() - started;
const done = await until(async () => {
  const c = await api(host.url, 'GET', `/campaigns/${campaign.id}`);
  return c.status === 'completed' || c.status === 'failed' ? c : null;
}, 200);
const completedMs = Date.now() - started;
await host.stop();
rmSync(dir, { recursive: true, force: true });

// ---- baseline: the same number of single sends through the API -------------------------------
const dir2 = mkdtempSync(join(tmpdir(), 'dfs-bench-'));
const host2 = await startServer(join(root, 'dist/shared/local/main.js'), hostEnv(dir2));
let n = 0;
const baselineStarted = Date.now();
const r = await load({
  url: host2.url,
  connections: CONNECTIONS,
  amount: N,
  requests: [
    {
      method: 'POST',
      path: '/api/messages',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ to: phone(n++), text: `Hi Name${n}, our spring sale starts today: 20% off with code C${n}.` }),
      }),
    },
  ],
});
const baselineMs = Date.now() - baselineStarted;
await host2.stop();
rmSync(dir2, { recursive: true, force: true });

console.log(`\n${fmt(N)} recipients, templated text, simulator carrier (delivery reports after 500 ms)`);
console.log('| path | messages accepted | accepted/s | to completed |');
console.log('|---|---:|---:|---:|');
console.log(
  `| bulk campaign (batches of CAMPAIGN_BATCH_SIZE through the campaign queue) | ${fmt(sent.progress.accepted)} (skipped ${fmt(sent.progress.skipped)}) | ${fmt(sent.progress.accepted / (acceptedMs / 1000))} | ${fmt(completedMs / 1000, 1)} s (${done.status}) |`,
);
console.log(
  `| baseline: POST /api/messages, ${CONNECTIONS} connections | ${fmt(r['2xx'])} (non-2xx ${r.non2xx}) | ${fmt(r['2xx'] / (baselineMs / 1000))} | – |`,
);
console.log(`campaign results: ${JSON.stringify(done.results)}`);
