/**
 * The Azure Functions HTTP handler over the embedded SQLite parts, called as the Functions host
 * calls it (HttpRequest, InvocationContext). The handlers over the Azure parts: functions.azure.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvocationContext } from '@azure/functions';
import { createHttpHandler } from '../../functions/http';
import { loadConfig } from '../../shared/config/config';
import { createRuntime } from '../../shared/config/createRuntime';
import { seedDevAccount, type Runtime } from '../../shared/config/runtime';
import { FakeClock } from '../fixtures/fakeClock';
import { functionsRequest } from '../fixtures/functionsHost';

const ADMIN_KEY = 'dfs_test_admin_key';
const DEV_KEY = 'dfs_test_dev_key';

// Tests read arbitrary JSON shapes; a typed body for every assertion would only add noise.
async function json(res: { body?: unknown }): Promise<any> {
  return typeof res.body === 'string' && res.body ? JSON.parse(res.body) : undefined;
}

describe('Functions HTTP handler over the embedded parts', () => {
  let dir: string;
  let runtime: Runtime;
  const base = 'https://dfs-test.azurewebsites.net/api';
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = { 'x-api-key': DEV_KEY }) =>
    createHttpHandler(async () => runtime)(functionsRequest(`${base}${path}`, { method, body, headers }), new InvocationContext());

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dfs-fn-'));
    const config = loadConfig({ DATA_DIR: dir, DEV_API_KEY: DEV_KEY, ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'silent' });
    runtime = await createRuntime(config, { clock: new FakeClock(Date.parse('2026-03-01T12:00:00Z')) });
    await seedDevAccount(runtime.deps, config);
  });
  afterAll(async () => {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('accepts a message (202) and serves it back by id', async () => {
    const sent = await call('POST', '/messages', { to: '+14155550123', text: 'Hello from Functions' });
    expect(sent.status).toBe(202);
    const message = await json(sent);
    expect(message).toMatchObject({ status: 'queued', encoding: 'GSM-7', segments: 1 });
    const got = await call('GET', `/messages/${message.id}`);
    expect(got.status).toBe(200);
    expect((await json(got)).id).toBe(message.id);
  });

  test('bad input is problem+json naming the field; no key is 401; unknown path 404', async () => {
    const bad = await call('POST', '/messages', { to: 'not a number', text: 'x' });
    expect(bad.status).toBe(400);
    expect((bad.headers as Record<string, string>)['content-type']).toMatch(/problem\+json/);
    expect((await json(bad)).errors.map((e: { path: string }) => e.path)).toContain('/to');
    expect((await call('GET', '/balance', undefined, {})).status).toBe(401);
    expect((await call('GET', '/nothing-here')).status).toBe(404);
  });

  test('answers 503 with Retry-After, not a stack trace, while the runtime cannot be built', async () => {
    const handler = createHttpHandler(() => Promise.reject(new Error('cosmos unreachable: secret details')));
    const logged: unknown[][] = [];
    const res = await handler(
      functionsRequest(`${base}/health`),
      new InvocationContext({ logHandler: (_level, ...args) => void logged.push(args) }),
    );
    expect(res.status).toBe(503);
    expect(logged.flat().join(' ')).toMatch(/cosmos unreachable/); // the cause goes to the log
    expect((res.headers as Record<string, string>)['retry-after']).toBe('5');
    expect(res.body).not.toContain('secret details');
  });

  test('a request refused on its headers (no key, invalid key, Content-Length over the limit) is answered without reading its body', async () => {
    const big = { 'content-length': String(5 * 1024 * 1024), 'x-forwarded-for': '203.0.113.9:50000, 10.0.0.4:443' };
    for (const [headers, status] of [
      [{}, 401],
      [{ 'x-api-key': 'dfs_wrong' }, 401],
      [{ 'x-api-key': DEV_KEY }, 413],
    ] as const) {
      const request = functionsRequest(`${base}/messages`, {
        method: 'POST',
        body: { to: '+14155550123', text: 'x' },
        headers: { ...big, ...headers },
      });
      const read = jest.spyOn(request, 'arrayBuffer');
      const res = await createHttpHandler(async () => runtime)(request, new InvocationContext());
      expect({ status: res.status, bodyRead: read.mock.calls.length }).toEqual({ status, bodyRead: 0 });
    }
    // An admitted request is read and served as before.
    const request = functionsRequest(`${base}/messages`, {
      method: 'POST',
      body: { to: '+14155550123', text: 'read' },
      headers: { 'x-api-key': DEV_KEY },
    });
    const read = jest.spyOn(request, 'arrayBuffer');
    expect((await createHttpHandler(async () => runtime)(request, new InvocationContext())).status).toBe(202);
    expect(read).toHaveBeenCalledTimes(1);
  });

  test('failed authentication is counted per client address from X-Forwarded-For (the front end appends it last)', async () => {
    const from = (address: string) => ({ 'x-api-key': 'dfs_wrong', 'x-forwarded-for': `198.51.100.1, ${address}:50000` });
    // AUTH_FAILURES_PER_MINUTE defaults to 20, and this runtime's clock does not move.
    for (let i = 0; i < 20; i++) expect((await call('GET', '/balance', undefined, from('203.0.113.50'))).status).toBe(401);
    const limited = await call('GET', '/balance', undefined, from('203.0.113.50'));
    expect(limited.status).toBe(429);
    expect((limited.headers as Record<string, string>)['retry-after']).toBe('3');
    // Another client, or the first one with its valid key, is not slowed.
    expect((await call('GET', '/balance', undefined, from('203.0.113.51'))).status).toBe(401);
    expect((await call('GET', '/balance', undefined, { 'x-api-key': DEV_KEY, 'x-forwarded-for': '203.0.113.50:50000' })).status).toBe(200);
  });
});
