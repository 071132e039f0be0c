import { advanceCampaigns } from '../../shared/app/campaignSending';
import { startTestHost, type TestHost } from '../fixtures/testHost';

/** Issue 10, "Money is exact": amounts at the API's limits, deductions, and prices per currency. */
describe('money on the HTTP API', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_DLR_DELAY_MS: '0' });
  });
  afterEach(() => t.close());

  const credit = (accountId: string, body: Record<string, unknown>) => t.admin.post(`/operator/accounts/${accountId}/credits`, body);

  describe('amounts are exact at the largest size accepted', () => {
    test('opening credits of 999999999999.9999 come back as themselves', async () => {
      const res = await t.admin.post('/operator/accounts', { name: 'Big', credits: '999999999999.9999' });
      expect(res.status).toBe(201);
      expect(res.body.account.balance).toBe('999999999999.9999');
      const api = (await t.newAccount({ credits: '999999999999.9999' })).api;
      expect((await api.get('/balance')).body.credits).toBe('999999999999.9999');
    });

    test('credits added up to the maximum balance stay exact, and a debit from it too', async () => {
      const { id, api } = await t.newAccount({ credits: '0.0001' });
      expect((await credit(id, { amount: '999999999999.9997' })).body.balance).toBe('999999999999.9998');
      expect((await credit(id, { amount: '0.0001' })).body.balance).toBe('999999999999.9999');
      const sent = await api.post('/messages', { to: '+14155550123', text: 'Hi' });
      expect(sent.status).toBe(202);
      expect((await api.get('/balance')).body.credits).toBe('999999999999.992');
    });

    test('a credit that would take the balance over the maximum is refused with 422 naming /amount', async () => {
      const { id, api } = await t.newAccount({ credits: '999999999999.0000' });
      const res = await credit(id, { amount: '1.0000' });
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({
        code: 'balance_limit_exceeded',
        errors: [{ path: '/amount' }],
        balance: '999999999999.00',
        maxBalance: '999999999999.9999',
      });
      expect((await api.get('/balance')).body.credits).toBe('999999999999.00');
    });

    test('an amount past the largest the API takes is refused, not rounded', async () => {
      const { id } = await t.newAccount();
      expect((await credit(id, { amount: '1000000000000.00' })).status).toBe(400);
      expect((await t.admin.post('/operator/accounts', { name: 'Too big', credits: '1000000000000' })).status).toBe(400);
    });
  });

  describe('operator deductions', () => {
    test('a deduction below zero is refused with the current balance, nothing changed', async () => {
      const { id, api } = await t.newAccount({ credits: '10.00' });
      const res = await credit(id, { amount: '-999999' });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'insufficient_balance', errors: [{ path: '/amount' }], balance: '10.00' });
      expect((await api.get('/balance')).body.credits).toBe('10.00');
    });

    test('down to exactly zero is allowed', async () => {
      const { id } = await t.newAccount({ credits: '10.00' });
      const res = await credit(id, { amount: '-10.00' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ balance: '0.00', negativeBalance: false });
    });

    test('allowNegativeBalance lets it go below zero and the answer says so', async () => {
      const { id, api } = await t.newAccount({ credits: '10.00' });
      const res = await credit(id, { amount: '-12.5', allowNegativeBalance: true });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ balance: '-2.50', negativeBalance: true });
      expect((await api.get('/balance')).body.credits).toBe('-2.50');
      // Sends are refused on a negative balance as on any short one.
      expect((await api.post('/messages', { to: '+14155550123', text: 'Hi' })).status).toBe(402);
    });

    test('allowNegativeBalance must be a boolean', async () => {
      const { id } = await t.newAccount();
      expect((await credit(id, { amount: '-1', allowNegativeBalance: 'yes' })).status).toBe(400);
    });
  });

  describe('prices per currency', () => {
    test('a EUR account is charged from EUR prices, a USD account from USD prices', async () => {
      const usd = await t.newAccount({ currency: 'USD', credits: '10.00' });
      const eur = await t.newAccount({ currency: 'EUR', credits: '10.00' });
      const fromUsd = await usd.api.post('/messages', { to: '+14155550123', text: 'Hi' });
      const fromEur = await eur.api.post('/messages', { to: '+14155550123', text: 'Hi' });
      expect(fromUsd.body.cost).toEqual({ amount: '0.0079', currency: 'USD', segments: 1, unitPrice: '0.0079' });
      expect(fromEur.body.cost).toEqual({ amount: '0.0073', currency: 'EUR', segments: 1, unitPrice: '0.0073' });
      expect((await usd.api.get('/balance')).body).toMatchObject({ credits: '9.9921', currency: 'USD' });
      expect((await eur.api.get('/balance')).body).toMatchObject({ credits: '9.9927', currency: 'EUR' });
      await t.host.drain();
      expect((await eur.api.get(`/messages/${fromEur.body.id}`)).body.cost).toMatchObject({ amount: '0.0073', currency: 'EUR' });
    });

    test('a currency without a price table is refused with 422 naming /currency', async () => {
      const res = await t.admin.post('/operator/accounts', { name: 'Yen', currency: 'JPY' });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'unsupported_currency', errors: [{ path: '/currency' }] });
      expect((await t.admin.post('/operator/accounts', { name: 'Made up', currency: 'XYZ' })).status).toBe(422);
    });

    test("an account whose currency lost its price table cannot send, rather than pay another currency's prices", async () => {
      const { id, api } = await t.newAccount({ currency: 'EUR' });
      // As if created under an older release, or before its table left the settings.
      const store = t.host.runtime.deps.store;
      await store.accounts.update({ ...(await store.accounts.get(id))!, currency: 'JPY' });
      const res = await api.post('/messages', { to: '+14155550123', text: 'Hi' });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('unsupported_currency');
      expect((await api.get('/balance')).body.credits).toBe('10.00');
    });
  });
});

