import { startTestHost, type TestHost } from '../fixtures/testHost';

/** The internal value lists behind the connector's dropdowns (From, Virtual number). */
describe('dropdown value lists', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startTestHost();
  });
  afterAll(() => t.close());

  test('ListSenderIdValues returns approved sender IDs only, the account default first and marked', async () => {
    const acme = await t.api.post('/sender-ids', { value: 'ACME' });
    const beta = await t.api.post('/sender-ids', { value: 'BETA' });
    await t.api.post('/sender-ids', { value: 'PENDING1' });
    expect((await t.admin.post(`/admin/sender-ids/${acme.body.id}/approve`, {})).status).toBe(200);
    expect((await t.admin.post(`/admin/sender-ids/${beta.body.id}/reject`, { reason: 'Brand not proven' })).status).toBe(200);
    // ACME becomes the default, so it moves to the top.
    expect((await t.api.patch('/account', { defaultSenderId: 'ACME' })).status).toBe(200);

    const res = await t.api.get('/lookups/sender-ids');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [{ value: 'ACME', title: 'ACME (default)' }, { value: 'DataFlows', title: 'DataFlows' }] });
  });

  test('ListVirtualNumberValues returns the account\'s numbers, labelled when they have a label', async () => {
    const me = await t.api.get('/me');
    expect((await t.admin.post('/admin/virtual-numbers', { accountId: me.body.id, number: '+14155550100', label: 'Support line' })).status).toBe(201);
    expect((await t.admin.post('/admin/virtual-numbers', { accountId: me.body.id, number: '+14155550101' })).status).toBe(201);
    const res = await t.api.get('/lookups/virtual-numbers');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual(expect.arrayContaining([{ value: '+14155550100', title: '+14155550100 (Support line)' }, { value: '+14155550101', title: '+14155550101' }]));
    expect(res.body.items).toHaveLength(2);
  });

  test('another account sees only its own values, and no key gets 401', async () => {
    const other = await t.newAccount({ senderId: 'Other' });
    expect((await other.api.get('/lookups/sender-ids')).body).toEqual({ items: [{ value: 'Other', title: 'Other (default)' }] });
    expect((await other.api.get('/lookups/virtual-numbers')).body).toEqual({ items: [] });
    const anon = await fetch(`${t.url}/api/lookups/sender-ids`);
    expect(anon.status).toBe(401);
  });
});
