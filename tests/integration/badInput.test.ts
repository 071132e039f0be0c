import { routeTable } from '../../shared/http/routes';
import type { RouteDef } from '../../shared/http/route';
import { ADMIN_KEY, DEV_KEY, startTestHost, type TestHost } from '../fixtures/testHost';

/**
 * Bad input on every route of the route table: each answer is a 4xx problem+json naming the field,
 * never a 500. Driven by the table itself, so a new route is covered the day it is added.
 */
describe('bad input on every route', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startTestHost();
  });
  afterAll(() => t.close());

  const authFor = (r: RouteDef): Record<string, string> =>
    r.auth === 'admin' ? { 'x-admin-key': ADMIN_KEY } : r.auth === 'account' ? { 'x-api-key': DEV_KEY } : {};
  // A well-formed value nothing exists for: ids get a missing id, phones a valid unused number.
  const missing: Record<string, string> = { carrier: 'simulator', phone: encodeURIComponent('+14155550000') };
  const pathOf = (r: RouteDef) => r.path.replace(/\{(\w+)\}/g, (_m, name: string) => missing[name] ?? `${name}_missing`);
  const call = async (r: RouteDef, body: string | undefined, headers: Record<string, string> = {}) => {
    const res = await fetch(`${t.url}/api${pathOf(r)}`, { method: r.method, headers: { ...authFor(r), ...headers }, body });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
  };
  const expectProblem = (res: { status: number; type: string; body: { status: number; code: string } }, status: number) => {
    expect(res.status).toBe(status);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.status).toBe(status);
    expect(typeof res.body.code).toBe('string');
  };

  const withBody = routeTable.filter((r) => r.body);
  // A trigger campaign's payload is the caller's own JSON: any field may be there, and the campaign's
  // mapping checks it (tests/integration/campaigns.test.ts), so only the closed bodies are probed here.
  const closedBody = withBody.filter((r) => r.body!.additionalProperties !== true);
  // A carrier callback names no record; a sender's limits are read and set by value, whether or not an
  // account sends from it yet (an operator limits a number before assigning it).
  const withParams = routeTable.filter((r) => r.pathParams?.some((p) => p.name !== 'carrier' && p.name !== 'sender'));
  const name = (r: RouteDef) => `${r.method} ${r.path}`;

  test.each(withBody.map((r) => [name(r), r] as const))('%s: malformed JSON is 400', async (_n, r) => {
    const res = await call(r, '{"to": ', { 'content-type': 'application/json' });
    expectProblem(res, 400);
    expect(res.body.code).toBe('malformed_json');
  });

  test.each(withBody.map((r) => [name(r), r] as const))('%s: wrong content type is 415', async (_n, r) => {
    const res = await call(r, 'to=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expectProblem(res, 415);
  });

  test.each(closedBody.map((r) => [name(r), r] as const))('%s: unknown field is 400 naming it', async (_n, r) => {
    const res = await call(r, JSON.stringify({ surprise: 1 }), { 'content-type': 'application/json' });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual(expect.arrayContaining([{ path: '/surprise', message: 'is not a known field' }]));
  });

  test.each(withBody.filter((r) => r.body!.required?.length).map((r) => [name(r), r] as const))(
    '%s: missing required fields are named',
    async (_n, r) => {
      const res = await call(r, '{}', { 'content-type': 'application/json' });
      expectProblem(res, 400);
      for (const field of r.body!.required!) expect(res.body.errors).toContainEqual({ path: `/${field}`, message: 'is required' });
    },
  );

  test.each(closedBody.map((r) => [name(r), r] as const))('%s: wrong types are named', async (_n, r) => {
    const wrong = Object.fromEntries(
      Object.entries(r.body!.properties ?? {}).map(([k, s]) => [k, s.type === 'string' ? 12345 : `not-a-${s.type ?? 'value'}`]),
    );
    const res = await call(r, JSON.stringify(wrong), { 'content-type': 'application/json' });
    expectProblem(res, 400);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    for (const field of Object.keys(wrong)) expect(paths.some((p: string) => p === `/${field}` || p.startsWith(`/${field}/`))).toBe(true);
  });

  test.each(withBody.map((r) => [name(r), r] as const))('%s: an oversize body is 413', async (_n, r) => {
    const res = await call(r, JSON.stringify({ pad: 'x'.repeat(70_000) }), { 'content-type': 'application/json' });
    expectProblem(res, 413);
  });

  test.each(withParams.map((r) => [name(r), r] as const))('%s: an unknown id is 404', async (_n, r) => {
    const body = r.body ? '{}' : undefined;
    const res = await call(r, body, body ? { 'content-type': 'application/json' } : {});
    // Routes whose body has required fields reject the body first (400); the rest must say 404.
    expectProblem(res, r.body?.required?.length ? 400 : 404);
  });

  test('invalid phone numbers are refused naming /to', async () => {
    for (const to of ['12', '+999999999999999', 'call me', '+1 (415) 555-01234567']) {
      const res = await t.api.post('/messages', { to, text: 'x' });
      expectProblem({ status: res.status, type: res.headers.get('content-type') ?? '', body: res.body }, 400);
      expect(res.body.errors[0].path).toBe('/to');
    }
  });

  test('text over 1,600 characters and empty text are refused naming /text', async () => {
    for (const text of ['', 'x'.repeat(1601)]) {
      const res = await t.api.post('/messages', { to: '+14155550123', text });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].path).toBe('/text');
    }
  });

  test('an Idempotency-Key over 128 characters is refused naming the header, on every route that sends', async () => {
    const key = { 'idempotency-key': 'k'.repeat(129) };
    const campaign = await t.api.post('/campaigns', { name: 'Keys', kind: 'trigger', text: 'Hi', trigger: { phoneField: 'phone' } });
    for (const [path, body] of [
      ['/messages', { to: '+14155550123', text: 'x' }],
      [`/campaigns/${campaign.body.id}/trigger`, { phone: '+14155550123' }],
    ] as const) {
      const res = await t.api.post(path, body, key);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'validation_failed',
        errors: [{ path: 'header/Idempotency-Key', message: 'must be 1 to 128 characters' }],
      });
    }
  });

  test('bad query parameters are named', async () => {
    const res = await t.api.get('/messages?status=lost&limit=0&bogus=1');
    expect(res.status).toBe(400);
    const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['query/bogus', 'query/limit', 'query/status']);
  });

  test('unknown routes and methods are problem+json too', async () => {
    expect((await t.api.get('/nothing-here')).status).toBe(404);
    const res = await t.api.raw('DELETE', '/messages');
    expect(res.status).toBe(405);
    expect(res.body.code).toBe('method_not_allowed');
  });

  test('carrier routes refuse unsigned and forged callbacks with 403, unknown carriers with 404', async () => {
    const body = JSON.stringify({ reports: [] });
    expect((await fetch(`${t.url}/api/carriers/simulator/status`, { method: 'POST', body })).status).toBe(403);
    const forged = await fetch(`${t.url}/api/carriers/simulator/status`, {
      method: 'POST',
      body,
      headers: { 'x-simulator-signature': `t=${t.clock.now()},v1=${'0'.repeat(64)}` },
    });
    expect(forged.status).toBe(403);
    expect((await fetch(`${t.url}/api/carriers/nope/status`, { method: 'POST', body })).status).toBe(404);
  });
});
