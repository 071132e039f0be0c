import { getCountries } from 'libphonenumber-js';
import { routeTable } from '../../shared/http/routes';
import { UNIQUE_ARGS_LIMITS } from '../../shared/domain/uniqueArgs';
import { startTestHost, type TestHost } from '../fixtures/testHost';

/** Values that are well-formed strings but not what the field means: refused with 400 naming the field. */
describe('field values are checked for what they mean', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startTestHost();
  });
  afterAll(() => t.close());

  // The operator route that creates accounts, wherever its path lives.
  const createAccountPath = routeTable.find((r) => r.auth === 'admin' && r.method === 'POST' && r.body?.properties?.defaultCountry)!.path;

  test('defaultCountry must be a region libphonenumber knows, on the account and the operator route', async () => {
    expect(getCountries()).not.toContain('ZZ');
    for (const country of ['ZZ', 'AA', 'UK']) {
      const patched = await t.api.patch('/account', { defaultCountry: country });
      expect(patched.status).toBe(400);
      expect(patched.body.errors).toEqual([{ path: '/defaultCountry', message: expect.stringMatching(/ISO 3166-1/) }]);
      const created = await t.admin.post(createAccountPath, { name: 'Nowhere', credits: '1.00', defaultCountry: country });
      expect(created.status).toBe(400);
      expect(created.body.errors).toEqual([{ path: '/defaultCountry', message: expect.stringMatching(/ISO 3166-1/) }]);
    }
    expect((await t.api.get('/me')).body.defaultCountry).toBe('US');
    const gb = await t.api.patch('/account', { defaultCountry: 'GB' });
    expect(gb.status).toBe(200);
    expect(gb.body.defaultCountry).toBe('GB');
    await t.api.patch('/account', { defaultCountry: 'US' });
  });

  test('a phone-number filter is validated as a phone number and kept in E.164', async () => {
    const bad = await t.api.post('/hooks/sms-received', { callbackUrl: `${t.url}/hook`, virtualNumber: 'not-a-number' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: '/virtualNumber', message: expect.stringMatching(/phone number|digits/) }]);
    const digits = await t.api.post('/hooks/sms-received', { callbackUrl: `${t.url}/hook`, virtualNumber: '1 415 555 0100' });
    expect(digits.status).toBe(201);
    expect(digits.body.filters).toEqual({ virtualNumber: '+14155550100' });

    const list = await t.api.get('/messages?to=hello');
    expect(list.status).toBe(400);
    expect(list.body.errors).toEqual([{ path: 'query/to', message: expect.stringMatching(/digits/) }]);
    expect((await t.api.get('/messages?to=14155550123')).status).toBe(200);
  });

  test('uniqueArgs are bounded: keys, key and value length, total size', async () => {
    const send = (uniqueArgs: Record<string, string>) => t.api.post('/messages', { to: '+14155550123', text: 'Hi', uniqueArgs });
    const L = UNIQUE_ARGS_LIMITS;
    const longKey = await send({ ['k'.repeat(L.keyLength + 1)]: 'v' });
    expect(longKey.status).toBe(400);
    expect(longKey.body.errors).toEqual([
      { path: '/uniqueArgs', message: `has a key of ${L.keyLength + 1} characters; keys are 1 to ${L.keyLength}` },
    ]);
    const emptyKey = await send({ '': 'v' });
    expect(emptyKey.status).toBe(400);
    const big = Object.fromEntries(Array.from({ length: L.keys }, (_v, i) => [`key${i}`, 'v'.repeat(L.valueLength)]));
    const total = await send(big);
    expect(total.status).toBe(400);
    expect(total.body.errors).toEqual([{ path: '/uniqueArgs', message: expect.stringMatching(new RegExp(`at most ${L.totalLength}$`)) }]);
    const tooMany = await send(Object.fromEntries(Array.from({ length: L.keys + 1 }, (_v, i) => [`k${i}`, 'v'])));
    expect(tooMany.status).toBe(400);
    const longValue = await send({ order: 'v'.repeat(L.valueLength + 1) });
    expect(longValue.status).toBe(400);
    expect(longValue.body.errors[0].path).toBe('/uniqueArgs/order');
    const ok = await send({ order: 'SO-1', customer: 'c-42' });
    expect(ok.status).toBe(202);
    expect(ok.body.uniqueArgs).toEqual({ order: 'SO-1', customer: 'c-42' });
  });
});
