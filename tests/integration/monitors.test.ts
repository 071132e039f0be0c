import { periodicJobs } from '../../shared/config/periodicJobs';
import { compileBody } from '../../shared/http/validation';
import { eventDefinitionOf } from '../../shared/webhooks/catalog';
import { startTestHost, type TestHost } from '../fixtures/testHost';

/** The account's events of one type as stored in the outbox, each checked against its trigger's schema. */
async function eventsOf(t: TestHost, type: string): Promise<any[]> {
  const events = await t.host.runtime.deps.store.outbox.listForAccount(t.host.seed.accountId, { type }, 100);
  const validate = compileBody(eventDefinitionOf(type)!.dataSchema);
  for (const e of events) expect({ type, errors: validate(e.data) }).toEqual({ type, errors: null });
  return events.map((e) => e.data);
}

const monitorJob = periodicJobs.find((j) => j.name === 'evaluate-monitors')!;
/** One round of the monitor job, as its timer runs it; resolves to the events it fired. */
const evaluate = (t: TestHost) => monitorJob.run(t.host.runtime);

/** The simulator's outcomes by the last four digits of the number. */
const DELIVERED = (i: number) => `+1415555${String(6_000 + i)}`;
const HARD_BOUNCE = '+14155551400';
const SOFT_BOUNCE = '+14155551404';
const UNKNOWN = '+14155551409'; // undelivered, but not a bounce
const REJECTED = '+14155550400'; // failed

let counter = 0;
async function send(t: TestHost, ...numbers: string[]): Promise<void> {
  for (const to of numbers) {
    const res = await t.api.post('/messages', { to, text: `Monitor test ${(counter += 1)}` });
    expect(res.status).toBe(202);
  }
}

/** Sends, then lets the simulator report: every message ends final. */
async function sendAndReport(t: TestHost, ...numbers: string[]): Promise<void> {
  await send(t, ...numbers);
  await t.host.drain();
  await t.advance(1_000);
}

const nowIso = (t: TestHost) => new Date(t.clock.now()).toISOString();

