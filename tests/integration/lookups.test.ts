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
    expect((await t.admin.post(`/operator/sender-ids/${acme.body.id}/approve`, {})).status).toBe(200);
    expect((await t.admin.post(`/operator/sender-ids/${beta.body.id}/reject`, { reason: 'Brand not proven' })).status).toBe(200);
    // ACME becomes the default, so it moves to the top.
    expect((await t.api.patch('/account', { defaultSenderId: 'ACME' })).status).toBe(200);

    const res = await t.api.get('/lookups/sender-ids');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        { value: 'ACME', title: 'ACME (default)' },
        { value: 'DataFlows', title: 'DataFlows' },
      ],
    });
  });

  test("ListVirtualNumberValues returns the account's numbers, labelled when they have a label; the From choices add them after the sender IDs", async () => {
    const me = await t.api.get('/me');
    expect(
      (await t.admin.post('/operator/virtual-numbers', { accountId: me.body.id, number: '+14155550100', label: 'Support line' })).status,
    ).toBe(201);
    expect((await t.admin.post('/operator/virtual-numbers', { accountId: me.body.id, number: '+14155550101' })).status).toBe(201);
    const res = await t.api.get('/lookups/virtual-numbers');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        { value: '+14155550100', title: '+14155550100 (Support line)' },
        { value: '+14155550101', title: '+14155550101' },
      ]),
    );
    expect(res.body.items).toHaveLength(2);
    const from = (await t.api.get('/lookups/sender-ids')).body.items as { value: string; title: string }[];
    expect(from.slice(0, 2)).toEqual([
      { value: 'ACME', title: 'ACME (default)' },
      { value: 'DataFlows', title: 'DataFlows' },
    ]);
    expect(from.slice(2)).toEqual(
      expect.arrayContaining([
        { value: '+14155550100', title: '+14155550100 (virtual number, Support line)' },
        { value: '+14155550101', title: '+14155550101 (virtual number)' },
      ]),
    );
    expect(from).toHaveLength(4);
    // Every choice is a sender a message can really be sent from.
    for (const { value } of from)
      expect((await t.api.post('/messages', { to: '+14155550123', text: 'From the dropdown', from: value })).status).toBe(202);
  });

  test("ListGroupValues returns the account's contact groups by name, titled with their contact counts", async () => {
    const vip = (await t.api.post('/groups', { name: 'VIP' })).body.id;
    const all = (await t.api.post('/groups', { name: 'all customers' })).body.id;
    const none = (await t.api.post('/groups', { name: 'Nobody yet' })).body.id;
    expect((await t.api.post('/contacts', { phone: '+14155551901', groupIds: [vip, all] })).status).toBe(201);
    expect((await t.api.post('/contacts', { phone: '+14155551902', groupIds: [all] })).status).toBe(201);
    const res = await t.api.get('/lookups/groups');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        { value: all, title: 'all customers (2 contacts)' },
        { value: none, title: 'Nobody yet (0 contacts)' },
        { value: vip, title: 'VIP (1 contact)' },
      ],
    });
  });

  test('another account sees only its own values, and no key gets 401', async () => {
    const other = await t.newAccount({ senderId: 'Other' });
    expect((await other.api.get('/lookups/sender-ids')).body).toEqual({ items: [{ value: 'Other', title: 'Other (default)' }] });
    expect((await other.api.get('/lookups/virtual-numbers')).body).toEqual({ items: [] });
    expect((await other.api.get('/lookups/groups')).body).toEqual({ items: [] });
    const anon = await fetch(`${t.url}/api/lookups/sender-ids`);
    expect(anon.status).toBe(401);
  });
});
