/**
 * The audit log through the request engine over both stores (SQLite in a file, Cosmos DB through
 * the in-process server with the fake Service Bus): what is recorded, with which fields, who can
 * read it, retention, and durability: no change the handler makes can outlive its record.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { hashApiKey } from '../../shared/app/apiKeys';
import { loadConfig } from '../../shared/config/config';
import { createRuntime } from '../../shared/config/createRuntime';
import { periodicJobs } from '../../shared/config/periodicJobs';
import type { Runtime } from '../../shared/config/runtime';
import type { AuditRecord } from '../../shared/domain/audit';
import { BOOTSTRAP_OPERATOR_KEY_ID, type RawResponse } from '../../shared/http/engine';
import { QUEUE_OF } from '../../shared/ports/taskQueue';
import { FakeClock } from '../fixtures/fakeClock';
import { FakeServiceBus } from '../fixtures/fakeServiceBus';
import { EMULATOR_KEY, startInProcessCosmos, type InProcessCosmos } from '../fixtures/inProcessCosmos';

const ADMIN_KEY = 'dfs_test_admin_key';
const START = Date.parse('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;

interface Setup {
  runtime: Runtime;
  clock: FakeClock;
  /** The audit records of a request as they stand committed, i.e. as a process killed now would leave them. */
  committedAudit(accountId: string, requestId: string): Promise<Pick<AuditRecord, 'id' | 'status'>[]>;
  /** Whether the message is committed (same meaning). */
  committedMessage(accountId: string, messageId: string): Promise<boolean>;
  /** The stored document of an audit record, for what only the store sees (Cosmos DB's ttl). */
  rawAudit?(accountId: string, id: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

async function sqliteSetup(env: Record<string, string> = {}): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'dfs-audit-'));
  const clock = new FakeClock(START);
  const runtime = await createRuntime(loadConfig({ DATA_DIR: dir, ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'silent', ...env }), { clock });
  // A second connection sees only committed transactions: exactly what survives kill -9.
  const reader = new Database(join(dir, 'dataflows-sms.db'), { readonly: true });
  return {
    runtime,
    clock,
    async committedAudit(accountId, requestId) {
      return reader.prepare('SELECT id, status FROM audit_log WHERE account_id = ? AND request_id = ?').all(accountId, requestId) as Pick<
        AuditRecord,
        'id' | 'status'
      >[];
    },
    async committedMessage(accountId, messageId) {
      return reader.prepare('SELECT 1 FROM messages WHERE account_id = ? AND id = ?').get(accountId, messageId) !== undefined;
    },
    async close() {
      reader.close();
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function cosmosSetup(env: Record<string, string> = {}): Promise<Setup> {
  const cosmos: InProcessCosmos = await startInProcessCosmos();
  const clock = new FakeClock(START);
  const bus = new FakeServiceBus({
    clock,
    queues: Object.fromEntries(
      Object.values(QUEUE_OF).map((q) => [q, { lockDurationMs: 30_000, maxDeliveryCount: 3, requiresDuplicateDetection: true }]),
    ),
  });
  const database = `audit-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const config = loadConfig({
    STORAGE: 'cosmos',
    QUEUE: 'servicebus',
    COSMOS_ENDPOINT: cosmos.endpoint,
    COSMOS_KEY: EMULATOR_KEY,
    COSMOS_DATABASE: database,
    SERVICEBUS_NAMESPACE: 'fake.servicebus.windows.net',
    ADMIN_API_KEY: ADMIN_KEY,
    SIMULATOR_SECRET: 'simulator-secret-for-tests',
    PUBLIC_BASE_URL: 'http://127.0.0.1:1',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const runtime = await createRuntime(config, { clock, azureClients: { cosmos: cosmos.client, serviceBus: bus } });
  const tenants = cosmos.client.database(database).container('tenants');
  return {
    runtime,
    clock,
    // Every acknowledged Cosmos DB write is durable: a fresh query is what a restarted process reads.
    async committedAudit(accountId, requestId) {
      const { resources } = await tenants.items
        .query<AuditRecord>(
          { query: "SELECT * FROM c WHERE c.docType = 'audit' AND c.requestId = @r", parameters: [{ name: '@r', value: requestId }] },
          { partitionKey: accountId },
        )
        .fetchAll();
      return resources;
    },
    async committedMessage(accountId, messageId) {
      const { resource } = await tenants.item(messageId, accountId).read();
      return resource !== undefined;
    },
    async rawAudit(accountId, id) {
      const { resource } = await tenants.item(id, accountId).read<Record<string, unknown>>();
      return resource!;
    },
    async close() {
      await runtime.close();
      await cosmos.stop();
    },
  };
}

/** Tests read arbitrary JSON shapes. */
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.each([
  ['SQLite', sqliteSetup],
  ['Cosmos DB (in-process)', cosmosSetup],
] as const)('audit log over %s', (_name, open) => {
  let s: Setup;
  let a: { id: string; key: string };
  let b: { id: string; key: string };

  async function call(
    method: string,
    path: string,
    opts: { key?: string; admin?: boolean; body?: unknown; headers?: Record<string, string>; from?: string } = {},
  ): Promise<RawResponse & { json: Json }> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key) headers['x-api-key'] = opts.key;
    if (opts.admin) headers['x-admin-key'] = ADMIN_KEY;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await s.runtime.engine.handle({
      method,
      url: `/api${path}`,
      headers,
      body: Buffer.from(opts.body === undefined ? '' : JSON.stringify(opts.body)),
      origin: 'http://127.0.0.1',
      remoteAddress: opts.from ?? '203.0.113.7',
    });
    return { ...res, json: res.body ? JSON.parse(res.body) : undefined };
  }
  const audit = async (key: string, query = ''): Promise<Json> => {
    const res = await call('GET', `/audit${query}`, { key });
    expect(res.status).toBe(200);
    return res.json;
  };
  /** The id of the key record a secret belongs to (what the audit log names, never the secret). */
  const keyIdOf = async (key: string) => (await s.runtime.deps.store.apiKeys.findByHash(hashApiKey(key)))!.id;
  const send = (key: string, extra: { headers?: Record<string, string>; from?: string } = {}) =>
    call('POST', '/messages', { key, body: { to: '+14155550123', text: 'Hello' }, ...extra });

  beforeAll(async () => {
    s = await open();
    const create = async (name: string) => {
      const res = await call('POST', '/operator/accounts', {
        admin: true,
        body: { name, credits: '10.00', senderId: 'Audit', defaultCountry: 'US' },
      });
      expect(res.status).toBe(201);
      return { id: res.json.account.id as string, key: res.json.apiKey as string };
    };
    a = await create('Audit A');
    b = await create('Audit B');
  });
  afterAll(async () => {
    await s?.close();
  });

  test('a mutating request is recorded with every field, and its Request-Id is returned', async () => {
    const sent = await send(a.key, { headers: { 'X-Request-Id': 'trace-0001' }, from: '198.51.100.4' });
    expect(sent.status).toBe(202);
    expect(sent.headers['request-id']).toBe('trace-0001');
    const { items } = await audit(a.key, '?operationId=SendSms');
    expect(items[0]).toEqual({
      id: expect.stringMatching(/^aud_/),
      at: new Date(s.clock.now()).toISOString(),
      accountId: a.id,
      keyId: await keyIdOf(a.key),
      operationId: 'SendSms',
      method: 'POST',
      resourceId: sent.json.id,
      sourceAddress: '198.51.100.4',
      status: 202,
      requestId: 'trace-0001',
    });
    // An X-Request-Id that is not a plain token is replaced by one of ours.
    const odd = await send(a.key, { headers: { 'x-request-id': 'has spaces <and> brackets' } });
    expect(odd.headers['request-id']).toMatch(/^req_/);
    expect((await audit(a.key, '?operationId=SendSms')).items[0].requestId).toBe(odd.headers['request-id']);
    expect(JSON.stringify(await audit(a.key))).not.toContain(a.key);
  });

  test('read-only requests are not recorded; refused mutating ones are, with their status', async () => {
    const before = (await audit(a.key, '?limit=200')).items.length;
    for (const path of ['/messages', '/balance', '/me', '/audit']) expect((await call('GET', path, { key: a.key })).status).toBe(200);
    expect((await audit(a.key, '?limit=200')).items.length).toBe(before);

    const bad = await call('POST', '/messages', { key: a.key, body: { to: 'not a number', text: 'x' } });
    expect(bad.status).toBe(400);
    const gone = await call('DELETE', '/contacts/ctc_nothing', { key: a.key });
    expect(gone.status).toBe(404);
    const { items } = await audit(a.key, '?limit=2');
    expect(items.map((r: Json) => [r.operationId, r.status, r.resourceId])).toEqual([
      ['DeleteContact', 404, 'ctc_nothing'],
      ['SendSms', 400, null],
    ]);
    // Opt-outs are named by phone number: it never enters the append-only log.
    await call('POST', '/opt-outs', { key: a.key, body: { phone: '+14155550177' } });
    await call('DELETE', '/opt-outs/%2B14155550177', { key: a.key });
    expect(JSON.stringify(await audit(a.key, '?limit=200'))).not.toContain('4155550177');
  });

  test("a key without the route's scope is refused 403, and the attempt recorded", async () => {
    const created = await call('POST', '/keys', { key: b.key, body: { name: 'Audit reader', scopes: ['audit:read'] } });
    expect(created.status).toBe(201);
    const reader = created.json.key as string;
    const refused = await send(reader);
    expect(refused.status).toBe(403);
    expect((await audit(reader, '?operationId=SendSms')).items.map((r: Json) => [r.status, r.keyId])).toEqual([[403, created.json.id]]);
  });

  test('operator requests are recorded, reads included, under the account acted on (or none)', async () => {
    const credited = await call('POST', `/operator/accounts/${a.id}/credits`, {
      admin: true,
      body: { amount: '1.00' },
      from: '192.0.2.10',
    });
    expect(credited.status).toBe(200);
    const listed = await call('GET', `/operator/audit?accountId=${a.id}&operationId=AdminAddCredits`, { admin: true });
    expect(listed.status).toBe(200);
    expect(listed.json.items[0]).toMatchObject({
      accountId: a.id,
      keyId: BOOTSTRAP_OPERATOR_KEY_ID,
      operationId: 'AdminAddCredits',
      method: 'POST',
      resourceId: a.id,
      sourceAddress: '192.0.2.10',
      status: 200,
      requestId: credited.headers['request-id'],
    });
    // The account sees what the operator did to it.
    expect((await audit(a.key, `?keyId=${BOOTSTRAP_OPERATOR_KEY_ID}`)).items.map((r: Json) => r.operationId)).toContain('AdminAddCredits');
    // The operator's read was recorded too.
    const reads = await call('GET', `/operator/audit?accountId=${a.id}&operationId=AdminListAuditRecords`, { admin: true });
    expect(reads.json.items.map((r: Json) => [r.requestId, r.status, r.keyId])).toEqual([
      // The read that lists itself: still running, so no outcome yet.
      [reads.headers['request-id'], null, BOOTSTRAP_OPERATOR_KEY_ID],
      [listed.headers['request-id'], 200, BOOTSTRAP_OPERATOR_KEY_ID],
    ]);
    // Creating an account acts on no existing account: its record is under none, naming the new account.
    const created = await call('GET', '/operator/audit?operationId=AdminCreateAccount', { admin: true });
    expect(created.json.items.map((r: Json) => [r.accountId, r.resourceId, r.status])).toEqual([
      [null, b.id, 201],
      [null, a.id, 201],
    ]);
  });

  test('filters, newest first, and paging through signed continuation tokens', async () => {
    s.clock.advance(60_000);
    const t1 = new Date(s.clock.now()).toISOString();
    const first = await send(a.key);
    s.clock.advance(60_000);
    const t2 = new Date(s.clock.now()).toISOString();
    const second = await send(a.key);
    s.clock.advance(60_000);
    const contact = await call('POST', '/contacts', { key: a.key, body: { phone: '+14155550190', firstName: 'Ada' } });
    expect(contact.status).toBe(201);

    expect((await audit(a.key, `?resourceId=${first.json.id}`)).items.map((r: Json) => r.requestId)).toEqual([first.headers['request-id']]);
    expect((await audit(a.key, `?since=${t1}&until=${t2}`)).items.map((r: Json) => r.resourceId)).toEqual([first.json.id]);
    expect((await audit(a.key, `?since=${encodeURIComponent(t2)}&operationId=SendSms`)).items.map((r: Json) => r.resourceId)).toEqual([
      second.json.id,
    ]);
    expect((await audit(a.key, `?since=${t1}`)).items.map((r: Json) => r.operationId)).toEqual(['CreateContact', 'SendSms', 'SendSms']);
    expect((await audit(a.key, `?keyId=${await keyIdOf(a.key)}&since=${t1}`)).items).toHaveLength(3);
    expect((await audit(a.key, `?keyId=key_000000000000`)).items).toEqual([]);

    const all = (await audit(a.key, '?limit=200')).items;
    const paged: Json[] = [];
    let token: string | null = null;
    do {
      const page: Json = await audit(a.key, `?limit=2${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      paged.push(...page.items);
      token = page.continuationToken;
    } while (token);
    expect(paged.map((r) => r.id)).toEqual(all.map((r: Json) => r.id));
    expect([...all].sort((x: Json, y: Json) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0)).map((r: Json) => r.at)).toEqual(
      all.map((r: Json) => r.at),
    );
    expect((await call('GET', '/audit?since=yesterday', { key: a.key })).json.errors[0].path).toBe('query/since');
  });

  test("an account never sees another account's records", async () => {
    const mine = await send(a.key);
    const theirs = await audit(b.key, '?limit=200');
    expect(theirs.items.every((r: Json) => r.accountId === b.id)).toBe(true);
    expect((await audit(b.key, `?resourceId=${mine.json.id}`)).items).toEqual([]);
    // A continuation token is signed for the account it was issued to.
    const page = await audit(a.key, '?limit=1');
    expect(page.continuationToken).toEqual(expect.any(String));
    const stolen = await call('GET', `/audit?limit=1&continuationToken=${encodeURIComponent(page.continuationToken)}`, { key: b.key });
    expect(stolen.status).toBe(400);
  });

  test("durability: when the handler's change is committed, its record already is (a crash then keeps both)", async () => {
    const messages = s.runtime.deps.store.messages;
    const accept = messages.accept.bind(messages);
    const seen: { message: boolean; records: Pick<AuditRecord, 'id' | 'status'>[] }[] = [];
    const spy = jest.spyOn(messages, 'accept').mockImplementation(async (...args) => {
      const result = await accept(...args);
      // The change is acknowledged (committed); the process dies here: what would survive?
      const requestId = 'crash-after-change';
      seen.push({ message: await s.committedMessage(a.id, result.message.id), records: await s.committedAudit(a.id, requestId) });
      return result;
    });
    try {
      expect((await send(a.key, { headers: { 'x-request-id': 'crash-after-change' } })).status).toBe(202);
    } finally {
      spy.mockRestore();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]!.message).toBe(true);
    // The record is there, without an outcome yet: the attempt is on record whatever happens next.
    expect(seen[0]!.records.map((r) => r.status)).toEqual([null]);
  });

  test('durability: a record that cannot be opened stops the request before any change (503)', async () => {
    const auditStore = s.runtime.deps.store.audit;
    const spy = jest.spyOn(auditStore, 'open').mockRejectedValueOnce(new Error('store down'));
    const balance = (await s.runtime.deps.store.accounts.get(a.id))!.balance;
    const listed = (await s.runtime.deps.store.messages.list(a.id, {}, { limit: 200 })).items.length;
    try {
      const res = await send(a.key);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
    } finally {
      spy.mockRestore();
    }
    expect((await s.runtime.deps.store.accounts.get(a.id))!.balance).toBe(balance);
    expect((await s.runtime.deps.store.messages.list(a.id, {}, { limit: 200 })).items).toHaveLength(listed);
  });

  test('durability: a failure between the change and its outcome leaves the change with its record (status null)', async () => {
    const auditStore = s.runtime.deps.store.audit;
    const spy = jest.spyOn(auditStore, 'complete').mockRejectedValueOnce(new Error('crash before the outcome'));
    let sent: Awaited<ReturnType<typeof send>>;
    try {
      sent = await send(a.key, { headers: { 'x-request-id': 'lost-outcome' } });
    } finally {
      spy.mockRestore();
    }
    expect(sent.status).toBe(202);
    expect(await s.committedMessage(a.id, sent.json.id)).toBe(true);
    const record = (await audit(a.key, '?operationId=SendSms')).items.find((r: Json) => r.requestId === 'lost-outcome');
    expect(record).toMatchObject({ status: null, resourceId: null, keyId: await keyIdOf(a.key) });
  });
});

