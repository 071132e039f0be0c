/**
 * Validity: a message not handed to its carrier within `validityPeriod` seconds of acceptance fails
 * with reason 1414 Expired, is refunded and fires SMS Status Changed (fake clock).
 */
import { startTestHost, type TestHost } from '../fixtures/testHost';

describe('validity period', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_DLR_DELAY_MS: '0' });
  });
  afterEach(() => t.close());

  const runFor = (ms: number) => t.runFor(ms);

  test('a message waiting past its validity (a slow sender) fails 1414 Expired when it runs out, is refunded and fires SMS Status Changed', async () => {
    const other = await t.newAccount({ senderId: 'Slow', credits: '1.00' });
    await t.admin.raw('PUT', '/operator/senders/Slow/limits', { messagesPerSecond: 0.05 }); // one every ~20 s
    const first = await other.api.post('/messages', { to: '+14155551001', text: 'first', validityPeriod: 30 });
    const second = await other.api.post('/messages', { to: '+14155551002', text: 'second', validityPeriod: 30 });
    const third = await other.api.post('/messages', { to: '+14155551003', text: 'third', validityPeriod: 30 });
    expect(third.status).toBe(202);
    expect(third.body.validUntil).toBe(new Date(t.clock.now() + 30_000).toISOString());
    const charged = (await other.api.get('/balance')).body.credits;
    await t.host.drain();
    await runFor(30_000);
    // The third's slot (~41 s) is past its validity: it is failed once the 30 s are over, not later.
    expect((await other.api.get(`/messages/${third.body.id}`)).body.status).toBe('queued');
    await runFor(1);
    const expired = (await other.api.get(`/messages/${third.body.id}`)).body;
    expect(expired).toMatchObject({ status: 'failed', statusReason: { code: 1414, message: 'Expired' }, attempts: 0, sentAt: null });
    expect((await other.api.get(`/messages/${first.body.id}`)).body.status).toBe('delivered');
    expect((await other.api.get(`/messages/${second.body.id}`)).body.status).toBe('delivered');
    // Refunded: the balance is what it was with only the two others charged.
    const after = (await other.api.get('/balance')).body.credits;
    expect(Number(after) - Number(charged)).toBeCloseTo(Number(third.body.cost.amount), 4);
    const events = await t.host.runtime.deps.store.outbox.listForAccount(other.id, { type: 'sms.status_changed' }, 100);
    expect(events.map((e) => e.data).filter((d) => (d as { messageId: string }).messageId === third.body.id)).toEqual([
      expect.objectContaining({ status: 'failed', previousStatus: 'queued' }),
    ]);
  });

  test('the account default applies to sends without one; out-of-range values are 400 naming the field', async () => {
    expect((await t.api.patch('/account', { validityPeriod: 120 })).body.validityPeriod).toBe(120);
    const sent = await t.api.post('/messages', { to: '+14155551004', text: 'default validity' });
    expect(sent.body.validUntil).toBe(new Date(t.clock.now() + 120_000).toISOString());
    const own = await t.api.post('/messages', { to: '+14155551005', text: 'own validity', validityPeriod: 5 });
    expect(own.body.validUntil).toBe(new Date(t.clock.now() + 5_000).toISOString());
    expect((await t.api.patch('/account', { validityPeriod: null })).body.validityPeriod).toBeNull();
    expect((await t.api.post('/messages', { to: '+14155551006', text: 'none' })).body.validUntil).toBeNull();
    for (const [path, body] of [
      ['/messages', { to: '+14155551007', text: 'x', validityPeriod: 0 }],
      ['/messages', { to: '+14155551007', text: 'x', validityPeriod: 36_001 }],
      ['/messages', { to: '+14155551007', text: 'x', validityPeriod: 'soon' }],
    ] as const) {
      const res = await t.api.post(path, body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('/validityPeriod');
    }
    const bad = await t.api.patch('/account', { validityPeriod: 36_001 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain('/validityPeriod');
  });
});
