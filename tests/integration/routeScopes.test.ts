import { routeTable } from '../../shared/http/routes';
import { SCOPES } from '../../shared/domain/scopes';
import { apiClient, startTestHost, type TestHost } from '../fixtures/testHost';

/**
 * Generated from the route table: every account route declares one scope, a key lacking it gets
 * 403 naming it, and a key holding only it gets past authorisation (whatever the handler says of
 * the placeholder ids and empty bodies used here).
 */
const accountRoutes = routeTable.filter((r) => r.auth === 'account');

describe('scopes from the route table', () => {
  let t: TestHost;
  const without = new Map<string, string>();
  const only = new Map<string, string>();
  beforeAll(async () => {
    t = await startTestHost();
    for (const scope of SCOPES) {
      const a = await t.api.post('/keys', { name: `without ${scope}`, scopes: SCOPES.filter((s) => s !== scope) });
      const b = await t.api.post('/keys', { name: `only ${scope}`, scopes: [scope] });
      without.set(scope, a.body.key);
      only.set(scope, b.body.key);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('every account route declares a known scope', () => {
    expect(accountRoutes.length).toBeGreaterThan(50);
    for (const r of accountRoutes) expect(SCOPES).toContain(r.scope);
  });

  const path = (p: string) => p.replace(/\{(\w+)\}/g, (_m, name: string) => `${name}_placeholder`);
  const call = (key: string, method: string, p: string) =>
    apiClient(t.url, { 'x-api-key': key }).raw(method, path(p), method === 'GET' || method === 'DELETE' ? undefined : {});

  it.each(accountRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: 403 without its scope, past authorisation with only it',
    async (_name, r) => {
      const denied = await call(without.get(r.scope!)!, r.method, r.path);
      expect(denied.status).toBe(403);
      expect(denied.body).toMatchObject({ code: 'insufficient_scope', detail: expect.stringContaining(r.scope!) });
      const allowed = await call(only.get(r.scope!)!, r.method, r.path);
      expect([401, 403]).not.toContain(allowed.status);
      expect(allowed.status).toBeLessThan(500);
    },
  );
});
