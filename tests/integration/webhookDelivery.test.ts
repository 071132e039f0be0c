import { startTestHost, type TestHost } from '../fixtures/testHost';
import { startReceiver, type Receiver } from '../fixtures/webhookReceiver';
import { checkDelivery, decideSenderId, SIMULATOR_SECRET } from '../fixtures/webhookScenarios';

/**
 * Delivery faults, driven by the fake clock: every retry happens because the test moved time past
 * its due moment, never because the test slept. (The timeout test waits for the real socket
 * timeout, set to 300 ms there; the retry after it is again clock-driven.)
 */
describe('webhook delivery', () => {
  let t: TestHost;
  let r: Receiver;
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_SECRET });
    r = await startReceiver();
  });
  afterEach(async () => {
    await r.close();
    await t.close();
  });

  const subscribe = async (slug = 'sender-id-approved', body: Record<string, unknown> = {}) => {
    const res = await t.api.post(`/hooks/${slug}`, { callbackUrl: r.url(), ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string };
  };
  const deliveries = async (id: string) =>
    (await t.api.get(`/hooks/${id}/deliveries?limit=500`)).body.items as {
      eventId: string;
      webhookId: string;
      attempt: number;
      statusCode: number | null;
      outcome: string;
      error: string | null;
      nextAttemptAt: string | null;
      latencyMs: number;
      responseExcerpt: string | null;
    }[];
  const okBy = (w: { headers: Record<string, string> }[]) => w.map((x) => x.headers['webhook-id']);

  test('a receiver failing with 500 then recovering gets every event exactly once more, with the same webhook-id', async () => {
    const sub = await subscribe();
    r.always({ status: 500, body: 'database down' });
    for (const v of ['Acme', 'Beta', 'Gamma']) await decideSenderId(t, v, 'approve');
    await t.host.drain();
    expect(r.received).toHaveLength(3);
    const firstIds = okBy(r.received);

    // Second attempt after 5 s (±20 % jitter) fails too.
    await t.advance(3_999);
    expect(r.received).toHaveLength(3);
    await t.advance(2_001);
    expect(r.received).toHaveLength(6);
    expect(okBy(r.received.slice(3)).sort()).toEqual([...firstIds].sort());

    const failing = await t.api.get(`/hooks/${sub.id}`);
    expect(failing.body.health).toMatchObject({ state: 'failing', consecutiveFailures: 6, lastStatusCode: 500, lastError: 'HTTP 500' });

    // Recovered: the third attempt (5 min ±20 %) succeeds for each event, and nothing comes after.
    r.always({ status: 204 });
    r.clear();
    await t.advance(6 * 60_000);
    expect(r.received).toHaveLength(3);
    expect(okBy(r.received).sort()).toEqual([...firstIds].sort());
    for (const w of r.received) checkDelivery(sub.secret, w, t.clock.now());
    await t.advance(3 * 86_400_000);
    expect(r.received).toHaveLength(3);

    const attempts = await deliveries(sub.id);
    expect(attempts).toHaveLength(9);
    expect(attempts.filter((a) => a.outcome === 'succeeded').map((a) => a.attempt)).toEqual([3, 3, 3]);
    expect(attempts.filter((a) => a.outcome === 'retrying')).toHaveLength(6);
    const failed = attempts.find((a) => a.outcome === 'retrying')!;
    expect(failed).toMatchObject({ statusCode: 500, error: 'HTTP 500', responseExcerpt: 'database down' });
    expect(failed.nextAttemptAt).not.toBeNull();
    expect((await t.api.get(`/hooks/${sub.id}`)).body.health).toMatchObject({
      state: 'healthy',
      consecutiveFailures: 0,
      failingSince: null,
      lastStatusCode: 204,
    });
  });

  test('the schedule: immediate, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (±20 %), then the delivery fails for good', async () => {
    const sub = await subscribe();
    r.always({ status: 503 });
    await decideSenderId(t, 'Acme', 'approve');
    await t.host.drain();
    const nominal = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
    for (const [i, delay] of nominal.entries()) {
      await t.advance(delay * 0.8 - 1);
      expect(r.received).toHaveLength(i + 1);
      await t.advance(delay * 0.4 + 2);
      expect(r.received).toHaveLength(i + 2);
    }
    await t.advance(7 * 86_400_000);
    expect(r.received).toHaveLength(8);
    const attempts = await deliveries(sub.id);
    expect(attempts.map((a) => a.attempt)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect(attempts[0]).toMatchObject({ outcome: 'failed', nextAttemptAt: null });
    expect(new Set(attempts.map((a) => a.webhookId)).size).toBe(1);
  });

  test('Retry-After pushes the next attempt later (within bounds)', async () => {
    await subscribe();
    r.reply({ status: 429, headers: { 'retry-after': '120' } });
    await decideSenderId(t, 'Acme', 'approve');
    await t.host.drain();
    await t.advance(60_000); // the schedule alone would have retried after 5 s
    expect(r.received).toHaveLength(1);
    await t.advance(60_001);
    expect(r.received).toHaveLength(2);
  });

  test('redirects are not followed: a 302 is a failed attempt', async () => {
    const sub = await subscribe();
    r.reply({ status: 302, headers: { location: 'http://169.254.169.254/' } });
    await decideSenderId(t, 'Acme', 'approve');
    await t.host.drain();
    expect(r.received).toHaveLength(1);
    const [a] = await deliveries(sub.id);
    expect(a).toMatchObject({ statusCode: 302, outcome: 'retrying', error: 'HTTP 302 (redirects are not followed)' });
  });

  test('410 Gone removes the subscription: no further deliveries', async () => {
    const sub = await subscribe();
    r.reply({ status: 410 });
    await decideSenderId(t, 'Acme', 'approve');
    await t.host.drain();
    expect(r.received).toHaveLength(1);
    expect((await t.api.get(`/hooks/${sub.id}`)).status).toBe(404);
    expect((await t.api.get('/hooks')).body.items).toEqual([]);
    await decideSenderId(t, 'Beta', 'approve');
    await t.advance(86_400_000);
    expect(r.received).toHaveLength(1);
    // Power Automate may still DELETE it: that succeeds.
    expect((await t.api.delete(`/hooks/${sub.id}`)).status).toBe(204);
  });

  test('an endpoint failing for 5 days is disabled, shows so, and gets nothing until it is re-enabled', async () => {
    const sub = await subscribe();
    r.always({ status: 500 });
    await decideSenderId(t, 'Acme', 'approve');
    await t.host.drain();
    // Day after day another event fails; the subscription stays active while under 5 days.
    for (let day = 1; day <= 4; day++) {
      await t.advance(86_400_000);
      await decideSenderId(t, `Day${day}`, 'approve');
      await t.host.drain();
    }
    expect((await t.api.get(`/hooks/${sub.id}`)).body.status).toBe('active');
    await t.advance(86_400_000);
    await decideSenderId(t, 'Day5', 'approve');
    await t.host.drain();
    const disabled = await t.api.get(`/hooks/${sub.id}`);
    expect(disabled.body).toMatchObject({ status: 'disabled', health: { state: 'disabled', failingSince: '2026-03-01T12:00:00.000Z' } });
    expect(disabled.body.disabledReason).toContain('2026-03-01T12:00:00.000Z');
    expect((await deliveries(sub.id))[0]).toMatchObject({ outcome: 'disabled', nextAttemptAt: null });

    const before = r.received.length;
    await decideSenderId(t, 'Day6', 'approve');
    await t.advance(86_400_000);
    expect(r.received).toHaveLength(before);

    // Subscribing again (as Power Automate does when the flow is saved) re-enables it.
    r.always({ status: 200 });
    const again = await t.api.post('/hooks/sender-id-approved', { callbackUrl: r.url() });
    expect(again.body).toMatchObject({ id: sub.id, status: 'active' });
    await decideSenderId(t, 'Day7', 'approve');
    await t.host.drain();
    expect(r.received).toHaveLength(before + 1);
  });

  test('replaying a disabled subscription re-enables it and sends what was cut short', async () => {
    const sub = await subscribe();
    r.always({ status: 500 });
    await decideSenderId(t, 'Acme', 'approve');
    await t.host.drain();
    for (let day = 1; day <= 5; day++) {
      await t.advance(86_400_000);
      await decideSenderId(t, `Day${day}`, 'approve');
      await t.host.drain();
    }
    expect((await t.api.get(`/hooks/${sub.id}`)).body.status).toBe('disabled');
    r.always({ status: 200 });
    r.clear();
    const replay = await t.api.post(`/hooks/${sub.id}/replay`, { since: '2026-03-01T00:00:00Z' });
    // Day 4's retry on day 5 disabled the endpoint; Day 5's event came after and was never attempted.
    // The other five had a retry due that the disabling dropped, or were failing when it happened.
    expect(replay.body.eventIds).toHaveLength(5);
    expect((await t.api.get(`/hooks/${sub.id}`)).body).toMatchObject({ status: 'active', disabledReason: null });
    await t.host.drain();
    expect(new Set(okBy(r.received))).toEqual(new Set(replay.body.eventIds));
  });

  test('replay re-sends the deliveries that failed since a time; redeliver re-sends one event', async () => {
    const sub = await subscribe();
    r.always({ status: 500 });
    await decideSenderId(t, 'Acme', 'approve');
    await decideSenderId(t, 'Beta', 'approve');
    await t.host.drain();
    for (let hour = 0; hour < 48; hour++) await t.advance(3_600_000); // every attempt of both deliveries fails
    expect(r.received).toHaveLength(16);
    r.always({ status: 200 });
    r.clear();
    const replay = await t.api.post(`/hooks/${sub.id}/replay`, { since: '2026-03-01T00:00:00Z' });
    expect(replay.status).toBe(202);
    expect(replay.body.eventIds).toHaveLength(2);
    await t.host.drain();
    expect(okBy(r.received).sort()).toEqual([...replay.body.eventIds].sort());
    for (const w of r.received) checkDelivery(sub.secret, w, t.clock.now());
    // Nothing failed since: a second replay sends nothing.
    expect((await t.api.post(`/hooks/${sub.id}/replay`, { since: '2026-03-01T00:00:00Z' })).body.eventIds).toEqual([]);

    r.clear();
    const eventId = replay.body.eventIds[0] as string;
    const redeliver = await t.api.post(`/events/${eventId}/redeliver`);
    expect(redeliver).toMatchObject({ status: 202, body: { eventId, subscriptionIds: [sub.id] } });
    await t.host.drain();
    expect(okBy(r.received)).toEqual([eventId]);
    const events = await t.api.get('/events?type=sender_id.approved');
    expect(events.body.items.map((e: { id: string }) => e.id)).toContain(eventId);
  });

  test('a slow receiver times out and is retried', async () => {
    await t.close();
    t = await startTestHost({ SIMULATOR_SECRET, WEBHOOK_TIMEOUT_MS: '300' });
    const sub = await subscribe();
    r.reply({ status: 200, hang: true });
    await decideSenderId(t, 'Acme', 'approve');
    await t.host.drain();
    const [first] = await deliveries(sub.id);
    expect(first).toMatchObject({ attempt: 1, statusCode: null, outcome: 'retrying' });
    expect(first!.error).toMatch(/timed out after 300 ms/);
    expect(first!.latencyMs).toBeGreaterThanOrEqual(290);
    await t.advance(6_000);
    expect(r.received).toHaveLength(2);
    expect(r.received[1]!.headers['webhook-id']).toBe(r.received[0]!.headers['webhook-id']);
    expect((await deliveries(sub.id))[0]).toMatchObject({ attempt: 2, statusCode: 200, outcome: 'succeeded' });
  });

  test('an unreachable endpoint is a failed attempt with the network error', async () => {
    const sub = await subscribe();
    await r.close();
    await decideSenderId(t, 'Acme', 'approve');
    await t.host.drain();
    const [a] = await deliveries(sub.id);
    expect(a).toMatchObject({ statusCode: null, outcome: 'retrying' });
    expect(a!.error).toMatch(/ECONNREFUSED/);
    r = await startReceiver(); // for afterEach
  });
});
