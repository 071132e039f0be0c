// bench:webhooks — events fanned out to 5 local webhook receivers by the embedded host: deliveries/s
// and the latency from the event (its `timestamp`) to its receipt, p50/p99. Two runs of 10,000
// inbound-SMS events each: a burst (all events at once: the most deliveries/s the host sustains)
// and a paced run (a steady event rate: the latency a subscriber sees when the host keeps up).
// Run with `npm run bench:webhooks` (builds first). Figures go to stdout.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fmt, startServer } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const RECEIVERS = Number(process.env.BENCH_RECEIVERS ?? 5);
const PACED_RATE = Number(process.env.BENCH_EVENT_RATE ?? 400); // events/s in the paced run
const KEY = 'dfs_bench_key';
const ADMIN = 'bench-admin';
const SIM_SECRET = 'bench-simulator-secret';
const NUMBER = '+14155550100';

/** A receiver that answers 200 at once and records when each delivery arrived. */
function startReceiver() {
  const latencies = [];
  let count = 0;
  let last = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const now = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      latencies.push(now - Date.parse(body.timestamp));
      count++;
      last = now;
      res.writeHead(200);
      res.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () =>
      done({
        url: `http://127.0.0.1:${server.address().port}/hook`,
        latencies,
        get count() {
          return count;
        },
        get last() {
          return last;
        },
        reset() {
          latencies.length = 0;
          count = 0;
        },
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(r);
          }),
      }),
    ),
  );
}

async function api(url, method, path, body, headers = { 'x-api-key': KEY }) {
  const res = await fetch(`${url}/api${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body && JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

let seq = 0;
/** `n` inbound SMS in one signed simulator callback: one sms.received event each. */
async function inbound(url, n) {
  const at = new Date().toISOString();
  const messages = Array.from({ length: n }, () => ({ id: `bench-${seq++}`, from: '+14155559999', to: NUMBER, text: 'STATUS please', at }));
  const body = JSON.stringify({ messages });
  const now = Date.now();
  const signature = `t=${now},v1=${createHmac('sha256', SIM_SECRET).update(`${now}.${body}`).digest('hex')}`;
  const res = await fetch(`${url}/api/carriers/simulator/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-simulator-signature': signature },
    body,
  });
  if (res.status !== 200) throw new Error(`inbound: ${res.status} ${await res.text()}`);
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function waitFor(receivers, expected, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (receivers.reduce((s, r) => s + r.count, 0) < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

async function run(name, _url, receivers, send) {
  receivers.forEach((r) => r.reset());
  const expected = EVENTS * receivers.length;
  const started = Date.now();
  await send();
  const sentAt = Date.now();
  await waitFor(receivers, expected, 300_000);
  const lastAt = Math.max(...receivers.map((r) => r.last));
  const delivered = receivers.reduce((s, r) => s + r.count, 0);
  const all = receivers.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = (lastAt - started) / 1000;
  return {
    name,
    events: EVENTS,
    delivered,
    expected,
    sendSeconds: (sentAt - started) / 1000,
    seconds,
    eventsPerSec: EVENTS / seconds,
    deliveriesPerSec: delivered / seconds,
    p50: pct(all, 50),
    p99: pct(all, 99),
    max: all[all.length - 1],
  };
}

const receivers = await Promise.all(Array.from({ length: RECEIVERS }, startReceiver));
const dir = mkdtempSync(join(tmpdir(), 'dfs-bench-wh-'));
const host = await startServer(join(root, 'dist/shared/local/main.js'), {
  PORT: '0',
  DATA_DIR: dir,
  DEV_API_KEY: KEY,
  ADMIN_API_KEY: ADMIN,
  SIMULATOR_SECRET: SIM_SECRET,
  LOG_LEVEL: 'error',
});
const rows = [];
try {
  const me = await api(host.url, 'GET', '/me');
  await api(host.url, 'POST', '/operator/virtual-numbers', { accountId: me.id, number: NUMBER }, { 'x-admin-key': ADMIN });
  for (const r of receivers) await api(host.url, 'POST', '/hooks/sms-received', { callbackUrl: r.url, virtualNumber: NUMBER });

  // Warm-up: JIT, keep-alive connections, SQLite page cache.
  const warm = EVENTS;
  await (async () => {
    for (let i = 0; i < 1000; i += 100) await inbound(host.url, 100);
    await waitFor(receivers, 1000 * receivers.length, 60_000);
  })();
  void warm;

  rows.push(
    await run('burst: all events at once', host.url, receivers, async () => {
      const batches = [];
      for (let i = 0; i < EVENTS; i += 100) batches.push(inbound(host.url, Math.min(100, EVENTS - i)));
      await Promise.all(batches);
    }),
  );

  rows.push(
    await run(`paced: ${PACED_RATE} events/s`, host.url, receivers, async () => {
      // Batches of 10 events every 10/PACED_RATE seconds, on a schedule that does not drift.
      const every = (10 / PACED_RATE) * 1000;
      const t0 = Date.now();
      for (let i = 0; i < EVENTS; i += 10) {
        const due = t0 + (i / 10) * every;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await inbound(host.url, Math.min(10, EVENTS - i));
      }
    }),
  );
  // Baseline, same run: a bare sender process posting the same deliveries to the same receivers.
  rows.push(
    await run('baseline: bare node:http sender, no storage', null, receivers, async () => {
      const base = await startServer(join(root, 'bench/bareFanout.mjs'), {
        RECEIVER_URLS: receivers.map((r) => r.url).join(','),
        EVENTS: String(EVENTS),
        CONCURRENCY: '256',
      });
      await new Promise((r) => base.child.once('exit', r));
    }),
  );
} finally {
  await host.stop();
  await Promise.all(receivers.map((r) => r.close()));
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\nwebhooks: ${fmt(EVENTS)} sms.received events per run, ${RECEIVERS} subscriptions (one local receiver each)`);
console.log('| run | deliveries | events/s | deliveries/s | p50 ms | p99 ms | max ms |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows)
  console.log(
    `| ${r.name} | ${fmt(r.delivered)}/${fmt(r.expected)} | ${fmt(r.eventsPerSec)} | ${fmt(r.deliveriesPerSec)} | ${r.p50} | ${r.p99} | ${r.max} |`,
  );
const burst = rows.find((r) => r.name.startsWith('burst'));
const base = rows.find((r) => r.name.startsWith('baseline'));
if (burst && base) console.log(`ratio burst/baseline deliveries/s: ${fmt(burst.deliveriesPerSec / base.deliveriesPerSec, 3)}`);
console.log('latency: event timestamp → receipt by the receiver (same machine clock)');
