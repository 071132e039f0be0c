import { startTestHost, type TestHost } from '../fixtures/testHost';
import { assignNumber, inbound, SIMULATOR_SECRET } from '../fixtures/webhookScenarios';

describe('opt-outs', () => {
  let t: TestHost;
  const customer = '+14155551234';
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_SECRET });
    await assignNumber(t, '+14155550999');
  });
  afterEach(() => t.close());

  const send = (to = customer) => t.api.post('/messages', { to, text: 'Your order shipped' });
  const credits = async () => (await t.api.get('/balance')).body.credits as string;

  test('a recipient texting STOP is refused before any charge until they text START', async () => {
    expect((await send()).status).toBe(202);
    const charged = await credits();
    await inbound(t, '+14155550999', '  stop ', customer);
    const refused = await send();
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'recipient_opted_out', errors: [{ path: '/to' }] });
    expect(await credits()).toBe(charged);
    expect((await t.api.get('/opt-outs')).body.items).toEqual([
      { phone: customer, source: 'keyword', keyword: 'STOP', createdAt: '2026-03-01T12:00:00.000Z' },
    ]);
    // The account cannot undo the recipient's own opt-out.
    const undo = await t.api.raw('DELETE', `/opt-outs/${encodeURIComponent(customer)}`);
    expect(undo.status).toBe(409);
    expect(undo.body.code).toBe('opted_out_by_recipient');

    await inbound(t, '+14155550999', 'START', customer);
    expect((await send()).status).toBe(202);
    expect((await t.api.get('/opt-outs')).body.items).toEqual([]);
  });

  test('only the whole message counts as a keyword, and the opt-out is per account', async () => {
    await inbound(t, '+14155550999', 'Please stop sending these', customer);
    expect((await send()).status).toBe(202);
    await inbound(t, '+14155550999', 'UNSUBSCRIBE', customer);
    expect((await send()).status).toBe(422);
    const other = await t.newAccount();
    expect((await other.api.post('/messages', { to: customer, text: 'Hi' })).status).toBe(202);
  });

  test('the account can opt a recipient out and back in itself', async () => {
    const added = await t.api.post('/opt-outs', { phone: '(415) 555-1234' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ phone: customer, source: 'api', keyword: null });
    expect((await send()).status).toBe(422);
    const removed = await t.api.raw('DELETE', `/opt-outs/${encodeURIComponent(customer)}`);
    expect(removed.status).toBe(200);
    expect((await send()).status).toBe(202);
    expect((await t.api.raw('DELETE', `/opt-outs/${encodeURIComponent(customer)}`)).status).toBe(404);
    expect((await t.api.post('/opt-outs', { phone: 'not a phone' })).body.errors[0].path).toBe('/phone');
  });
});
