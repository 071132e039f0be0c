/**
 * Send pacing on the embedded host with a fake clock: a sender over its limit waits for its next
 * slot (never refused or failed, no delivery attempt spent), operators set and read limits, and
 * accounts see their senders' limits.
 */
import type { Carrier } from '../../shared/ports/carrier';
import { maxPerSecond } from '../fixtures/submitWindows';
import { startTestHost, type TestHost } from '../fixtures/testHost';

describe('send pacing (embedded host)', () => {
  let t: TestHost;
  let submits: { at: number; from: string }[];
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_DLR_DELAY_MS: '0' });
    submits = [];
    const simulator = t.host.runtime.deps.carriers.get('simulator') as Carrier;
    const submit = simulator.submit.bind(simulator);
    jest.spyOn(simulator, 'submit').mockImplementation(async (req) => {
      submits.push({ at: t.clock.now(), from: req.from });
      return submit(req);
    });
  });
  afterEach(() => t.close());

  const put = (path: string, body: unknown) => t.admin.raw('PUT', path, body);
  const runFor = (ms: number) => t.runFor(ms);

  test('messages over a sender limit wait for their slots: at most the limit in any second, none refused or failed', async () => {
    const other = await t.newAccount({ senderId: 'PaceOne', credits: '50.00' });
    expect((await put('/operator/senders/PaceOne/limits', { messagesPerSecond: 4 })).status).toBe(200);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await other.api.post('/messages', { to: `+1415555${String(1000 + i)}`, text: `Paced ${i}` });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    await t.host.drain();
    // Only the first block's first slot goes at once; the rest wait queued.
    expect(submits.length).toBeLessThanOrEqual(4);
    await runFor(6_000);
    expect(submits).toHaveLength(20);
    expect(maxPerSecond(submits.map((s) => s.at))).toBeLessThanOrEqual(4);
    // 20 messages at 4/s take about 5 s (the margin for late timers costs 2 %).
    expect(Math.max(...submits.map((s) => s.at)) - Math.min(...submits.map((s) => s.at))).toBeLessThanOrEqual(5_000);
    for (const id of ids) {
      const m = (await other.api.get(`/messages/${id}`)).body;
      expect({ status: m.status, attempts: m.attempts }).toEqual({ status: 'delivered', attempts: 1 });
    }
  });

  test('waiting spends no delivery attempt: with QUEUE_MAX_ATTEMPTS 1 every paced message still goes, none dead-lettered', async () => {
    await t.close();
    t = await startTestHost({ SIMULATOR_DLR_DELAY_MS: '0', QUEUE_MAX_ATTEMPTS: '1' });
    const other = await t.newAccount({ senderId: 'Slow', credits: '50.00' });
    expect((await put('/operator/senders/Slow/limits', { messagesPerSecond: 0.05 })).status).toBe(200);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await other.api.post('/messages', { to: `+1415555${2000 + i}`, text: `Slow ${i}` })).body.id);
    await t.host.drain();
    // One every 20 s: the fourth waits a minute.
    await runFor(59_000);
    expect((await other.api.get(`/messages/${ids[3]}`)).body.status).toBe('queued');
    await runFor(3_000);
    for (const id of ids) expect((await other.api.get(`/messages/${id}`)).body).toMatchObject({ status: 'delivered', attempts: 1 });
    expect((await t.admin.get('/operator/queues/sms-send/dead-letters')).body.items).toEqual([]);
  });

  test('two senders are paced each on its own timeline', async () => {
    const a = await t.newAccount({ senderId: 'FastOne', credits: '50.00' });
    const b = await t.newAccount({ senderId: 'SlowOne', credits: '50.00' });
    await put('/operator/senders/FastOne/limits', { messagesPerSecond: 5 });
    await put('/operator/senders/SlowOne/limits', { messagesPerSecond: 2 });
    for (let i = 0; i < 10; i++) {
      await a.api.post('/messages', { to: `+1415555${3000 + i}`, text: 'a' });
      await b.api.post('/messages', { to: `+1415555${4000 + i}`, text: 'b' });
    }
    await runFor(6_000);
    const of = (from: string) => submits.filter((s) => s.from === from).map((s) => s.at);
    expect(of('FastOne')).toHaveLength(10);
    expect(maxPerSecond(of('FastOne'))).toBeLessThanOrEqual(5);
    expect(maxPerSecond(of('SlowOne'))).toBeLessThanOrEqual(2);
    expect(of('SlowOne').length).toBeGreaterThanOrEqual(10);
  });

  test('operators set, read and remove carrier and sender limits; bad values are 400 naming the field', async () => {
    const carrier = await put('/operator/carriers/simulator/limits', { messagesPerSecond: 0.5 });
    expect(carrier.status).toBe(200);
    expect(carrier.body).toMatchObject({
      carrier: 'simulator',
      messagesPerSecond: 0.5,
      countsSegments: false,
      publishedDefaults: { alphanumeric: null },
    });
    expect((await t.admin.get('/operator/carriers/simulator/limits')).body.messagesPerSecond).toBe(0.5);

    // A sender without its own limit takes the carrier's.
    let sender = (await t.admin.get('/operator/senders/Nobody/limits')).body;
    expect(sender).toMatchObject({ sender: 'Nobody', kind: 'alphanumeric', messagesPerSecond: null });
    expect(sender.carriers).toEqual([
      {
        carrier: 'simulator',
        messagesPerSecond: 0.5,
        source: 'carrier',
        countsSegments: false,
        currentRate: 0.5,
        lastThrottledAt: null,
        throttledUntil: null,
      },
    ]);
    sender = (await put('/operator/senders/Nobody/limits', { messagesPerSecond: 3 })).body;
    expect(sender.carriers[0]).toMatchObject({ messagesPerSecond: 3, source: 'sender' });
    // null removes each.
    expect((await put('/operator/senders/Nobody/limits', { messagesPerSecond: null })).body.carriers[0]).toMatchObject({
      messagesPerSecond: 0.5,
      source: 'carrier',
    });
    expect((await put('/operator/carriers/simulator/limits', { messagesPerSecond: null })).body.messagesPerSecond).toBeNull();
    expect((await t.admin.get('/operator/senders/Nobody/limits')).body.carriers[0]).toMatchObject({
      messagesPerSecond: null,
      source: 'none',
      currentRate: null,
    });

    for (const body of [{ messagesPerSecond: 0 }, { messagesPerSecond: -1 }, { messagesPerSecond: 'fast' }, {}]) {
      const res = await put('/operator/senders/Nobody/limits', body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('/messagesPerSecond');
    }
    expect((await put('/operator/carriers/nope/limits', { messagesPerSecond: 1 })).status).toBe(404);
    // Accounts cannot set limits.
    expect((await t.api.raw('PUT', '/operator/senders/Nobody/limits', { messagesPerSecond: 1 })).status).toBe(401);
  });

  test("accounts read their senders' limits with their sender IDs and virtual numbers", async () => {
    const other = await t.newAccount({ senderId: 'Visible', credits: '5.00' });
    await put('/operator/senders/Visible/limits', { messagesPerSecond: 7 });
    const list = (await other.api.get('/sender-ids')).body.items;
    expect(list).toEqual([
      expect.objectContaining({
        value: 'Visible',
        limit: {
          carrier: 'simulator',
          messagesPerSecond: 7,
          source: 'sender',
          countsSegments: false,
          currentRate: 7,
          lastThrottledAt: null,
          throttledUntil: null,
        },
      }),
    ]);
    const assigned = await t.admin.post('/operator/virtual-numbers', { accountId: other.id, number: '+14155550999' });
    expect(assigned.status).toBe(201);
    await put('/operator/senders/%2B14155550999/limits', { messagesPerSecond: 1 });
    const numbers = (await other.api.get('/virtual-numbers')).body.items;
    expect(numbers[0]).toMatchObject({ number: '+14155550999', limit: { messagesPerSecond: 1, source: 'sender' } });
  });
});
