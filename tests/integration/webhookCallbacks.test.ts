import { startTestHost, type TestHost } from '../fixtures/testHost';
import { startReceiver, verifyWebhook, type Receiver } from '../fixtures/webhookReceiver';

/** Seed 003 (per-message callback.url) and seed 002 (account default webhook, notify on delivery). */
describe('message callbacks', () => {
  let t: TestHost;
  let r: Receiver;
  let secret: string;
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_DLR_DELAY_MS: '500' });
    r = await startReceiver();
    const res = await t.api.get('/account/callback-secret');
    expect(res.status).toBe(200);
    secret = res.body.secret;
    expect(secret).toMatch(/^whsec_/);
  });
  afterEach(async () => {
    await r.close();
    await t.close();
  });

  const uniqueArgs = { param1: 'test 1', param2: 'test 2' };
  const bodies = () => r.received.map((w) => verifyWebhook(secret, w, t.clock.now()) as Record<string, unknown>);

  test('callback.url gets sent then delivered, each with uniqueArgs and partCount, signed', async () => {
    const m = await t.api.post('/messages', { to: '+14155550123', text: 'x'.repeat(200), callback: { url: r.url('/cb') }, uniqueArgs });
    expect(m.status).toBe(202);
    await t.host.drain();
    await t.advance(500);
    expect(bodies()).toEqual([
      { id: m.body.id, uniqueArgs, event: 'sent', partCount: 2, timestamp: '2026-03-01T12:00:00.000Z' },
      { id: m.body.id, uniqueArgs, event: 'delivered', partCount: 2, timestamp: '2026-03-01T12:00:00.500Z' },
    ]);
    expect(r.received.every((w) => w.path === '/cb')).toBe(true);
    // Distinct, stable ids: one per event and target.
    expect(new Set(r.received.map((w) => w.headers['webhook-id'])).size).toBe(2);
  });

  test.each([
    ['1400', 1400, 'Hard Bounce'],
    ['1404', 1404, 'Soft Bounce'],
    ['1408', 1408, 'Carrier Violation'],
    ['1409', 1409, 'Unknown'],
  ])('undelivered (number ending %s) carries reason {message, code}', async (suffix, code, message) => {
    const m = await t.api.post('/messages', { to: `+1415555${suffix}`, text: 'Hi', callback: { url: r.url() }, uniqueArgs });
    await t.host.drain();
    await t.advance(500);
    const last = bodies().at(-1)!;
    expect(last).toEqual({
      id: m.body.id,
      uniqueArgs,
      event: 'undelivered',
      partCount: 1,
      reason: { message, code },
      timestamp: '2026-03-01T12:00:00.500Z',
    });
  });

  test('a message without callback.url sends no callback', async () => {
    await t.api.post('/messages', { to: '+14155550123', text: 'Hi' });
    await t.host.drain();
    await t.advance(500);
    expect(r.received).toHaveLength(0);
  });

  test('a failing callback URL is retried with the same webhook-id', async () => {
    r.reply({ status: 500 });
    await t.api.post('/messages', { to: '+14155550400', text: 'Hi', callback: { url: r.url() } }); // rejected by the carrier: failed
    await t.host.drain();
    expect(r.received).toHaveLength(1);
    await t.advance(6_000);
    expect(r.received).toHaveLength(2);
    expect(r.received[1]!.headers['webhook-id']).toBe(r.received[0]!.headers['webhook-id']);
    expect(bodies()[1]).toMatchObject({ event: 'undelivered', reason: { code: expect.any(Number) } });
  });

  describe('notify on delivery (account default webhook)', () => {
    test('needs a default webhook, and refuses a private one', async () => {
      const missing = await t.api.patch('/account', { notifyOnDelivery: true });
      expect(missing.status).toBe(422);
      expect(missing.body.errors[0].path).toBe('/notifyOnDelivery');
      const priv = await t.api.patch('/account', { defaultWebhookUrl: 'https://192.168.0.10/hook' });
      expect(priv.status).toBe(422);
      expect(priv.body.errors[0].path).toBe('/defaultWebhookUrl');
    });

    test('called when the send completes and again when the delivery status arrives; responses kept on the message', async () => {
      r.reply({ status: 200, body: '{"ticket":"T-1"}' }, { status: 202, body: 'thanks' });
      const set = await t.api.patch('/account', { notifyOnDelivery: true, defaultWebhookUrl: r.url('/default') });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ notifyOnDelivery: true, defaultWebhookUrl: r.url('/default') });

      const m = await t.api.post('/messages', { to: '+919999999999', text: 'फोनन में आपका स्वागत है', uniqueArgs });
      await t.host.drain();
      expect(r.received).toHaveLength(1);
      await t.advance(500);
      expect(r.received).toHaveLength(2);
      const [sent, delivered] = bodies() as { id: string; stage: string; smsDetails: Record<string, unknown>[] }[];
      expect(sent!.stage).toBe('sent');
      expect(delivered!.stage).toBe('delivery');
      const detail = delivered!.smsDetails[0]!;
      expect(detail).toMatchObject({
        id: m.body.id,
        attemptDetail: `${m.body.id}##1`,
        accountId: t.host.seed.accountId,
        length: m.body.characters,
        nonEnglishChars: true,
        smsType: 'UNICODE',
        text: 'फोनन में आपका स्वागत है',
        to: '+919999999999',
        from: 'DataFlows',
        sendTime: '2026-03-01T12:00:00.000Z',
        deliveryStatus: 'DELIVERED',
        deliveryTime: '2026-03-01T12:00:00.500Z',
        uniqueArgs,
      });
      expect(detail.cost).toEqual({
        currency: { currencyName: 'USD' },
        amount: m.body.cost.amount,
        unitPrice: m.body.cost.unitPrice,
        serviceChargeType: 'Unit',
        smsUnit: m.body.segments,
      });
      expect(sent!.smsDetails[0]).toMatchObject({ deliveryStatus: 'SENT', deliveryTime: null, sendTime: '2026-03-01T12:00:00.000Z' });

      const stored = (await t.api.get(`/messages/${m.body.id}`)).body.notifyOnDelivery;
      expect(stored).toEqual([
        {
          stage: 'sent',
          at: '2026-03-01T12:00:00.000Z',
          attempt: 1,
          url: r.url('/default'),
          statusCode: 200,
          response: '{"ticket":"T-1"}',
          succeeded: true,
        },
        {
          stage: 'delivery',
          at: '2026-03-01T12:00:00.500Z',
          attempt: 1,
          url: r.url('/default'),
          statusCode: 202,
          response: 'thanks',
          succeeded: true,
        },
      ]);
    });

    test('turned off, nothing is called', async () => {
      await t.api.patch('/account', { notifyOnDelivery: true, defaultWebhookUrl: r.url() });
      await t.api.patch('/account', { notifyOnDelivery: false });
      await t.api.post('/messages', { to: '+14155550123', text: 'Hi' });
      await t.host.drain();
      await t.advance(500);
      expect(r.received).toHaveLength(0);
    });
  });
});
