// bench:lists — list-query latency at 1,000,000 stored messages of one account on the embedded
// (SQLite) store, and the retention job's time for one day of events. `npm run bench:lists`
// (builds first); `BENCH_MESSAGES=100000` for a quick run. Writes straight through the store
// (accept with its events), not HTTP: the subject is the queries on a large table.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fmt } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');
const N = Number(process.argv[2] ?? process.env.BENCH_MESSAGES ?? 1_000_000);
const QUERIES = 200;
const { openDatabase } = await import(join(root, 'dist/shared/adapters/sqlite/database.js'));
const { createSqliteDataStore } = await import(join(root, 'dist/shared/adapters/sqlite/dataStore.js'));
const { createSqliteMeta } = await import(join(root, 'dist/shared/adapters/sqlite/meta.js'));

const dir = mkdtempSync(join(tmpdir(), 'dfs-lists-'));
const db = openDatabase(join(dir, 'lists.db'));
createSqliteMeta(db);
const store = createSqliteDataStore(db);
const accountId = 'acc_bench';
const t0 = Date.parse('2026-01-01T00:00:00.000Z');
await store.accounts.create({
  id: accountId,
  name: 'bench',
  apiKeyHash: 'h',
  scopes: [],
  currency: 'USD',
  balance: 10n ** 15n,
  lowBalanceThreshold: 0n,
  defaultSenderId: null,
  defaultCountry: 'US',
  retryPolicy: { maxAttempts: 5, baseDelayMs: 2000, maxDelayMs: 300000 },
  carrier: null,
  createdAt: new Date(t0).toISOString(),
  updatedAt: new Date(t0).toISOString(),
});

// Over 30 days; statuses as a busy account sees them; 10,000 recipients; 1 in 10 in one of 20 campaigns.
const STATUSES = [
  ['delivered', 900],
  ['undelivered', 40],
  ['failed', 30],
  ['sent', 20],
  ['queued', 8],
  ['cancelled', 2],
];
const statusOf = (i) => {
  let x = (i * 7919) % 1000;
  for (const [s, n] of STATUSES) if ((x -= n) < 0) return s;
  return 'delivered';
};
const span = 30 * 86_400_000;
const message = (i) => {
  const at = new Date(t0 + Math.floor((i / N) * span)).toISOString();
  const status = statusOf(i);
  return {
    id: `msg_${String(i).padStart(10, '0')}`,
    accountId,
    to: `+1415555${String(i % 10_000).padStart(4, '0')}`,
    from: 'DataFlows',
    text: 'Your verification code is 482913. It expires in 10 minutes.',
    status,
    statusReason: null,
    encoding: 'GSM-7',
    segments: 1,
    characters: 59,
    nonEnglishChars: false,
    cost: { amount: '0.0079', currency: 'USD', segments: 1, unitPrice: '0.0079' },
    createdAt: at,
    updatedAt: at,
    scheduledFor: null,
    sentAt: null,
    deliveredAt: null,
    attempts: 1,
    carrier: 'simulator',
    carrierMessageId: `sim-${i}`,
    callbackUrl: null,
    uniqueArgs: null,
    idempotencyKey: null,
    campaignId: i % 10 === 0 ? `cmp_${Math.floor(i / 10) % 20}` : null,
    history: [
      { status: 'queued', at },
      { status, at },
    ],
    taskRef: null,
  };
};
const started = performance.now();
for (let i = 0; i < N; i += 1_000) {
  const batch = [];
  for (let j = i; j < Math.min(N, i + 1_000); j++) batch.push(store.messages.accept(message(j), 79n, () => []));
  await Promise.all(batch);
}
console.log(`${fmt(N)} messages stored in ${fmt((performance.now() - started) / 1000, 1)} s`);

async function time(label, filter) {
  const ms = [];
  let items = 0;
  for (let q = 0; q < QUERIES; q++) {
    const f = typeof filter === 'function' ? filter(q) : filter;
    const s = performance.now();
    const page = await store.messages.list(accountId, f, { limit: 50 });
    ms.push(performance.now() - s);
    items += page.items.length;
  }
  ms.sort((a, b) => a - b);
  return { label, p50: ms[Math.floor(QUERIES * 0.5)], p99: ms[Math.floor(QUERIES * 0.99)], items: items / QUERIES };
}
const rows = [
  await time('newest first', {}),
  await time('by status delivered (90 %)', { status: 'delivered' }),
  await time('by status failed (3 %)', { status: 'failed' }),
  await time('by status cancelled (0.2 %)', { status: 'cancelled' }),
  await time('by recipient (1 of 10,000)', (q) => ({ to: `+1415555${String((q * 37) % 10_000).padStart(4, '0')}` })),
  await time('by campaign (1 of 20)', (q) => ({ campaignId: `cmp_${(q * 2) % 20}` })),
];
console.log(`\nlist queries, first page of 50, ${QUERIES} each, ${fmt(N)} messages of one account`);
console.log('| query | p50 ms | p99 ms | items per page |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.label} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.items)} |`);

// Retention: one day of dispatched events (two per message of a day at this volume) pruned.
const perDay = Math.round((2 * N) / 30);
const day = new Date(t0).toISOString();
for (let i = 0; i < perDay; i += 1_000) {
  const events = [];
  for (let j = i; j < Math.min(perDay, i + 1_000); j++)
    events.push({
      id: `evt_${j}`,
      type: 'sms.status_changed',
      occurredAt: day,
      accountId,
      data: { messageId: `msg_${j}`, status: 'delivered' },
    });
  await store.outbox.append(events);
  await store.outbox.markDispatched(events.map((e) => e.id));
}
const pruneStart = performance.now();
const pruned = await store.retention.prune(new Date(t0 + 86_400_000).toISOString());
console.log(
  `\nretention: ${fmt(pruned.dispatchedEvents)} dispatched events of one day pruned in ${fmt(performance.now() - pruneStart)} ms`,
);
await store.close();
db.close();
rmSync(dir, { recursive: true, force: true });
