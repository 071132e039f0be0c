import { startTestHost, type TestHost } from '../fixtures/testHost';
import { assignNumber, inbound, SIMULATOR_SECRET } from '../fixtures/webhookScenarios';

/** 429 + Retry-After on the subscription API (per account) and the carrier callbacks (per source). */
describe('rate limits', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_SECRET, RATE_LIMIT_HOOKS_PER_MINUTE: '3', RATE_LIMIT_CARRIER_PER_MINUTE: '2' });
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

  test('carrier callbacks answer 429 beyond the rate of one source', async () => {
    await assignNumber(t, '+14155550100');
    await inbound(t, '+14155550100', 'one');
    await inbound(t, '+14155550100', 'two');
    await expect(inbound(t, '+14155550100', 'three')).rejects.toThrow(/inbound failed: 429/);
    t.clock.advance(30_000);
    await expect(inbound(t, '+14155550100', 'four')).resolves.toBeUndefined();
  });
});