describe('delivery-rate and bounce-rate monitors', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost();
  });
  afterEach(() => t.close());

  test('both fire once per crossing with the measured window, and again only after recovering', async () => {
    expect((await t.api.patch('/account', { monitors: { minSample: 10 } })).status).toBe(200);

    // A campaign of two (one bounces) ...
    const group = (await t.api.post('/groups', { name: 'Spring list' })).body.id as string;
    for (const phone of [HARD_BOUNCE, DELIVERED(0)]) expect((await t.api.post('/contacts', { phone, groupIds: [group] })).status).toBe(201);
    const campaign = (await t.api.post('/campaigns', { name: 'Spring', kind: 'bulk', text: 'Spring offer', groupIds: [group] })).body
      .id as string;
    expect((await t.api.post(`/campaigns/${campaign}/start`)).status).toBe(200);
    // ... and single messages: 5 delivered in all, 4 undelivered (3 of them bounces), 1 failed.
    await send(t, HARD_BOUNCE, SOFT_BOUNCE, UNKNOWN, REJECTED, DELIVERED(1), DELIVERED(2), DELIVERED(3), DELIVERED(4));
    // A cancelled message reached no carrier: it is not part of the rates.
    const later = await t.api.post('/messages', {
      to: DELIVERED(5),
      text: 'Later',
      sendAt: new Date(t.clock.now() + 3_600_000).toISOString(),
    });
    expect((await t.api.post(`/messages/${later.body.id}/cancel`)).status).toBe(200);
    await t.host.drain();

    expect(await evaluate(t)).toBe(0); // no delivery reports yet: nothing final to measure
    await t.advance(1_000);
    expect(await evaluate(t)).toBe(2);

    const windowEnd = nowIso(t);
    const windowStart = new Date(t.clock.now() - 60 * 60_000).toISOString();
    expect(await eventsOf(t, 'delivery_rate.low')).toEqual([
      {
        currentRate: 0.5,
        threshold: 0.9,
        windowStart,
        windowEnd,
        sampleSize: 10,
        affectedCampaigns: [{ campaignId: campaign, name: 'Spring', deliveryRate: 0.5 }],
      },
    ]);
    const [bounce] = await eventsOf(t, 'bounce_rate.high');
    expect(bounce).toEqual({
      bounceRate: 0.3,
      threshold: 0.05,
      windowStart,
      windowEnd,
      affectedNumbers: expect.any(Array),
      bounceReasons: [
        { code: 1400, message: 'Hard Bounce', count: 2 },
        { code: 1404, message: 'Soft Bounce', count: 1 },
      ],
    });
    expect([...bounce.affectedNumbers].sort()).toEqual([HARD_BOUNCE, SOFT_BOUNCE]); // each number once
    expect((await t.api.get('/me')).body.monitorAlerts).toEqual({ deliveryRateLowSince: windowEnd, bounceRateHighSince: windowEnd });

    // Still breached: silent, however often the job runs.
    await sendAndReport(t, HARD_BOUNCE);
    expect(await evaluate(t)).toBe(0);
    expect(await evaluate(t)).toBe(0);

    // 45 delivered of 51: 0.88, still low; 39 more delivered make 84 of 90 (0.93): the delivery
    // monitor re-arms while 4 bounces of 90 (0.044) re-arm the bounce monitor too.
    await sendAndReport(t, ...Array.from({ length: 40 }, (_, i) => DELIVERED(10 + i)));
    expect(await evaluate(t)).toBe(0);
    expect((await t.api.get('/me')).body.monitorAlerts).toEqual({ deliveryRateLowSince: windowEnd, bounceRateHighSince: windowEnd });
    await sendAndReport(t, ...Array.from({ length: 39 }, (_, i) => DELIVERED(100 + i)));
    expect(await evaluate(t)).toBe(0);
    expect((await t.api.get('/me')).body.monitorAlerts).toEqual({ deliveryRateLowSince: null, bounceRateHighSince: null });

    // Crossing again fires again: 84 delivered of 100 (0.84); 5 bounces of 100 (0.05) stay at the limit.
    await sendAndReport(t, REJECTED, REJECTED, REJECTED, REJECTED, REJECTED, REJECTED, REJECTED, REJECTED, REJECTED, HARD_BOUNCE);
    expect(await evaluate(t)).toBe(1);
    const lows = await eventsOf(t, 'delivery_rate.low');
    expect(lows).toHaveLength(2);
    expect(lows[1]).toMatchObject({ currentRate: 0.84, sampleSize: 100, windowEnd: nowIso(t) });
    expect(await eventsOf(t, 'bounce_rate.high')).toHaveLength(1);
  });

  test('nothing fires below minSample (default 50), and a window without messages decides nothing', async () => {
    const me = (await t.api.get('/me')).body;
    expect(me.monitors).toEqual({ deliveryRateThreshold: 0.9, bounceRateThreshold: 0.05, windowMinutes: 60, minSample: 50 });
    expect(me.monitorAlerts).toEqual({ deliveryRateLowSince: null, bounceRateHighSince: null });

    await sendAndReport(t, ...Array.from({ length: 49 }, () => REJECTED));
    expect(await evaluate(t)).toBe(0);
    await sendAndReport(t, REJECTED);
    expect(await evaluate(t)).toBe(1);
    expect(await eventsOf(t, 'delivery_rate.low')).toEqual([
      expect.objectContaining({ currentRate: 0, sampleSize: 50, affectedCampaigns: [] }),
    ]);
    expect(await eventsOf(t, 'bounce_rate.high')).toEqual([]); // failed is not a bounce

    // An hour later the window is empty: too few messages to call it a recovery, so still raised.
    await t.advance(61 * 60_000);
    expect(await evaluate(t)).toBe(0);
    expect((await t.api.get('/me')).body.monitorAlerts.deliveryRateLowSince).not.toBeNull();
    // A shorter window sees only what is recent.
    expect((await t.api.patch('/account', { monitors: { windowMinutes: 15, minSample: 3 } })).status).toBe(200);
    await sendAndReport(t, DELIVERED(1), DELIVERED(2), DELIVERED(3));
    expect(await evaluate(t)).toBe(0);
    expect((await t.api.get('/me')).body.monitorAlerts.deliveryRateLowSince).toBeNull();
  });

  test('two instances running the job at once fire once', async () => {
    await t.api.patch('/account', { monitors: { minSample: 2 } });
    await sendAndReport(t, HARD_BOUNCE, SOFT_BOUNCE);
    const fired = await Promise.all([evaluate(t), evaluate(t), evaluate(t)]);
    expect(fired.reduce((a, b) => a + b, 0)).toBe(2);
    expect(await eventsOf(t, 'delivery_rate.low')).toHaveLength(1);
    expect(await eventsOf(t, 'bounce_rate.high')).toHaveLength(1);
  });

  test('each account is measured on its own messages and settings', async () => {
    const other = await t.newAccount();
    await other.api.patch('/account', { monitors: { minSample: 1 } });
    await t.api.patch('/account', { monitors: { minSample: 1 } });
    await send(t, DELIVERED(1));
    const res = await other.api.post('/messages', { to: HARD_BOUNCE, text: 'Hi', from: 'Other' });
    expect(res.status).toBe(202);
    await t.host.drain();
    await t.advance(1_000);
    expect(await evaluate(t)).toBe(2);
    expect(await eventsOf(t, 'delivery_rate.low')).toEqual([]);
    const events = await t.host.runtime.deps.store.outbox.listForAccount(other.id, {}, 100);
    expect(
      events
        .filter((e) => e.type === 'delivery_rate.low' || e.type === 'bounce_rate.high')
        .map((e) => e.type)
        .sort(),
    ).toEqual(['bounce_rate.high', 'delivery_rate.low']);
  });

  test('settings through PATCH /account: any of them, validated, errors naming the field', async () => {
    const patched = await t.api.patch('/account', { monitors: { windowMinutes: 15 } });
    expect(patched.status).toBe(200);
    expect(patched.body.monitors).toEqual({ deliveryRateThreshold: 0.9, bounceRateThreshold: 0.05, windowMinutes: 15, minSample: 50 });
    const again = await t.api.patch('/account', { monitors: { deliveryRateThreshold: 0.75, minSample: 20 } });
    expect(again.body.monitors).toEqual({ deliveryRateThreshold: 0.75, bounceRateThreshold: 0.05, windowMinutes: 15, minSample: 20 });
    expect((await t.api.get('/me')).body.monitors).toEqual(again.body.monitors);

    const cases: [Record<string, unknown>, string][] = [
      [{ deliveryRateThreshold: 1.5 }, '/monitors/deliveryRateThreshold'],
      [{ bounceRateThreshold: -0.1 }, '/monitors/bounceRateThreshold'],
      [{ windowMinutes: 10 }, '/monitors/windowMinutes'],
      [{ windowMinutes: 1441 }, '/monitors/windowMinutes'],
      [{ minSample: 0 }, '/monitors/minSample'],
      [{ minSample: 2.5 }, '/monitors/minSample'],
      [{ threshold: 0.5 }, '/monitors/threshold'],
    ];
    for (const [monitors, path] of cases) {
      const bad = await t.api.patch('/account', { monitors });
      expect({ monitors, status: bad.status, type: bad.headers.get('content-type') }).toEqual({
        monitors,
        status: 400,
        type: expect.stringContaining('application/problem+json'),
      });
      expect({ monitors, paths: bad.body.errors.map((e: { path: string }) => e.path) }).toEqual({ monitors, paths: [path] });
    }
    expect((await t.api.get('/me')).body.monitors).toEqual(again.body.monitors);
  });
});
