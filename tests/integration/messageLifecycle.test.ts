import { startTestHost, type TestHost } from '../fixtures/testHost';

/** The whole life of a message on the embedded host, for every simulator outcome. */
describe('message lifecycle through the carrier simulator', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_DLR_DELAY_MS: '500' });
  });
  afterEach(() => t.close());

  const send = (to: string, extra: Record<string, unknown> = {}) => t.api.post('/messages', { to, text: 'Your code is 1234', ...extra });
  const get = async (id: string) => (await t.api.get(`/messages/${id}`)).body;
  const balance = async () => (await t.api.get('/balance')).body.credits as string;

  test('queued → sent → delivered, with cost, encoding and history', async () => {
    const res = await send('+14155550123');
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/api/messages/${res.body.id}`);
    expect(res.body).toMatchObject({
      status: 'queued',
      to: '+14155550123',
      from: 'DataFlows',
      encoding: 'GSM-7',
      segments: 1,
      characters: 17,
      nonEnglishChars: false,
    });
    expect(res.body.cost).toEqual({ amount: '0.0079', currency: 'USD', segments: 1, unitPrice: '0.0079' });
    expect(res.body.id).toMatch(/^msg_[0-9A-Z]{26}$/);
    expect(await balance()).toBe('99.9921');

    await t.host.drain();
    const sent = await get(res.body.id);
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, carrier: 'simulator', carrierMessageId: `sim-${res.body.id}` });
    expect(sent.sentAt).toBe('2026-03-01T12:00:00.000Z');

    await t.advance(499);
    expect((await get(res.body.id)).status).toBe('sent');
    await t.advance(1);
    const delivered = await get(res.body.id);
    expect(delivered.status).toBe('delivered');
    expect(delivered.deliveredAt).toBe('2026-03-01T12:00:00.500Z');
    expect(delivered.history.map((h: { status: string }) => h.status)).toEqual(['queued', 'sent', 'delivered']);
    expect(await balance()).toBe('99.9921');
  });

  test.each([
    ['1400', 1400, 'Hard Bounce'],
    ['1404', 1404, 'Soft Bounce'],
    ['1408', 1408, 'Carrier Violation'],
    ['1409', 1409, 'Unknown'],
  ])('a number ending %s ends undelivered with reason %i', async (suffix, code, message) => {
    const res = await send(`+1415555${suffix}`);
    await t.host.drain();
    await t.advance(500);
    const m = await get(res.body.id);
    expect(m.status).toBe('undelivered');
    expect(m.statusReason).toEqual({ code, message });
    expect(m.history.at(-1)).toMatchObject({ status: 'undelivered', reason: { code, message } });
    // Submitted to the carrier, so it stays charged.
    expect(await balance()).toBe('99.9921');
  });

  test('0400 is rejected at submission: failed with a reason and refunded', async () => {
    const res = await send('+14155550400');
    await t.host.drain();
    const m = await get(res.body.id);
    expect(m.status).toBe('failed');
    expect(m.statusReason).toEqual({ code: 1410, message: 'Rejected by carrier' });
    expect(await balance()).toBe('100.00');
  });

  test('0503 fails transiently twice, is retried with backoff, then delivered', async () => {
    const res = await send('+14155550503');
    await t.host.drain();
    let m = await get(res.body.id);
    expect(m).toMatchObject({ status: 'queued', attempts: 1, statusReason: { code: 1412 } });
    await t.advance(2_000); // first backoff is 1-2 s
    m = await get(res.body.id);
    expect(m).toMatchObject({ status: 'queued', attempts: 2 });
    await t.advance(4_000); // second backoff is 2-4 s
    m = await get(res.body.id);
    expect(m).toMatchObject({ status: 'sent', attempts: 3 });
    await t.advance(500);
    expect((await get(res.body.id)).status).toBe('delivered');
    const log = await t.host.runtime.simulatorLog.get(res.body.id);
    expect(log).toEqual({ attempts: 3, accepted: true, acceptedCount: 1 });
  });

  test('transient failures past the account retry limit fail the message and refund it', async () => {
    expect((await t.api.patch('/account', { retryPolicy: { maxAttempts: 2 } })).status).toBe(200);
    const res = await send('+14155550503');
    await t.host.drain();
    await t.advance(2_000);
    const m = await get(res.body.id);
    expect(m.status).toBe('failed');
    expect(m.statusReason.code).toBe(1411);
    expect(m.attempts).toBe(2);
    expect(await balance()).toBe('100.00');
  });

  test('late and repeated delivery reports never move a message backwards', async () => {
    const res = await send('+14155550123');
    await t.host.drain();
    await t.advance(500);
    expect((await get(res.body.id)).status).toBe('delivered');
    // A second report for the same message (the carrier retrying) is ignored.
    const sim = t.host.runtime.deps.carriers.get('simulator')!;
    const report = sim.parseStatusCallback({
      headers: {},
      url: '',
      rawBody: JSON.stringify({ reports: [{ id: `sim-${res.body.id}`, outcome: 'UNDELIV:1400', at: '2026-03-01T12:00:01.000Z' }] }),
    });
    const { applyStatusReports } = await import('../../shared/app/messageLifecycle');
    const out = await applyStatusReports(t.host.runtime.deps, 'simulator', report);
    expect(out).toEqual({ applied: [], ignored: [`sim-${res.body.id}`], unknown: [] });
    expect((await get(res.body.id)).status).toBe('delivered');
  });

  test('digits-only international and national numbers are normalised to E.164', async () => {
    expect((await send('919999999999')).body.to).toBe('+919999999999');
    expect((await send('(415) 555-0123')).body.to).toBe('+14155550123');
    expect((await send('00447911123456')).body.to).toBe('+447911123456');
  });

  test('Unicode text is sent as UCS-2 and priced per segment', async () => {
    const res = await t.api.post('/messages', { to: '919999999999', text: 'फोनन में आपका स्वागत है $flow.key.sms. Phonon' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ encoding: 'UCS-2', nonEnglishChars: true, segments: 1 });
    expect(res.body.cost).toEqual({ amount: '0.0075', currency: 'USD', segments: 1, unitPrice: '0.0075' });
  });
});
