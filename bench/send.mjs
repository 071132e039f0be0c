// bench:send — accepted sends/s and latency of POST /api/messages on the embedded host, next to a
// bare node:http server answering 202 in the same run; then messages/s all the way to a terminal
// status. Run with `npm run bench:send` (builds first). Figures go to stdout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { fmt, load, startServer } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const TERMINAL_MESSAGES = Number(process.env.BENCH_TERMINAL_MESSAGES ?? 10_000);
const KEY = 'dfs_bench_key';

// Destinations vary (every simulator outcome shows up: bounces, retries, rejections) so no cache
// or single hot row flatters the figures.
let n = 0;
const request = {
  method: 'POST',
  path: '/api/messages',
  headers: { 'content-type': 'application/json', 'x-api-key': KEY },
  setupRequest: (req) => ({
    ...req,
    body: JSON.stringify({
      to: `+1415555${String(1000 + (n++ % 9000)).padStart(4, '0')}`,
      text: 'Your verification code is 482913. It expires in 10 minutes.',
    }),
  }),
};

function hostEnv(dataDir) {
  return {
    PORT: '0',
    DATA_DIR: dataDir,
    DEV_API_KEY: KEY,
    ADMIN_API_KEY: 'bench-admin',
    DEV_ACCOUNT_CREDITS: '100000000',
    LOG_LEVEL: 'error',
  };
}

async function measure(name, url) {
  // Warm up (JIT, connection pool, SQLite page cache), then measure.
  await load({ url, connections: CONNECTIONS, duration: 2, requests: [request] });
  const r = await load({ url, connections: CONNECTIONS, duration: DURATION, requests: [request] });
  const accepted = r['2xx'];
  return { name, rps: accepted / DURATION, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

const rows = [];
const base = await startServer(join(root, 'bench/bareServer.mjs'), {});
rows.push(await measure('bare node:http 202', base.url));
await base.stop();

const dir = mkdtempSync(join(tmpdir(), 'dfs-bench-'));
const host = await startServer(join(root, 'dist/shared/local/main.js'), hostEnv(dir));
rows.push(await measure('embedded host POST /api/messages', host.url));
await host.stop();
rmSync(dir, { recursive: true, force: true });

console.log(`\naccepted sends, ${CONNECTIONS} connections, ${DURATION} s (after a 2 s warm-up)`);
console.log('| server | accepted/s | p50 ms | p99 ms | non-2xx | errors |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${fmt(r.rps)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`);
console.log(`ratio embedded/bare: ${fmt(rows[1].rps / rows[0].rps, 3)}`);

// To a terminal status: send N messages as fast as accepted, then wait until every one is delivered.
const dir2 = mkdtempSync(join(tmpdir(), 'dfs-bench-'));
const host2 = await startServer(join(root, 'dist/shared/local/main.js'), {
  ...hostEnv(dir2),
  SIMULATOR_DLR_DELAY_MS: process.env.SIMULATOR_DLR_DELAY_MS ?? '500',
});
const db = new Database(join(dir2, 'dataflows-sms.db'), { readonly: true });
const terminal = db.prepare("SELECT COUNT(*) AS n FROM messages WHERE status IN ('delivered','undelivered','failed','cancelled')");
// 0503 numbers are retried on purpose with a 1-4 s backoff; they finish last.
const started = performance.now();
const r = await load({ url: host2.url, connections: CONNECTIONS, amount: TERMINAL_MESSAGES, requests: [request] });
const acceptedAt = performance.now();
let done = 0;
while ((done = terminal.get().n) < r['2xx'] && performance.now() - started < 300_000) await new Promise((res) => setTimeout(res, 50));
const finished = performance.now();
db.close();
await host2.stop();
rmSync(dir2, { recursive: true, force: true });
const seconds = (finished - started) / 1000;
console.log(
  `\nto terminal status: ${fmt(r['2xx'])} accepted in ${fmt((acceptedAt - started) / 1000, 2)} s, ${fmt(done)} terminal after ${fmt(seconds, 2)} s`,
);
console.log(`| messages | accept phase/s | end-to-end messages/s (incl. ${process.env.SIMULATOR_DLR_DELAY_MS ?? 500} ms report delay) |`);
console.log('|---:|---:|---:|');
console.log(`| ${fmt(done)} | ${fmt(r['2xx'] / ((acceptedAt - started) / 1000))} | ${fmt(done / seconds)} |`);