describe('money with configured price tables', () => {
  test('PRICE_TABLE_<CODE> adds a currency; PRICE_TABLE stays the table of PRICE_CURRENCY', async () => {
    const t = await startTestHost({ PRICE_CURRENCY: 'GBP', PRICE_TABLE: 'default=0.04,US=0.0062' } as Record<string, string>);
    try {
      const gbp = await t.newAccount({ credits: '1.00' });
      const sent = await gbp.api.post('/messages', { to: '+14155550123', text: 'Hi' });
      expect(sent.body.cost).toMatchObject({ amount: '0.0062', currency: 'GBP' });
      const eur = await t.newAccount({ currency: 'EUR', credits: '1.00' });
      expect((await eur.api.post('/messages', { to: '+14155550123', text: 'Hi' })).body.cost).toMatchObject({
        amount: '0.0073',
        currency: 'EUR',
      });
    } finally {
      await t.close();
    }
  });
});

describe('campaign totals at the largest amounts', () => {
  test('a EUR campaign costing the maximum balance totals exactly, net of a refund, and the balance is exact', async () => {
    // A third of the maximum per message: three cost 9999999999999999 minor units, past 2^53.
    const t = await startTestHost({ PRICE_CURRENCY: 'EUR', PRICE_TABLE: 'default=333333333333.3333', CAMPAIGN_BATCH_SIZE: '2' });
    try {
      const { api } = await t.newAccount({ currency: 'EUR', credits: '999999999999.9999' });
      const groupId = (await api.post('/groups', { name: 'All' })).body.id as string;
      for (const phone of ['+14155550101', '+14155550102', '+14155550400'])
        expect((await api.post('/contacts', { phone, groupIds: [groupId] })).status).toBe(201);
      const id = (await api.post('/campaigns', { name: 'Big', kind: 'bulk', text: 'Hi', groupIds: [groupId] })).body.id as string;
      expect((await api.post(`/campaigns/${id}/start`)).status).toBe(200);
      await t.host.drain();
      expect((await api.get(`/campaigns/${id}`)).body.progress).toMatchObject({ accepted: 3, cost: '999999999999.9999', currency: 'EUR' });
      await t.advance(1_000);
      await advanceCampaigns(t.host.runtime.deps);
      // +14155550400 is rejected by the simulator before it takes it: refunded, and out of the total.
      const done = (await api.get(`/campaigns/${id}`)).body;
      expect(done).toMatchObject({ status: 'completed', progress: { cost: '666666666666.6666', currency: 'EUR' } });
      expect((await api.get('/balance')).body).toMatchObject({ credits: '333333333333.3333', currency: 'EUR' });
    } finally {
      await t.close();
    }
  });
});
