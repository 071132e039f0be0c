import { apiClient, DEV_KEY, startTestHost, type TestHost } from '../fixtures/testHost';

describe('HTTP API on the embedded host', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_DLR_DELAY_MS: '0' });
  });
  afterEach(() => t.close());

  const outbox = (type: string, accountId = t.host.seed.accountId) =>
    t.host.runtime.deps.store.outbox.listForAccount(accountId, { type }, 100);

  describe('auth', () => {
    test('health needs no key; everything else does', async () => {
      const anon = apiClient(t.url, {});
      expect((await anon.get('/health')).body).toEqual({ status: 'ok', time: '2026-03-01T12:00:00.000Z' });
      const res = await anon.get('/me');
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 401, code: 'unauthenticated' });
      expect((await apiClient(t.url, { 'x-api-key': 'nope' }).get('/me')).body.code).toBe('invalid_api_key');
    });

    test('Authorization: Bearer works as well as X-API-Key; /me shows account and scopes', async () => {
      const res = await apiClient(t.url, { authorization: `Bearer ${DEV_KEY}` }).get('/me');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: t.host.seed.accountId, name: 'Development account', currency: 'USD', balance: '100.00' });
      expect(res.body.scopes).toContain('messages:send');
      expect(res.body).not.toHaveProperty('apiKeyHash');
    });

    test('admin routes take only the admin key', async () => {
      expect((await t.api.post('/operator/accounts', { name: 'x' })).status).toBe(401);
      expect((await apiClient(t.url, { 'x-admin-key': 'wrong' }).post('/operator/accounts', { name: 'x' })).body.code).toBe(
        'invalid_admin_key',
      );
      expect((await t.admin.post('/operator/accounts', { name: 'x' })).status).toBe(201);
    });
  });

  describe('idempotency', () => {
    test('the same Idempotency-Key returns the original message and charges once', async () => {
      const body = { to: '+14155550123', text: 'Once' };
      const first = await t.api.post('/messages', body, { 'idempotency-key': 'order-42' });
      const again = await t.api.post('/messages', body, { 'idempotency-key': 'order-42' });
      expect(again.status).toBe(202);
      expect(again.body.id).toBe(first.body.id);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect((await t.api.get('/balance')).body.credits).toBe('99.9921');
      await t.host.drain();
      expect((await t.api.get('/messages')).body.items).toHaveLength(1);
      expect((await t.host.runtime.simulatorLog.get(first.body.id))?.attempts).toBe(1);
    });

    test('reusing a key for a different message is a conflict', async () => {
      await t.api.post('/messages', { to: '+14155550123', text: 'One' }, { 'idempotency-key': 'k1' });
      const res = await t.api.post('/messages', { to: '+14155550123', text: 'Two' }, { 'idempotency-key': 'k1' });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('idempotency_key_reused');
    });
  });

  describe('per-message callback URL', () => {
    test.each([
      ['https://10.0.0.5/hook', 422, /private/],
      ['http://169.254.169.254/latest/meta-data', 422, /linkLocal/],
      ['ftp://example.com/hook', 422, /https/],
      ['https://user:pw@example.com/hook', 422, /credentials/],
    ])('%s is refused at send time naming /callback/url, before any charge', async (url, status, reason) => {
      const res = await t.api.post('/messages', { to: '+14155550123', text: 'x', callback: { url } });
      expect(res.status).toBe(status);
      expect(res.body.errors[0]).toEqual({ path: '/callback/url', message: expect.stringMatching(reason) });
      expect((await t.api.get('/balance')).body.credits).toBe('100.00');
    });

    test('a loopback callback is accepted in the embedded mode', async () => {
      const res = await t.api.post('/messages', { to: '+14155550123', text: 'x', callback: { url: 'http://127.0.0.1:9/hook' } });
      expect(res.status).toBe(202);
      expect(res.body.callbackUrl).toBe('http://127.0.0.1:9/hook');
    });
  });

  describe('credits', () => {
    test('not enough credits is 402 and nothing is stored', async () => {
      const other = await t.newAccount({ credits: '0.01' });
      const ok = await other.api.post('/messages', { to: '+14155550123', text: 'a' });
      expect(ok.status).toBe(202);
      const res = await other.api.post('/messages', { to: '+14155550123', text: 'b' });
      expect(res.status).toBe(402);
      expect(res.body).toMatchObject({ code: 'insufficient_credits', balance: '0.0021', required: '0.0079' });
      expect((await other.api.get('/messages')).body.items).toHaveLength(1);
    });

    test('balance low fires once per downward crossing', async () => {
      const other = await t.newAccount({ credits: '0.02', lowBalanceThreshold: '0.01' });
      await other.api.post('/messages', { to: '+14155550123', text: 'a' }); // 0.0121 left: above
      expect(await outbox('balance.low', other.id)).toHaveLength(0);
      await other.api.post('/messages', { to: '+14155550123', text: 'b' }); // 0.0042: crosses
      await t.admin.post(`/operator/accounts/${other.id}/credits`, { amount: '0.0001' }); // still below: no new event
      const events = await outbox('balance.low', other.id);
      expect(events).toHaveLength(1);
      expect(events[0]!.data).toMatchObject({ balance: '0.0042', threshold: '0.01', currency: 'USD' });
      await t.admin.post(`/operator/accounts/${other.id}/credits`, { amount: '1.00' }); // back above
      await t.admin.post(`/operator/accounts/${other.id}/credits`, { amount: '-0.9999' }); // crosses again
      expect(await outbox('balance.low', other.id)).toHaveLength(2);
    });

    test('admin credits change the balance', async () => {
      const res = await t.admin.post(`/operator/accounts/${t.host.seed.accountId}/credits`, { amount: '25.50' });
      expect(res.status).toBe(200);
      expect((await t.api.get('/balance')).body).toEqual({
        credits: '125.50',
        currency: 'USD',
        lowBalanceThreshold: '10.00',
        isLow: false,
      });
      expect((await t.admin.post('/operator/accounts/acc_missing/credits', { amount: '1' })).status).toBe(404);
    });
  });

  describe('sender IDs', () => {
    test('request → pending → approve → usable as from; events for approve and reject', async () => {
      const req = await t.api.post('/sender-ids', { value: 'ACME', purpose: 'Order updates' });
      expect(req.status).toBe(201);
      expect(req.body).toMatchObject({ value: 'ACME', kind: 'alphanumeric', status: 'pending' });
      const refused = await t.api.post('/messages', { to: '+14155550123', text: 'x', from: 'ACME' });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('sender_id_not_approved');
      expect(refused.body.errors[0].path).toBe('/from');
      expect((await t.api.get('/sender-ids?status=pending')).body.items.map((s: { value: string }) => s.value)).toEqual(['ACME']);

      const approved = await t.admin.post(`/operator/sender-ids/${req.body.id}/approve`, { reason: 'Brand verified' });
      expect(approved.body).toMatchObject({ status: 'approved', reason: 'Brand verified' });
      expect((await t.api.post('/messages', { to: '+14155550123', text: 'x', from: 'ACME' })).body.from).toBe('ACME');
      expect((await t.api.get('/sender-ids')).body.items.map((s: { value: string }) => s.value).sort()).toEqual(['ACME', 'DataFlows']);
      expect((await outbox('sender_id.approved'))[0]!.data).toMatchObject({ senderId: req.body.id, value: 'ACME', status: 'approved' });
      expect((await t.admin.post(`/operator/sender-ids/${req.body.id}/reject`)).status).toBe(409);

      const bad = await t.api.post('/sender-ids', { value: 'SPAMMY' });
      await t.admin.post(`/operator/sender-ids/${bad.body.id}/reject`, { reason: 'Misleading' });
      expect((await outbox('sender_id.rejected'))[0]!.data).toMatchObject({
        value: 'SPAMMY',
        reason: 'Misleading',
        resubmission: expect.any(String),
      });
    });

    test.each([
      ['TOOLONGNAME1', 'must be 1 to 11 characters when alphanumeric'],
      ['BAD_CHAR', 'may contain only letters A-Z, digits and spaces'],
      ['+1234', 'as a number is not a valid phone number (use E.164, e.g. +14155550123)'],
    ])('sender ID %s is refused', async (value, message) => {
      const res = await t.api.post('/sender-ids', { value });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: '/value', message }]);
    });

    test('without from, the default is used, falling back to another approved ID', async () => {
      const req = await t.api.post('/sender-ids', { value: 'Backup' });
      await t.admin.post(`/operator/sender-ids/${req.body.id}/approve`);
      expect((await t.api.patch('/account', { defaultSenderId: 'Backup' })).body.defaultSenderId).toBe(req.body.id);
      expect((await t.api.post('/messages', { to: '+14155550123', text: 'x' })).body.from).toBe('Backup');
      expect((await t.api.patch('/account', { defaultSenderId: null })).status).toBe(200);
      expect((await t.api.post('/messages', { to: '+14155550123', text: 'x' })).body.from).toBe('DataFlows');
    });

    test('an account with no approved sender ID gets a clear error', async () => {
      const res = await t.admin.post('/operator/accounts', { name: 'Bare', credits: '1' });
      const bare = apiClient(t.url, { 'x-api-key': res.body.apiKey });
      const send = await bare.post('/messages', { to: '+14155550123', text: 'x' });
      expect(send.status).toBe(422);
      expect(send.body).toMatchObject({ code: 'no_sender_id', errors: [{ path: '/from' }] });
    });
  });

  describe('tenancy', () => {
    test("another account's message, cancel and list are invisible (404 / empty)", async () => {
      const mine = await t.api.post('/messages', {
        to: '+14155550123',
        text: 'Mine',
        sendAt: new Date(t.clock.now() + 120_000).toISOString(),
      });
      const other = await t.newAccount();
      expect((await other.api.get(`/messages/${mine.body.id}`)).status).toBe(404);
      expect((await other.api.post(`/messages/${mine.body.id}/cancel`)).status).toBe(404);
      expect((await other.api.get('/messages')).body.items).toEqual([]);
      expect((await t.api.get(`/messages/${mine.body.id}`)).status).toBe(200);
    });
  });

  describe('listing', () => {
    test('filters and continuation-token paging visit every message once, newest first', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        t.clock.advance(1_000);
        ids.push((await t.api.post('/messages', { to: i % 2 ? '+14155550123' : '+14155551400', text: `m${i}` })).body.id);
      }
      await t.host.drain();
      const seen: string[] = [];
      let token: string | null = null;
      do {
        const res: { body: { items: { id: string }[]; continuationToken: string | null } } = await t.api.get(
          `/messages?limit=3${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`,
        );
        seen.push(...res.body.items.map((m) => m.id));
        token = res.body.continuationToken;
      } while (token);
      expect(seen).toEqual([...ids].reverse());
      const bounced = (await t.api.get('/messages?status=undelivered')).body.items;
      expect(bounced.map((m: { id: string }) => m.id).sort()).toEqual([ids[0], ids[2], ids[4], ids[6]].sort());
      expect((await t.api.get('/messages?to=%2B14155550123')).body.items).toHaveLength(3);
      expect(
        (await t.api.get('/messages?since=2026-03-01T12:00:03.000Z&until=2026-03-01T12:00:05.000Z')).body.items.map(
          (m: { id: string }) => m.id,
        ),
      ).toEqual([ids[3], ids[2]]);
      const bad = await t.api.get('/messages?continuationToken=garbage');
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].path).toBe('query/continuationToken');
    });
  });

  describe('virtual numbers and settings', () => {
    test('admin assigns a number; the account lists it; a number belongs to one account', async () => {
      const res = await t.admin.post('/operator/virtual-numbers', {
        accountId: t.host.seed.accountId,
        number: '+14155550999',
        label: 'Support',
      });
      expect(res.status).toBe(201);
      expect((await t.api.get('/virtual-numbers')).body.items).toEqual([
        expect.objectContaining({ number: '+14155550999', country: 'US', label: 'Support', capabilities: ['sms'] }),
      ]);
      const other = await t.newAccount();
      expect((await t.admin.post('/operator/virtual-numbers', { accountId: other.id, number: '+14155550999' })).status).toBe(409);
      expect((await other.api.get('/virtual-numbers')).body.items).toEqual([]);
      expect((await t.admin.post('/operator/virtual-numbers', { accountId: 'acc_nope', number: '+14155550998' })).status).toBe(404);
    });

    test('PATCH /account changes settings, validates them, and national numbers follow the default country', async () => {
      const res = await t.api.patch('/account', { defaultCountry: 'IN', lowBalanceThreshold: '5.00', name: 'Shop' });
      expect(res.body).toMatchObject({ defaultCountry: 'IN', lowBalanceThreshold: '5.00', name: 'Shop' });
      expect((await t.api.post('/messages', { to: '9999999999', text: 'x' })).body.to).toBe('+919999999999');
      const bad = await t.api.patch('/account', { defaultSenderId: 'Nobody' });
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0].path).toBe('/defaultSenderId');
    });
  });
});
