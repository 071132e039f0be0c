import { routeTable } from '../../shared/http/routes';
import type { RouteDef } from '../../shared/http/route';
import type { JsonSchema } from '../../shared/schema/builders';
import { startTestHost, type TestHost } from '../fixtures/testHost';

/** Every field that takes a URL (format uri): a callback URL the platform will call. */
function uriFields(s: JsonSchema, path: string[] = []): string[][] {
  if (s.type === 'string') return s.format === 'uri' ? [path] : [];
  return Object.entries(s.properties ?? {}).flatMap(([k, v]) => uriFields(v, [...path, k]));
}

/** A body each route accepts, to put the URL into. */
function baseBody(r: RouteDef): Record<string, unknown> {
  if (r.path === '/messages') return { to: '+14155550123', text: 'Hi' };
  return {};
}

function withValue(body: Record<string, unknown>, path: string[], value: string): Record<string, unknown> {
  const [head, ...rest] = path;
  if (rest.length === 0) return { ...body, [head!]: value };
  return { ...body, [head!]: withValue((body[head!] as Record<string, unknown>) ?? {}, rest, value) };
}

/** A refused callback URL is 422 callback_url_refused naming the field, on every route that takes one. */
describe('refused callback URLs on every route', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startTestHost();
  });
  afterAll(() => t.close());

  const cases = routeTable
    .filter((r) => r.body && r.method !== 'GET')
    .flatMap((r) => uriFields(r.body!).map((path) => [`${r.method} ${r.path} /${path.join('/')}`, r, path] as const));

  test('the routes that take a callback URL are the subscriptions, POST /messages and PATCH /account', () => {
    const routes = [...new Set(cases.map(([, r]) => r.path))];
    expect(routes.filter((p) => !p.startsWith('/hooks/')).sort()).toEqual(['/account', '/messages']);
    expect(routes.filter((p) => p.startsWith('/hooks/')).length).toBeGreaterThan(5);
  });

  const refused = [
    ['credentials', 'https://user:secret@example.com/hook', /credentials/],
    ['a private address', 'https://10.0.0.1/hook', /./],
    ['another scheme', 'ftp://example.com/hook', /https/],
  ] as const;

  test.each(cases.flatMap(([n, r, path]) => refused.map(([what, url, message]) => [`${n} with ${what}`, r, path, url, message] as const)))(
    '%s is 422',
    async (_n, r, path, url, message) => {
      const res = await t.api.raw(r.method, r.path, withValue(baseBody(r), path, url));
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        code: 'callback_url_refused',
        errors: [{ path: `/${path.join('/')}`, message: expect.stringMatching(message) }],
      });
    },
  );
});
