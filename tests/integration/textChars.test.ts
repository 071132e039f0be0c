import { routeTable } from '../../shared/http/routes';
import type { RouteDef } from '../../shared/http/route';
import type { JsonSchema } from '../../shared/schema/builders';
import { ADMIN_KEY, DEV_KEY, startTestHost, type TestHost } from '../fixtures/testHost';

/**
 * Control characters and unpaired surrogates are refused in every string field of every route:
 * bodies (nested fields, map values and keys, open payloads), query and path parameters. Driven
 * by the route table, so a new field is covered the day it is added.
 */

interface Leaf {
  /** JSON pointer segments from the body root. */
  path: string[];
  lineBreaks: boolean;
}

/** Every place a string can sit in a value of `s`: declared strings, array items, map values. */
function leaves(s: JsonSchema, path: string[] = []): Leaf[] {
  if (s.type === 'string') return [{ path, lineBreaks: s.lineBreaks === true }];
  if (s.type === 'array' && s.items) return leaves(s.items, [...path, '0']);
  if (s.type !== 'object') return [];
  const out = Object.entries(s.properties ?? {}).flatMap(([k, v]) => leaves(v, [...path, k]));
  if (s.additionalProperties === true) out.push({ path: [...path, 'free'], lineBreaks: true });
  else if (s.additionalProperties && typeof s.additionalProperties === 'object')
    out.push(...leaves(s.additionalProperties, [...path, 'k']));
  return out;
}

function bodyWith(path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  return head === '0' ? [bodyWith(rest, value)] : { [head!]: bodyWith(rest, value) };
}

const BAD: [string, string, boolean][] = [
  // [label, value, refused even where line breaks are allowed]
  ['NUL', 'a\u0000b', true],
  ['ESC', 'a\u001bb', true],
  ['an unpaired high surrogate', 'a\ud800b', true],
  ['an unpaired low surrogate', 'a\udc00b', true],
  ['LF', 'a\nb', false],
];

