// bench:pacing — send pacing on the embedded host. Run 1: N messages through one sender limited to
// 50/s; run 2: two senders at 50/s and 20/s in parallel (N and N x 20/50 messages, so both take as
// long). Each beside the same messages unpaced, in the same run. Prints per sender the most
// messages submitted in any one-second window (from each message's sentAt, stamped just before
// the carrier's submit), the total time against the ideal (N / limit), the host's CPU seconds while
// the paced sends wait, and its peak RSS. `BENCH_PACING_MESSAGES` (default 10,000; 200 s at 50/s)
// allows a quicker run. Linux (/proc) for CPU and RSS.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { fmt, startServer } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');
const N = Number(process.env.BENCH_PACING_MESSAGES ?? 10_000);
const ADMIN = 'bench-admin';
const CONCURRENCY = 32;
const TICK = 100; // clock ticks per second of /proc/<pid>/stat (USER_HZ)

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK; // utime, stime
}
function peakRssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Number(line.split(/\s+/)[1]) / 1024;
}

async function call(url, method, path, body, headers) {
  const res = await fetch(`${url}/api${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** The most values in any window [t, t + 1000). */
function maxPerSecond(times) {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** One host, one scenario: senders [{ name, limit|null, count }]. */
async function run(label, senders) {
  const dir = mkdtempSync(join(tmpdir(), 'dfs-bench-pacing-'));
  const host = await startServer(join(root, 'dist/shared/local/main.js'), {
    PORT: '0',
    DATA_DIR: dir,
    ADMIN_API_KEY: ADMIN,
    LOG_LEVEL: 'error',
    SIMULATOR_DLR_DELAY_MS: '0',
    DEV_API_KEY: 'dfs_bench_key',
  });
  const pid = host.child.pid;
  const admin = { 'x-admin-key': ADMIN };
  const keys = [];
  for (const s of senders) {
    const created = await call(
      host.url,
      'POST',
      '/operator/accounts',
      { name: s.name, credits: '1000000.00', senderId: s.name, defaultCountry: 'US' },
      admin,
    );
    keys.push(created.apiKey);
    if (s.limit !== null) await call(host.url, 'PUT', `/operator/senders/${s.name}/limits`, { messagesPerSecond: s.limit }, admin);
  }
  const cpu0 = cpuSeconds(pid);
  const t0 = Date.now();
  // Accept every message (the senders interleaved), as fast as the host takes them. Numbers ending
  // 1000-8999: the simulator rejects 0400 and retries 0503 on purpose.
  const jobs = senders.flatMap((s, i) => Array.from({ length: s.count }, (_, k) => ({ i, k })));
  jobs.sort((a, b) => a.k - b.k || a.i - b.i);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) {
        const { i, k } = jobs[next++];
        await call(
          host.url,
          'POST',
          '/messages',
          { to: `+1415555${1000 + (k % 8000)}`, text: 'Your verification code is 482913. It expires in 10 minutes.' },
          { 'x-api-key': keys[i] },
        );
      }
    }),
  );
  const acceptedMs = Date.now() - t0;
  const cpuAccepted = cpuSeconds(pid);
  const db = new Database(join(dir, 'dataflows-sms.db'), { readonly: true });
  const pending = db.prepare("SELECT COUNT(*) AS n FROM messages WHERE status IN ('queued', 'scheduled')");
  while (pending.get().n > 0) await new Promise((r) => setTimeout(r, 250));
  const doneMs = Date.now() - t0;
  const cpuDone = cpuSeconds(pid);
  const rss = peakRssMb(pid);
  // sentAt is stored compactly: ms after created_at on the same day, else the ISO time.
  const rows = db
    .prepare("SELECT from_sender AS sender, created_at AS createdAt, state->'$.s' AS s FROM messages")
    .all()
    .map((r) => {
      const s = r.s === null ? null : JSON.parse(r.s);
      return { sender: r.sender, sentAt: s === null ? null : typeof s === 'number' ? Date.parse(r.createdAt) + s : Date.parse(s) };
    });
  db.close();
  await host.stop();
  rmSync(dir, { recursive: true, force: true });
  const out = senders.map((s) => {
    const times = rows.filter((r) => r.sender === s.name && r.sentAt !== null).map((r) => r.sentAt);
    const last = Math.max(...times);
    if (process.env.BENCH_PACING_DEBUG && s.limit !== null) {
      const sorted = [...times].sort((a, b) => a - b);
      for (let i = 0, j = 0; i < sorted.length; i++) {
        while (sorted[i] - sorted[j] >= 1000) j++;
        if (i - j + 1 > s.limit)
          console.error(
            s.name,
            'window',
            sorted
              .slice(j, i + 1)
              .map((x) => x - sorted[j])
              .join(' '),
          );
      }
    }
    return {
      label,
      sender: s.name,
      limit: s.limit,
      count: s.count,
      submitted: times.length,
      maxPerSecond: maxPerSecond(times),
      seconds: (last - t0) / 1000,
      ideal: s.limit === null ? null : s.count / s.limit,
    };
  });
  return { label, out, acceptedMs, doneMs, cpuWaiting: cpuDone - cpuAccepted, cpuTotal: cpuDone - cpu0, rss };
}

const scenarios = [
  ['one sender, unpaced', [{ name: 'PaceA', limit: null, count: N }]],
  ['one sender, 50/s', [{ name: 'PaceA', limit: 50, count: N }]],
  [
    'two senders, unpaced',
    [
      { name: 'PaceA', limit: null, count: N },
      { name: 'PaceB', limit: null, count: Math.round((N * 20) / 50) },
    ],
  ],
  [
    'two senders, 50/s and 20/s',
    [
      { name: 'PaceA', limit: 50, count: N },
      { name: 'PaceB', limit: 20, count: Math.round((N * 20) / 50) },
    ],
  ],
];
const results = [];
for (const [label, senders] of scenarios.filter(
  (_, i) => !process.env.BENCH_PACING_ONLY || process.env.BENCH_PACING_ONLY.split(',').includes(String(i)),
)) {
  const r = await run(label, senders);
  results.push(r);
  console.error(`${label}: done in ${fmt(r.doneMs / 1000, 1)} s`);
}

console.log(`\nbench:pacing, ${fmt(N)} messages per 50/s sender (embedded host, simulator carrier, 2 cores)`);
console.log(
  '| run | sender | limit/s | messages | most in any 1 s | time s | ideal s | time/ideal | accepted in s | CPU s while waiting | CPU s total | peak RSS MB |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  for (const o of r.out) {
    console.log(
      `| ${r.label} | ${o.sender} | ${o.limit ?? '—'} | ${fmt(o.submitted)}/${fmt(o.count)} | ${fmt(o.maxPerSecond)} | ${fmt(o.seconds, 1)} | ${o.ideal === null ? '—' : fmt(o.ideal, 1)} | ${o.ideal === null ? '—' : fmt(o.seconds / o.ideal, 3)} | ${fmt(r.acceptedMs / 1000, 1)} | ${fmt(r.cpuWaiting, 2)} | ${fmt(r.cpuTotal, 2)} | ${fmt(r.rss)} |`,
    );
  }
}
const bad = results
  .flatMap((r) => r.out)
  .filter((o) => o.limit !== null && (o.maxPerSecond > o.limit || o.seconds / o.ideal > 1.05 || o.submitted !== o.count));
if (bad.length > 0) {
  console.log(`\nOUT OF BOUNDS: ${bad.map((o) => `${o.sender} (${o.maxPerSecond}/s, ${fmt(o.seconds / o.ideal, 3)} x ideal)`).join(', ')}`);
  process.exitCode = 1;
}
