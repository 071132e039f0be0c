import { eventCatalog } from '../../shared/webhooks/catalog';
import { startTestHost, type TestHost } from '../fixtures/testHost';
import { startReceiver, type Receiver } from '../fixtures/webhookReceiver';
import { checkDelivery, scenarios, SIMULATOR_SECRET, slugOf } from '../fixtures/webhookScenarios';

/** The Power Automate contract of /api/hooks, end to end on the embedded host with local receivers. */
describe('webhook subscriptions', () => {
  let t: TestHost;
  let a: Receiver;
  let b: Receiver;
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_SECRET, SIMULATOR_DLR_DELAY_MS: '500' });
    a = await startReceiver();
    b = await startReceiver();
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await t.close();
  });

  const locationPath = (location: string) => new URL(location).pathname.replace(/^\/api/, '');

  test('every trigger has a scenario here', () => {
    expect(scenarios.map((s) => s.type).sort()).toEqual(eventCatalog.map((d) => d.type).sort());
  });

  describe.each(scenarios.map((s) => [s.type, s] as const))('%s', (_type, s) => {
    test('subscribe → event → signed payload valid against the catalog → DELETE via Location → nothing more', async () => {
      await s.setup?.(t);
      const unfiltered = await t.api.post(`/hooks/${slugOf(s.type)}`, { callbackUrl: a.url('/all') });
      expect(unfiltered.status).toBe(201);
      expect(unfiltered.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(unfiltered.headers.get('location')).toBe(`${t.url}/api/hooks/${unfiltered.body.id}`);
      expect(unfiltered.body).toMatchObject({ eventType: s.type, status: 'active', filters: {}, health: { state: 'new' } });
      const filtered = s.filter ? await t.api.post(`/hooks/${slugOf(s.type)}`, { callbackUrl: b.url('/filtered'), ...s.filter }) : null;
      if (filtered) expect(filtered.status).toBe(201);

      await s.cause(t);
      await t.host.drain();

      expect(a.received).toHaveLength(s.all);
      const payloads = a.received.map((w) => checkDelivery(unfiltered.body.secret, w, t.clock.now()));
      expect(payloads.every((p) => p.type === s.type && p.accountId === t.host.seed.accountId)).toBe(true);
      expect(new Set(payloads.map((p) => p.id)).size).toBe(s.all);
      if (filtered) {
        expect(b.received).toHaveLength(s.matching);
        for (const w of b.received) checkDelivery(filtered.body.secret, w, t.clock.now());
      }

      // Power Automate turns the flow off: DELETE the Location, twice (it retries).
      const del = await t.api.delete(locationPath(unfiltered.headers.get('location')!));
      expect(del.status).toBe(204);
      expect((await t.api.delete(locationPath(unfiltered.headers.get('location')!))).status).toBe(204);
      if (filtered) expect((await t.api.delete(locationPath(filtered.headers.get('location')!))).status).toBe(204);
      expect((await t.api.get('/hooks')).body.items).toEqual([]);
      a.clear();
      b.clear();
      await s.cause(t);
      await t.host.drain();
      await t.advance(86_400_000);
      expect(a.received).toHaveLength(0);
      expect(b.received).toHaveLength(0);
    });
  });

  test('subscribing again with the same callback URL updates the subscription instead of adding one', async () => {
    const first = await t.api.post('/hooks/sms-status-changed', { callbackUrl: a.url() });
    const second = await t.api.post('/hooks/sms-status-changed', { callbackUrl: a.url(), statuses: ['failed'] });
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(second.body.filters).toEqual({ statuses: ['failed'] });
    expect(second.body.secret).toBe(first.body.secret);
    const list = await t.api.get('/hooks');
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([first.body.id]);
    // Another trigger with the same URL is another subscription.
    const other = await t.api.post('/hooks/sms-received', { callbackUrl: a.url() });
    expect(other.body.id).not.toBe(first.body.id);
    expect((await t.api.get('/hooks')).body.items).toHaveLength(2);
  });

  test('after DELETE, subscribing the same URL creates a fresh subscription', async () => {
    const first = await t.api.post('/hooks/sms-received', { callbackUrl: a.url() });
    await t.api.delete(`/hooks/${first.body.id}`);
    expect((await t.api.get(`/hooks/${first.body.id}`)).status).toBe(404);
    const again = await t.api.post('/hooks/sms-received', { callbackUrl: a.url() });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(first.body.id);
  });

  test('GET /hooks/{id} shows the subscription and its health; GET /hooks lists them', async () => {
    const sub = await t.api.post('/hooks/balance-low', { callbackUrl: a.url() });
    const one = await t.api.get(`/hooks/${sub.body.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id: sub.body.id,
      trigger: 'balance-low',
      callbackUrl: a.url(),
      health: { state: 'new', consecutiveFailures: 0 },
    });
    expect(one.body.secret).toBeUndefined();
    expect((await t.api.get('/hooks')).body.items).toHaveLength(1);
  });

  describe('bad input is a clear 4xx', () => {
    test.each([
      ['a private address', 'https://10.0.0.5/hook', 422, /private/],
      ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data', 422, /linkLocal/],
      ['an IPv4-mapped private address', 'https://[::ffff:192.168.1.10]/hook', 422, /private/],
      ['plain http to a public host', 'http://203.0.113.10/hook', 422, /https|reserved/],
      ['plain http to a public name', 'http://93.184.215.14/hook', 422, /https/],
      ['a scheme other than http(s)', 'ftp://example.com/hook', 422, /https/],
      ['credentials in the URL', 'https://user:pw@127.0.0.1/hook', 422, /credentials/],
    ])('callback URL with %s', async (_what, callbackUrl, status, message) => {
      const res = await t.api.post('/hooks/sms-received', { callbackUrl });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors[0].path).toBe('/callbackUrl');
      expect(res.body.errors[0].message).toMatch(message);
    });

    test('a malformed callback URL, or none', async () => {
      const bad = await t.api.post('/hooks/sms-received', { callbackUrl: 'not a url' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toMatchObject({ path: '/callbackUrl' });
      const missing = await t.api.post('/hooks/sms-received', {});
      expect(missing.status).toBe(400);
      expect(missing.body.errors).toEqual([{ path: '/callbackUrl', message: 'is required' }]);
    });

    test('a filter the trigger does not have, or a wrong status', async () => {
      const unknown = await t.api.post('/hooks/balance-low', { callbackUrl: a.url(), virtualNumber: '+14155550100' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors[0]).toEqual({ path: '/virtualNumber', message: 'is not a known field' });
      const status = await t.api.post('/hooks/sms-status-changed', { callbackUrl: a.url(), statuses: ['lost'] });
      expect(status.status).toBe(400);
      expect(status.body.errors[0].path).toBe('/statuses/0');
    });

    test('an unknown trigger slug is a 404 naming the known ones', async () => {
      const res = await t.api.post('/hooks/sms-teleported', { callbackUrl: a.url() });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('unknown_trigger');
      expect(res.body.detail).toContain('sms-received');
    });

    test("another account's subscription id is a 404 everywhere, and it stays in place", async () => {
      const mine = await t.api.post('/hooks/sms-received', { callbackUrl: a.url() });
      const other = await t.newAccount();
      for (const res of [
        await other.api.get(`/hooks/${mine.body.id}`),
        await other.api.delete(`/hooks/${mine.body.id}`),
        await other.api.get(`/hooks/${mine.body.id}/deliveries`),
        await other.api.post(`/hooks/${mine.body.id}/replay`, { since: '2026-01-01T00:00:00Z' }),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
      expect((await other.api.get('/hooks')).body.items).toEqual([]);
      expect((await t.api.get(`/hooks/${mine.body.id}`)).status).toBe(200);
    });

    test('an id that never existed: DELETE is 404 (only deleting a deleted subscription succeeds again)', async () => {
      expect((await t.api.delete('/hooks/sub_nope')).status).toBe(404);
    });

    test('an unknown event to redeliver is a 404', async () => {
      expect((await t.api.post('/events/evt_nope/redeliver')).status).toBe(404);
    });
  });
});