describe('control characters and unpaired surrogates on every route', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startTestHost();
  });
  afterAll(() => t.close());

  const headersFor = (r: RouteDef): Record<string, string> =>
    r.auth === 'admin' ? { 'x-admin-key': ADMIN_KEY } : r.auth === 'account' ? { 'x-api-key': DEV_KEY } : {};
  const pathOf = (r: RouteDef, override: Record<string, string> = {}) =>
    r.path.replace(/\{(\w+)\}/g, (_m, n: string) => override[n] ?? (n === 'queue' ? 'sms-send' : n === 'carrier' ? 'simulator' : `${n}_x`));
  const call = async (r: RouteDef, path: string, body?: unknown) => {
    const res = await fetch(`${t.url}/api${path}`, {
      method: r.method,
      headers: { ...headersFor(r), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const name = (r: RouteDef) => `${r.method} ${r.path}`;
  const refusal = (label: string) => (label.includes('surrogate') ? /unpaired surrogate/ : /control character/);

  const bodyCases = routeTable
    .filter((r) => r.body)
    .flatMap((r) =>
      leaves(r.body!).flatMap((leaf) =>
        BAD.filter(([, , always]) => always || !leaf.lineBreaks).map(
          ([label, value]) => [`${name(r)} /${leaf.path.join('/')} with ${label}`, r, leaf, label, value] as const,
        ),
      ),
    );

  test.each(bodyCases)('%s is 400 naming the field', async (_n, r, leaf, label, value) => {
    const res = await call(r, pathOf(r), bodyWith(leaf.path, value));
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ path: `/${leaf.path.join('/')}`, message: expect.stringMatching(refusal(label)) });
  });

  test.each(
    routeTable
      .filter((r) => r.body)
      .flatMap((r) =>
        leaves(r.body!)
          .filter((l) => l.path.includes('k') || l.path.includes('free'))
          .map((l) => [name(r), r, l] as const),
      ),
  )('%s: a map key with a control character is 400', async (_n, r, leaf) => {
    const at = leaf.path.lastIndexOf(leaf.path.includes('k') ? 'k' : 'free');
    const body = bodyWith(leaf.path.slice(0, at), { 'bad\u0000key': 'x' });
    const res = await call(r, pathOf(r), body);
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({
      path: `/${leaf.path.slice(0, at).join('/')}`.replace(/\/$/, '') || '/',
      message: expect.stringMatching(/has a key that must not contain the control character U\+0000/),
    });
  });

  // A URL cannot carry an unpaired surrogate: its UTF-8 form decodes to U+FFFD.
  const queryCases = routeTable
    .filter((r) => r.auth !== 'carrier')
    .flatMap((r) =>
      (r.query ?? [])
        .filter((q) => q.schema.type === 'string')
        .flatMap((q) => BAD.slice(0, 2).map(([label, value]) => [`${name(r)} ?${q.name} with ${label}`, r, q.name, label, value] as const)),
    );

  test.each(queryCases)('%s is 400 naming the parameter', async (_n, r, param, label, value) => {
    const res = await call(r, `${pathOf(r)}?${param}=${encodeURIComponent(value)}`, r.body ? {} : undefined);
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ path: `query/${param}`, message: expect.stringMatching(refusal(label)) });
  });

  const pathCases = routeTable.flatMap((r) => (r.pathParams ?? []).map((p) => [`${name(r)} {${p.name}}`, r, p.name] as const));

  test.each(pathCases)('%s with NUL is 400 naming the parameter', async (_n, r, param) => {
    const res = await call(r, pathOf(r, { [param]: encodeURIComponent('ab\u0000c') }), r.body ? {} : undefined);
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ path: `path/${param}`, message: expect.stringMatching(/control character U\+0000/) });
  });

  test('texts keep line breaks, tabs and emoji; nothing is stored from a refused request', async () => {
    const sent = await t.api.post('/messages', { to: '+14155550123', text: 'Line one\r\nLine\ttwo 👋' });
    expect(sent.status).toBe(202);
    expect(sent.body.text).toBe('Line one\r\nLine\ttwo 👋');
    const before = (await t.api.get('/contacts')).body.items.length;
    const refused = await t.api.post('/contacts', { phone: '+14155550124', firstName: 'Ann\u0000' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ path: '/firstName', message: expect.stringMatching(/U\+0000 \(at character 4\)/) }]);
    expect((await t.api.get('/contacts')).body.items.length).toBe(before);
    const lines = await t.api.post('/contacts', { phone: '+14155550124', firstName: 'Ann', customFields: { note: 'first\nsecond' } });
    expect(lines.status).toBe(201);
  });

  test('a trigger payload value with NUL is 400 naming it in the payload', async () => {
    const c = await t.api.post('/campaigns', {
      name: 'Chars',
      kind: 'trigger',
      text: 'Hi {{firstName}}',
      trigger: { phoneField: 'phone', attributes: [{ name: 'firstName', field: 'customer.first' }] },
    });
    const res = await t.api.post(`/campaigns/${c.body.id}/trigger`, { phone: '+14155550123', customer: { first: 'A\u0000' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: '/customer/first', message: expect.stringMatching(/control character U\+0000/) }]);
  });

  test('CSV import: a control character anywhere is 400 naming /csv; a line break or tab in a name is a row error; custom fields may span lines', async () => {
    const nul = await t.api.post('/contacts/import', { csv: 'phone,firstName\n+14155550131,Bo\u0000b\n' });
    expect(nul.status).toBe(400);
    expect(nul.body.errors).toEqual([{ path: '/csv', message: expect.stringMatching(/control character U\+0000/) }]);
    const csv = 'phone,firstName,note\n+14155550131,"Bo\nb",ok\n+14155550132,Eve\tX,ok\n+14155550133,Cy,"two\nlines"\n';
    const res = await t.api.post('/contacts/import', { csv });
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(1);
    expect(res.body.errors).toEqual([
      { row: 2, field: 'firstName', message: expect.stringMatching(/control character U\+000A/) },
      { row: 3, field: 'firstName', message: expect.stringMatching(/control character U\+0009/) },
    ]);
    const header = await t.api.post('/contacts/import', { csv: 'phone,"no\rte"\n+14155550134,x\n' });
    expect(header.status).toBe(400);
    expect(header.body.errors[0]).toEqual({
      path: '/csv',
      message: expect.stringMatching(/column 2 of the header row must not contain the control character U\+000D/),
    });
  });
});