describe('audit retention', () => {
  test('SQLite: the hourly prune job deletes records older than AUDIT_RETENTION_DAYS (fake clock)', async () => {
    const s = await sqliteSetup({ AUDIT_RETENTION_DAYS: '30' });
    try {
      const res = await s.runtime.engine.handle({
        method: 'POST',
        url: '/api/operator/accounts',
        headers: { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ name: 'Old' })),
        origin: 'http://127.0.0.1',
      });
      expect(res.status).toBe(201);
      s.clock.advance(29 * DAY);
      await s.runtime.engine.handle({
        method: 'POST',
        url: '/api/operator/accounts',
        headers: { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ name: 'New' })),
        origin: 'http://127.0.0.1',
      });
      const job = periodicJobs.find((j) => j.name === 'prune-history')!;
      const list = async () =>
        (await s.runtime.deps.store.audit.list(null, { operationId: 'AdminCreateAccount' }, { limit: 10 })).items.length;
      expect(await job.run(s.runtime)).toBe(0);
      expect(await list()).toBe(2);
      s.clock.advance(1 * DAY + 1);
      expect(await job.run(s.runtime)).toBe(1);
      expect(await list()).toBe(1);
    } finally {
      await s.close();
    }
  });

  test('Cosmos DB: audit documents carry a time-to-live of AUDIT_RETENTION_DAYS', async () => {
    const s = await cosmosSetup({ AUDIT_RETENTION_DAYS: '30' });
    try {
      const res = await s.runtime.engine.handle({
        method: 'POST',
        url: '/api/operator/accounts',
        headers: { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ name: 'Ttl' })),
        origin: 'http://127.0.0.1',
      });
      const accountId = JSON.parse(res.body).account.id as string;
      await s.runtime.engine.handle({
        method: 'POST',
        url: `/api/operator/accounts/${accountId}/credits`,
        headers: { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ amount: '1.00' })),
        origin: 'http://127.0.0.1',
      });
      const [record] = (await s.runtime.deps.store.audit.list(accountId, {}, { limit: 1 })).items;
      expect((await s.rawAudit!(accountId, record!.id)).ttl).toBe(30 * 86_400);
    } finally {
      await s.close();
    }
  });
});
