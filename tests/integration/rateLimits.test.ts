import { apiClient, startTestHost, type TestHost } from '../fixtures/testHost';
import { assignNumber, inbound, SIMULATOR_SECRET } from '../fixtures/webhookScenarios';

/** 429 + Retry-After on the subscription API (per account) and the carrier callbacks (per source). */
describe('rate limits', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost({
      SIMULATOR_SECRET,
      RATE_LIMIT_HOOKS_PER_MINUTE: '3',
      RATE_LIMIT_CARRIER_PER_MINUTE: '2',
      RATE_LIMIT_CAMPAIGN_TRIGGERS_PER_MINUTE: '2',
    });
  });
  afterEach(() => t.close());

  test('the webhook API answers 429 with Retry-After beyond the rate of an account, and recovers with time', async () => {
    for (let i = 0; i < 3; i++) expect((await t.api.get('/hooks')).status).toBe(200);
    const limited = await t.api.post('/hooks/sms-received', { callbackUrl: 'http://127.0.0.1:9/hook' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('20');
    expect(limited.body).toMatchObject({ code: 'rate_limited', status: 429 });
    // Another account has its own allowance.
    const other = await t.newAccount();
    expect((await other.api.get('/hooks')).status).toBe(200);
    // Other routes are not limited by this bucket.
    expect((await t.api.get('/balance')).status).toBe(200);
    t.clock.advance(19_000);
    expect((await t.api.get('/hooks')).status).toBe(429);
    t.clock.advance(1_000);
    expect((await t.api.get('/hooks')).status).toBe(200);
  });

  test('rotating a subscription secret counts against the webhook API allowance like the other /hooks routes', async () => {
    const sub = await t.api.post('/hooks/sms-received', { callbackUrl: 'http://127.0.0.1:9/hook' });
    expect(sub.status).toBe(201);
    expect((await t.api.post(`/hooks/${sub.body.id}/rotate-secret`)).status).toBe(200);
    expect((await t.api.get('/hooks')).status).toBe(200);
    const limited = await t.api.post(`/hooks/${sub.body.id}/rotate-secret`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('20');
  });

  test('carrier callbacks answer 429 beyond the rate of one source', async () => {
    await assignNumber(t, '+14155550100');
    await inbound(t, '+14155550100', 'one');
    await inbound(t, '+14155550100', 'two');
    await expect(inbound(t, '+14155550100', 'three')).rejects.toThrow(/inbound failed: 429/);
    t.clock.advance(30_000);
    await expect(inbound(t, '+14155550100', 'four')).resolves.toBeUndefined();
  });

  test('trigger campaign calls answer 429 beyond the rate of an account (seed 004), sending nothing', async () => {
    const created = await t.api.post('/campaigns', {
      name: 'Orders',
      kind: 'trigger',
      text: 'Order {{id}}',
      trigger: { phoneField: 'phone', attributes: [{ name: 'id', required: true }] },
    });
    const id = created.body.id as string;
    await t.api.post(`/campaigns/${id}/activate`);
    const call = (n: number) => t.api.post(`/campaigns/${id}/trigger`, { phone: '+14155550123', id: `SO-${n}` });
    expect((await call(1)).status).toBe(202);
    expect((await call(2)).status).toBe(202);
    const limited = await call(3);
    expect(limited.status).toBe(429);
    expect(limited.body.detail).toMatch(/trigger campaigns/);
    expect(limited.headers.get('retry-after')).toBe('30');
    // The rest of the campaign API is not limited by this bucket.
    expect((await t.api.get(`/campaigns/${id}`)).status).toBe(200);
    expect((await t.api.get(`/messages?campaignId=${id}`)).body.items).toHaveLength(2);
    t.clock.advance(30_000);
    expect((await call(4)).status).toBe(202);
  });
});

/** AUTH_FAILURES_PER_MINUTE: failed authentication from one source address is slowed; valid keys are not. */
describe('failed authentication', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost({ AUTH_FAILURES_PER_MINUTE: '3' });
  });
  afterEach(() => t.close());

  test('beyond the allowance of one address, missing or invalid keys answer 429 with Retry-After; valid keys from it still pass', async () => {
    const wrong = apiClient(t.url, { 'x-api-key': 'dfs_wrong_key' });
    const none = apiClient(t.url, {});
    const wrongAdmin = apiClient(t.url, { 'x-admin-key': 'not-the-operator-key' });
    expect((await wrong.get('/balance')).status).toBe(401);
    expect((await none.get('/balance')).status).toBe(401);
    expect((await wrongAdmin.post('/operator/accounts', { name: 'X', credits: '1.00', senderId: 'X' })).status).toBe(401);

    const limited = await wrong.post('/messages', { to: '+14155550123', text: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('20');
    expect(limited.body).toMatchObject({ code: 'too_many_auth_failures', status: 429 });
    expect((await none.get('/balance')).status).toBe(429);
    expect((await wrongAdmin.post('/operator/accounts', { name: 'X', credits: '1.00', senderId: 'X' })).status).toBe(429);

    // The same address with valid keys: never slowed, never counted.
    for (let i = 0; i < 5; i++) expect((await t.api.get('/balance')).status).toBe(200);
    await expect(t.newAccount()).resolves.toMatchObject({ id: expect.any(String) });
    // Open routes need no key and are not affected.
    expect((await none.get('/health')).status).toBe(200);

    t.clock.advance(19_000);
    expect((await wrong.get('/balance')).status).toBe(429);
    t.clock.advance(1_000);
    expect((await wrong.get('/balance')).status).toBe(401);
    expect((await wrong.get('/balance')).status).toBe(429);
  });
});
