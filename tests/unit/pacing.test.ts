import { Pacer } from '../../shared/app/pacing';
import { ACS_PACING, kannelPacing, TWILIO_PACING } from '../../shared/adapters/carriers/publishedRates';
import { retryAfter } from '../../shared/adapters/carriers/retryAfter';
import { AIMD, applyThrottle, currentFactor, newPaceState, reserveSlots, senderKind, slotIntervalMs } from '../../shared/domain/pacing';
import { openSqliteStore, type OpenedStore } from '../fixtures/bothStores';
import { FakeClock } from '../fixtures/fakeClock';

describe('pacing: the pure rules', () => {
  test('kinds of sender pick the published defaults (ACS per minute, Twilio in segments)', () => {
    expect(['ACME', '12345', '+18005550100', '+14155550100', '+447700900123'].map(senderKind)).toEqual([
      'alphanumeric',
      'shortCode',
      'tollFree',
      'longCode',
      'longCode',
    ]);
    expect(ACS_PACING.defaultRate('+18885550100')).toBeCloseTo(200 / 60, 10);
    expect(ACS_PACING.defaultRate('ACME')).toBe(10);
    expect(ACS_PACING.defaultRate('54321')).toBe(100);
    expect([
      TWILIO_PACING.defaultRate('+14155550100'),
      TWILIO_PACING.defaultRate('54321'),
      TWILIO_PACING.countsSegments,
      ACS_PACING.countsSegments,
    ]).toEqual([1, 100, true, false]);
    expect(kannelPacing(null).defaultRate('ACME')).toBeNull();
    expect(kannelPacing(12.5).defaultRate('ACME')).toBe(12.5);
  });

  test('slots follow each other at the limit less the 2 % margin, from the first free time', () => {
    const state = { ...newPaceState('k', 1_000), nextSlotAt: 5_000 };
    const r = reserveSlots(state, 1_000, 50, 10);
    expect(r.start).toBe(5_000);
    expect(r.intervalMs).toBeCloseTo(20.4, 10);
    expect(r.state.nextSlotAt).toBeCloseTo(5_204, 6);
    // An idle timeline starts now, not in the past.
    expect(reserveSlots({ ...state, nextSlotAt: 0 }, 9_000, 0.05, 1).start).toBe(9_000);
    expect(slotIntervalMs(0.05)).toBeCloseTo(20_400, 6);
  });

  test('AIMD: a throttling halves the rate (floor 5 %), waits for Retry-After, then a tenth comes back every 10 s', () => {
    const t0 = 100_000;
    let s = applyThrottle(newPaceState('k', 0), t0, 30_000);
    expect(s).toMatchObject({
      factor: 0.5,
      throttledUntil: t0 + 30_000,
      nextSlotAt: t0 + 30_000,
      lastThrottledAt: new Date(t0).toISOString(),
    });
    expect(reserveSlots(s, t0 + 1_000, 10, 1).start).toBe(t0 + 30_000);
    expect(currentFactor(s, t0 + 30_000 + 9_999)).toBe(0.5);
    expect(currentFactor(s, t0 + 30_000 + 10_000)).toBeCloseTo(0.6, 10);
    expect(currentFactor(s, t0 + 30_000 + 60_000)).toBe(1);
    for (let i = 0; i < 10; i++) s = applyThrottle(s, t0, undefined);
    expect(s.factor).toBe(AIMD.minFactor);
    expect(s.throttledUntil).toBe(t0 + AIMD.defaultRetryAfterMs);
  });

  test('Retry-After as seconds or an HTTP date', () => {
    expect(retryAfter('30')).toEqual({ retryAfterMs: 30_000 });
    expect(retryAfter('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('2026-10-21T07:28:00Z'))).toEqual({ retryAfterMs: 10_000 });
    expect(retryAfter(undefined)).toEqual({});
    expect(retryAfter('soon')).toEqual({});
  });
});

describe('Pacer', () => {
  let opened: OpenedStore;
  let clock: FakeClock;
  let pacer: Pacer;
  const simulator = { name: 'simulator' };
  beforeEach(async () => {
    opened = await openSqliteStore();
    clock = new FakeClock(1_000_000);
    pacer = new Pacer(opened.store, clock);
  });
  afterEach(() => opened.close());

  test('hands out one slot per message from blocks reserved with one write each', async () => {
    await opened.store.pacing.putLimit({ scope: 'sender', key: 'A', messagesPerSecond: 10, updatedAt: 'x' });
    const save = jest.spyOn(opened.store.pacing, 'savePace');
    const slots = [];
    for (let i = 0; i < 6; i++) slots.push(await pacer.slotFor(simulator, 'A', 1));
    expect(slots.map((s) => Math.round(s! - 1_000_000))).toEqual([0, 102, 204, 306, 408, 510]);
    // 10/s: blocks of 2 slots (200 ms worth), so 3 writes for 6 slots.
    expect(save).toHaveBeenCalledTimes(3);
    expect(await pacer.slotFor(simulator, 'B', 1)).toBeNull(); // no limit anywhere
  });

  test('segments count where the carrier counts them', async () => {
    const twilio = { name: 'twilio', pacing: TWILIO_PACING };
    const first = await pacer.slotFor(twilio, '+14155550100', 3);
    const second = await pacer.slotFor(twilio, '+14155550100', 1);
    expect(second! - first!).toBeCloseTo(3 * slotIntervalMs(1), 6);
  });

  test('the gate admits at most the limit per second of what this instance submits, and says when the next may go', () => {
    const limit = { messagesPerSecond: 3, source: 'sender' as const, countsSegments: false };
    const at = 5_000;
    expect([0, 10, 20].map((d) => pacer.admit('simulator', 'A', limit, 1, at + d))).toEqual([null, null, null]);
    expect(pacer.admit('simulator', 'A', limit, 1, at + 30)).toBe(at + 1_000);
    expect(pacer.admit('simulator', 'B', limit, 1, at + 30)).toBeNull(); // another sender
    expect(pacer.admit('simulator', 'A', limit, 1, at + 1_000)).toBeNull();
  });
});
