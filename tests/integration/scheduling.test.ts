import { startTestHost, type TestHost } from '../fixtures/testHost';

describe('scheduled messages', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_DLR_DELAY_MS: '0' });
  });
  afterEach(() => t.close());

  const at = (ms: number) => new Date(t.clock.now() + ms).toISOString();
  const events = async (type: string) => await t.host.runtime.deps.store.outbox.listForAccount(t.host.seed.accountId, { type }, 100);

  test('a scheduled message waits for its time, then is sent', async () => {
    const res = await t.api.post('/messages', { to: '+14155550123', text: 'Later', sendAt: at(3_600_000) });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'scheduled', scheduledFor: '2026-03-01T13:00:00.000Z' });
    const scheduled = await events('message.scheduled');
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]!.data).toMatchObject({
      messageId: res.body.id,
      scheduledFor: '2026-03-01T13:00:00.000Z',
      recipient: '+14155550123',
      text: 'Later',
    });

    await t.advance(3_599_000);
    expect((await t.api.get(`/messages/${res.body.id}`)).body.status).toBe('scheduled');
    await t.advance(1_000);
    await t.host.drain();
    expect((await t.api.get(`/messages/${res.body.id}`)).body.status).toBe('delivered');
  });

  test('cancelling a scheduled message refunds it, drops its task and emits events', async () => {
    const res = await t.api.post('/messages', { to: '+14155550123', text: 'Later', sendAt: at(120_000) });
    expect((await t.api.get('/balance')).body.credits).toBe('99.9921');
    const cancel = await t.api.post(`/messages/${res.body.id}/cancel`, { reason: 'Customer rebooked' });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ status: 'cancelled', statusReason: { code: 1420, message: 'Cancelled by user' } });
    expect((await t.api.get('/balance')).body.credits).toBe('100.00');
    const cancelled = await events('message.cancelled');
    expect(cancelled[0]!.data).toMatchObject({
      messageId: res.body.id,
      reason: 'Customer rebooked',
      originalSchedule: '2026-03-01T12:02:00.000Z',
    });

    await t.advance(600_000);
    expect((await t.api.get(`/messages/${res.body.id}`)).body.status).toBe('cancelled');
    expect(await t.host.runtime.simulatorLog.get(res.body.id)).toBeNull();
    // Cancelling twice is a conflict, not a second refund.
    expect((await t.api.post(`/messages/${res.body.id}/cancel`)).status).toBe(409);
    expect((await t.api.get('/balance')).body.credits).toBe('100.00');
  });

  test('only scheduled messages can be cancelled', async () => {
    const res = await t.api.post('/messages', { to: '+14155550123', text: 'Now' });
    const cancel = await t.api.post(`/messages/${res.body.id}/cancel`);
    expect(cancel.status).toBe(409);
    expect(cancel.body.code).toBe('not_cancellable');
  });

  test.each([
    ['in the past', -1_000, 'must be at least 60 seconds in the future'],
    ['under a minute ahead', 59_000, 'must be at least 60 seconds in the future'],
    ['more than 35 days ahead', 35 * 86_400_000 + 1_000, 'must be at most 35 days ahead'],
  ])('sendAt %s is refused naming the field', async (_label, offset, message) => {
    const res = await t.api.post('/messages', { to: '+14155550123', text: 'x', sendAt: at(offset) });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors).toEqual([{ path: '/sendAt', message }]);
    expect((await t.api.get('/balance')).body.credits).toBe('100.00');
  });
});
