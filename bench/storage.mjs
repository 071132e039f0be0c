// bench:storage — bytes on disk per delivered message and writes per message life on the embedded
// (SQLite) host. `npm run bench:storage` (builds first); `BENCH_MESSAGES=10000 npm run bench:storage`
// or `node bench/storage.mjs 10000` for a quick run (default 100,000).
//
// The messages go through the app layer (sendMessage, then the host's queues drained by hand), not
// HTTP: the HTTP path is bench:send's subject, and 100,000 requests over it would mostly measure
// that. What lands on disk is the same: the route only calls sendMessage.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { fmt } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');
const N = Number(process.argv[2] ?? process.env.BENCH_MESSAGES ?? 100_000);
const BATCH = 1_000;
// 60 characters, GSM-7, one segment.
const TEXT = 'Your verification code is 482913. It expires in 10 minutes.';
// The simulator delivers every number not ending in one of its failure suffixes.
const to = (i) => `+14155552${String(i % 1000).padStart(3, '0')}`;

const { loadConfig } = await import(join(root, 'dist/shared/config/config.js'));
const { startEmbeddedHost } = await import(join(root, 'dist/shared/local/host.js'));
const { sendMessage } = await import(join(root, 'dist/shared/app/sendMessage.js'));
const { subscribe } = await import(join(root, 'dist/shared/webhooks/subscriptions.js'));
const { eventDefinitionBySlug } = await import(join(root, 'dist/shared/webhooks/catalog.js'));

// Every statement run that changes rows, by its SQL: the writes of a message's life. The host loads
// this same better-sqlite3, so wrapping the Statement prototype sees its statements.
const writes = new Map();
let counting = false;
const statementProto = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1'));
const run = statementProto.run;
statementProto.run = function (...args) {
  const result = run.apply(this, args);
  if (counting && result.changes > 0 && /^\s*(INSERT|UPDATE|DELETE|REPLACE)/i.test(this.source)) {
    const sql = this.source.replace(/\s+/g, ' ').trim().slice(0, 90);
    writes.set(sql, (writes.get(sql) ?? 0) + 1);
  }
  return result;
};

async function startHost(dataDir) {
  const env = {
    ...process.env,
    PORT: '0',
    DATA_DIR: dataDir,
    DEV_API_KEY: 'dfs_bench_key',
    ADMIN_API_KEY: 'bench-admin',
    DEV_ACCOUNT_CREDITS: '100000000',
    LOG_LEVEL: 'error',
    SIMULATOR_DLR_DELAY_MS: '0',
    WEBHOOK_ALLOW_LOOPBACK: 'true',
  };
  const host = await startEmbeddedHost(loadConfig(env), { background: false });
  const { deps } = host.runtime;
  const account = await deps.store.accounts.get(host.seed.accountId);
  return { host, deps, account, file: join(dataDir, 'dataflows-sms.db') };
}

/** Table/index sizes from dbstat: pages, bytes used by the b-tree and bytes left unused in its pages. */
function sizes(file) {
  const db = new Database(file, { readonly: true });
  const rows = db
    .prepare(
      "SELECT name, COUNT(*) AS pages, SUM(pgsize) AS bytes, SUM(unused) AS unused, SUM(pagetype = 'overflow') AS overflow FROM dbstat GROUP BY name ORDER BY bytes DESC",
    )
    .all();
  const pageSize = db.pragma('page_size', { simple: true });
  db.close();
  return { rows, pageSize };
}

function printSizes(title, { rows, pageSize }, n) {
  const total = rows.reduce((s, r) => s + r.bytes, 0);
  // The issue's budget: the message, its events and its tasks (indexes included), not the simulator's memory.
  const own = rows
    .filter((r) => /^(messages|outbox|tasks)/.test(r.name) || /_(outbox|tasks)_/.test(r.name))
    .reduce((s, r) => s + r.bytes, 0);
  console.log(
    `\n${title} (page size ${pageSize}): ${fmt(total / n)} bytes per message in the file; message + events + tasks: ${fmt(own / n)}`,
  );
  console.log('| table / index | pages | overflow pages | bytes/message | unused bytes/message |');
  console.log('|---|---:|---:|---:|---:|');
  const small = rows.filter((r) => r.pages === 1);
  for (const r of rows)
    if (r.pages > 1) console.log(`| ${r.name} | ${fmt(r.pages)} | ${fmt(r.overflow)} | ${fmt(r.bytes / n, 1)} | ${fmt(r.unused / n, 1)} |`);
  console.log(`| ${small.length} others of one page each | ${small.length} | 0 | ${fmt((small.length * pageSize) / n, 1)} | |`);
  return total;
}

