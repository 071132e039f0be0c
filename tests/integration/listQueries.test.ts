import { routeTable } from '../../shared/http/routes';
import type { RouteDef } from '../../shared/http/route';
import { ADMIN_KEY, DEV_KEY, startTestHost, type TestHost } from '../fixtures/testHost';

/**
 * Query parameters the same way on every route (driven by the route table): unknown ones are
 * refused, also on routes that declare none, and continuation tokens are tamper-evident.
 */
describe('query parameters and continuation tokens on every route', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startTestHost();
    // Two of everything a paging route lists, so each has a second page.
    for (const n of ['+14155550101', '+14155550102']) {
      expect((await t.api.post('/messages', { to: n, text: 'Hello' })).status).toBe(202);
      expect((await t.api.post('/contacts', { phone: n })).status).toBe(201);
      expect((await t.api.post('/opt-outs', { phone: n.replace('01', '09') })).status).toBe(201);
      expect(
        (await t.api.post('/campaigns', { name: `Campaign ${n}`, kind: 'trigger', text: 'Hi', trigger: { phoneField: 'phone' } })).status,
      ).toBe(201);
    }
    // The audit log got the account's writes above; operator requests on no account are recorded too.
    for (let i = 0; i < 2; i += 1) expect((await t.admin.get('/operator/audit')).status).toBe(200);
  });
  afterAll(() => t.close());

  const headersFor = (r: RouteDef): Record<string, string> =>
    r.auth === 'admin' ? { 'x-admin-key': ADMIN_KEY } : r.auth === 'account' ? { 'x-api-key': DEV_KEY } : {};
  const get = async (r: RouteDef, query: string) => {
    const res = await fetch(`${t.url}/api${r.path}?${query}`, { headers: headersFor(r) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const name = (r: RouteDef) => `${r.method} ${r.path}`;
  // GET routes without path parameters: their answer depends on the query alone.
  const lists = routeTable.filter((r) => r.method === 'GET' && r.auth !== 'carrier' && !r.path.includes('{'));
  const paging = routeTable.filter((r) => r.query?.some((q) => q.name === 'continuationToken'));

  test.each(lists.map((r) => [name(r), r] as const))('%s: an unknown query parameter is 400 naming it', async (_n, r) => {
    const res = await get(r, 'zzz=1');
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ path: 'query/zzz', message: 'is not a known field' });
  });

  test('every route the engine validates declares the 400 it can answer (the connector shows it)', () => {
    expect(routeTable.filter((r) => r.auth !== 'carrier' && !r.responses[400]).map(name)).toEqual([]);
  });

  test('routes that declare no query parameters refuse limit=-1&zzz=1 (/groups, /keywords)', async () => {
    for (const path of ['/groups', '/keywords']) {
      const res = await t.api.get(`${path}?limit=-1&zzz=1`);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['query/limit', 'query/zzz']);
    }
  });

  test('every paging route is one this test covers', () => {
    expect(paging.map(name).sort()).toEqual([
      'GET /audit',
      'GET /campaigns',
      'GET /contacts',
      'GET /messages',
      'GET /operator/audit',
      'GET /opt-outs',
    ]);
  });

  test.each(paging.map((r) => [name(r), r] as const))(
    '%s: its token leads to the next page; an edited one is 400 naming query/continuationToken',
    async (_n, r) => {
      const first = await get(r, 'limit=1');
      expect(first.status).toBe(200);
      const token: string = first.body.continuationToken;
      expect(typeof token).toBe('string');
      const next = await get(r, `limit=1&continuationToken=${encodeURIComponent(token)}`);
      expect(next.status).toBe(200);
      expect(next.body.items).toHaveLength(1);
      expect(next.body.items[0]).not.toEqual(first.body.items[0]);

      // The store's own token (what the API handed out before tokens were signed), which a store accepts.
      const dot = token.lastIndexOf('.');
      const inner = dot < 0 ? token : token.slice(0, dot);
      const signature = dot < 0 ? '' : token.slice(dot);
      const decoded = Buffer.from(inner, 'base64url').toString('utf8');
      const edits = [
        inner,
        // One a caller built (e.g. "start after z"), bare and with the signature of the real one.
        Buffer.from('z').toString('base64url'),
        `${Buffer.from('z').toString('base64url')}${signature}`,
        `${Buffer.from(decoded.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'))).toString('base64url')}${signature}`,
        `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
        'anything',
      ];
      for (const edited of edits) {
        const res = await get(r, `limit=1&continuationToken=${encodeURIComponent(edited)}`);
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual([{ path: 'query/continuationToken', message: 'continuationToken is not one this API issued' }]);
      }
    },
  );

  test('a token is good only on the route and for the account it was issued to', async () => {
    const contacts = await t.api.get('/contacts?limit=1');
    const token = encodeURIComponent(contacts.body.continuationToken);
    expect((await t.api.get(`/opt-outs?limit=1&continuationToken=${token}`)).status).toBe(400);
    const other = await t.newAccount();
    expect((await other.api.get(`/contacts?limit=1&continuationToken=${token}`)).status).toBe(400);
  });
});
