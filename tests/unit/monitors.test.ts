import fc from 'fast-check';
import {
  bounceRateBreached,
  bounceRateOf,
  campaignRates,
  DEFAULT_MONITOR_SETTINGS,
  deliveryRateBreached,
  deliveryRateOf,
  estimateBounced,
  finalTotal,
  isBounce,
  monitorSettingsOf,
  monitorStateOf,
  stepAlarm,
} from '../../shared/domain/monitors';
import { REASONS } from '../../shared/domain/status';

describe('monitor settings', () => {
  test('an account without settings gets the defaults; stored ones win field by field', () => {
    expect(monitorSettingsOf({})).toEqual({ deliveryRateThreshold: 0.9, bounceRateThreshold: 0.05, windowMinutes: 60, minSample: 50 });
    expect(monitorSettingsOf({ monitors: { windowMinutes: 15 } })).toEqual({ ...DEFAULT_MONITOR_SETTINGS, windowMinutes: 15 });
    expect(monitorStateOf({})).toEqual({ deliveryRateLowSince: null, bounceRateHighSince: null });
  });
});

describe('rate maths', () => {
  test('the delivery rate is delivered over final (delivered + undelivered + failed)', () => {
    expect(finalTotal({ delivered: 7, undelivered: 2, failed: 1 })).toBe(10);
    expect(deliveryRateOf({ delivered: 7, undelivered: 2, failed: 1 })).toBeCloseTo(0.7);
    expect(deliveryRateOf({ delivered: 0, undelivered: 0, failed: 0 })).toBe(1);
  });

  test('the bounce rate is bounced over final, never above 1', () => {
    expect(bounceRateOf(3, 60)).toBeCloseTo(0.05);
    expect(bounceRateOf(0, 0)).toBe(0);
    expect(bounceRateOf(12, 10)).toBe(1); // an estimate may overshoot
  });

  test('only Hard Bounce and Soft Bounce are bounces', () => {
    expect(isBounce(REASONS.hardBounce)).toBe(true);
    expect(isBounce(REASONS.softBounce)).toBe(true);
    for (const r of [REASONS.carrierViolation, REASONS.unknown, REASONS.rejected, REASONS.optedOut]) expect(isBounce(r)).toBe(false);
    expect(isBounce(null)).toBe(false);
  });

  test('bounces are exact when the scan saw every undelivered message, scaled from the scanned share otherwise', () => {
    expect(estimateBounced(5, 40, 40)).toBe(5);
    expect(estimateBounced(500, 2_000, 6_000)).toBe(1_500);
    expect(estimateBounced(1, 3, 10)).toBe(3);
    expect(estimateBounced(0, 0, 0)).toBe(0);
  });

  test('breaches: delivery strictly below its threshold, bounce strictly above', () => {
    const s = DEFAULT_MONITOR_SETTINGS;
    expect(deliveryRateBreached(0.89, s)).toBe(true);
    expect(deliveryRateBreached(0.9, s)).toBe(false);
    expect(bounceRateBreached(0.051, s)).toBe(true);
    expect(bounceRateBreached(0.05, s)).toBe(false);
    // 0 and 1 turn the monitors off.
    expect(deliveryRateBreached(0, { ...s, deliveryRateThreshold: 0 })).toBe(false);
    expect(bounceRateBreached(1, { ...s, bounceRateThreshold: 1 })).toBe(false);
  });

  test('campaign rates come lowest first, ties by id', () => {
    const tallies = new Map([
      ['cmp_b', { delivered: 1, undelivered: 1, failed: 0 }],
      ['cmp_a', { delivered: 1, undelivered: 1, failed: 0 }],
      ['cmp_c', { delivered: 4, undelivered: 0, failed: 1 }],
      ['cmp_d', { delivered: 0, undelivered: 0, failed: 3 }],
    ]);
    expect(campaignRates(tallies)).toEqual([
      { campaignId: 'cmp_d', deliveryRate: 0 },
      { campaignId: 'cmp_a', deliveryRate: 0.5 },
      { campaignId: 'cmp_b', deliveryRate: 0.5 },
      { campaignId: 'cmp_c', deliveryRate: 0.8 },
    ]);
  });
});

describe('the alarm: once per crossing, re-armed by one healthy evaluation', () => {
  test('fires on the first breach, stays silent while breached, re-arms when healthy, fires again', () => {
    const min = 50;
    let raised = false;
    const run = (sample: number, breached: boolean) => {
      const step = stepAlarm(raised, sample, min, breached);
      raised = step.raised;
      return step.fire;
    };
    expect(run(49, true)).toBe(false); // below the sample: nothing decided
    expect(raised).toBe(false);
    expect(run(50, true)).toBe(true);
    expect(run(80, true)).toBe(false);
    expect(run(10, false)).toBe(false); // too few to call it a recovery
    expect(raised).toBe(true);
    expect(run(100, true)).toBe(false);
    expect(run(100, false)).toBe(false); // recovered: armed again
    expect(raised).toBe(false);
    expect(run(100, true)).toBe(true);
  });

  test('property: fires only on a decisive breach, and between two fires there is a decisive healthy evaluation', () => {
    const evaluation = fc.record({ sample: fc.integer({ min: 0, max: 100 }), breached: fc.boolean() });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.array(evaluation, { maxLength: 60 }), (min, evaluations) => {
        let raised = false;
        let rearmedSinceFire = true;
        for (const e of evaluations) {
          const step = stepAlarm(raised, e.sample, min, e.breached);
          const decisive = e.sample >= min;
          if (step.fire) {
            if (!decisive || !e.breached || !rearmedSinceFire) return false;
            rearmedSinceFire = false;
          }
          if (decisive && !e.breached) rearmedSinceFire = true;
          if (!decisive && step.raised !== raised) return false; // too few messages change nothing
          // A decisive breach always leaves the alert raised, whether it fired now or earlier.
          if (decisive && e.breached && !step.raised) return false;
          raised = step.raised;
        }
        return true;
      }),
    );
  });
});