async function sendAll(ctx, count, input = () => ({})) {
  for (let i = 0; i < count; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + BATCH); j++)
      batch.push(sendMessage(ctx.deps, ctx.account, { to: to(j), text: TEXT, ...input(j) }, null));
    await Promise.all(batch);
    await ctx.host.drain();
  }
}

// 1. Bytes on disk per delivered message.
{
  const dir = mkdtempSync(join(tmpdir(), 'dfs-storage-'));
  const ctx = await startHost(dir);
  const started = performance.now();
  await sendAll(ctx, N);
  const seconds = (performance.now() - started) / 1000;
  await ctx.host.close();
  const db = new Database(ctx.file);
  const statuses = db.prepare('SELECT status, COUNT(*) AS n FROM messages GROUP BY status').all();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  console.log(
    `${fmt(N)} messages of ${TEXT.length} characters sent and drained in ${fmt(seconds, 1)} s (app layer, no HTTP): ${statuses.map((s) => `${s.status} ${fmt(s.n)}`).join(', ')}`,
  );
  printSizes('before VACUUM', sizes(ctx.file), N);
  const v = new Database(ctx.file);
  v.exec('VACUUM');
  v.close();
  printSizes('after VACUUM', sizes(ctx.file), N);
  rmSync(dir, { recursive: true, force: true });
}

// 2. Writes of one message's life (accept → sent → delivered, its events relayed and delivered).
let received = 0;
const receiver = createServer((req, res) => req.resume().on('end', () => (received++, res.writeHead(200).end('ok'))));
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;

async function writesOfOneLife(label, { subscribeAll = false, callback = false }) {
  const dir = mkdtempSync(join(tmpdir(), 'dfs-storage-'));
  const ctx = await startHost(dir);
  if (subscribeAll) await subscribe(ctx.deps, ctx.account.id, eventDefinitionBySlug('sms-status-changed'), { callbackUrl: hookUrl });
  // Warm up (first-use writes such as a callback secret), then count a single message.
  await sendAll(ctx, 3, () => (callback ? { callback: { url: hookUrl } } : {}));
  writes.clear();
  received = 0;
  counting = true;
  await sendMessage(ctx.deps, ctx.account, { to: to(7), text: TEXT, ...(callback ? { callback: { url: hookUrl } } : {}) }, null);
  // Webhook deliveries answer over HTTP: give them time, draining until nothing is left.
  for (let round = 0; round < 20; round++) {
    await ctx.host.drain();
    await new Promise((r) => setTimeout(r, 20));
  }
  await ctx.host.drain();
  counting = false;
  await ctx.host.close();
  rmSync(dir, { recursive: true, force: true });
  const total = [...writes.values()].reduce((a, b) => a + b, 0);
  console.log(`\n${label}: ${total} writes (statements changing rows), ${received} webhook/callback requests received`);
  console.log('| statement | runs |');
  console.log('|---|---:|');
  for (const [sql, n] of [...writes].sort((a, b) => b[1] - a[1])) console.log(`| \`${sql}\` | ${n} |`);
  return total;
}

const lives = [
  ['one message, no subscription, no callback', {}],
  ['with a webhook subscription (sms-status-changed)', { subscribeAll: true }],
  ['with a per-message callback URL', { callback: true }],
];
const totals = [];
for (const [label, opts] of lives) totals.push([label, await writesOfOneLife(label, opts)]);
receiver.close();
console.log('\n| message life (accept → sent → delivered) | writes |');
console.log('|---|---:|');
for (const [label, n] of totals) console.log(`| ${label} | ${n} |`);
