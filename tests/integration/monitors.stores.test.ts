import { createIdGenerator } from '../../shared/adapters/runtime/ids';
import { createJsonLogger } from '../../shared/adapters/runtime/logger';
import type { AppDeps } from '../../shared/app/deps';
import { evaluateAccount, evaluateMonitors, MAX_AFFECTED_NUMBERS, MONITOR_SCAN_CAP } from '../../shared/app/monitors';
import { REASONS } from '../../shared/domain/status';
import type { Account, Message, StatusReason } from '../../shared/domain/types';
import type { DataStore } from '../../shared/ports/stores';
import { compileBody } from '../../shared/http/validation';
import { eventDefinitionOf } from '../../shared/webhooks/catalog';
import { FakeClock } from '../fixtures/fakeClock';
import { BOTH_STORES, openSqliteStore, type OpenedStore } from '../fixtures/bothStores';
import { makeAccount, makeCampaign, makeMessage } from '../fixtures/records';

/**
 * The monitor job over both stores (SQLite and Cosmos DB through the in-process server): the
 * window's counts and scans, and the alert state written with its events by `accounts.update`.
 */

const NOW = '2026-05-01T12:00:00.000Z';
const minutesAgo = (m: number) => new Date(Date.parse(NOW) - m * 60_000).toISOString();

function depsOver(store: DataStore, clock: FakeClock): AppDeps {
  // The monitor job reads only the store, the clock, ids and the logger: no queue, carriers or settings.
  return { store, clock, ids: createIdGenerator(clock), logger: createJsonLogger('silent') } as unknown as AppDeps;
}

const validators = new Map(['delivery_rate.low', 'bounce_rate.high'].map((t) => [t, compileBody(eventDefinitionOf(t)!.dataSchema)]));

async function monitorEvents(store: DataStore, accountId: string): Promise<Record<string, any[]>> {
  const out: Record<string, any[]> = { 'delivery_rate.low': [], 'bounce_rate.high': [] };
  for (const e of await store.outbox.listForAccount(accountId, {}, 1000)) {
    const validate = validators.get(e.type);
    if (!validate) continue;
    expect({ type: e.type, errors: validate(e.data) }).toEqual({ type: e.type, errors: null });
    out[e.type]!.push(e.data);
  }
  return out;
}

describe.each(BOTH_STORES)('monitors over %s', (_name, open) => {
  let opened: OpenedStore;
  let store: DataStore;
  const clock = new FakeClock(Date.parse(NOW));
  beforeAll(async () => {
    opened = await open();
    store = opened.store;
  });
  afterAll(() => opened.close());

  async function seed(
    account: Account,
    status: Message['status'],
    to: string,
    createdAt: string,
    statusReason: StatusReason | null = null,
    campaignId?: string,
  ): Promise<void> {
    await store.messages.accept(
      makeMessage({ accountId: account.id, status, to, statusReason, createdAt, ...(campaignId ? { campaignId } : {}) }),
      0n,
      () => [],
    );
  }

  test('measures the window, fires both once with their payloads, and writes the raised alerts on the account', async () => {
    const account = await store.accounts.create(
      makeAccount({ monitors: { deliveryRateThreshold: 0.9, bounceRateThreshold: 0.05, windowMinutes: 60, minSample: 5 } }),
    );
    const campaign = await store.campaigns.create(makeCampaign({ accountId: account.id, name: 'Autumn' }));
    await seed(account, 'delivered', '+14155550101', minutesAgo(10), null, campaign.id);
    await seed(account, 'undelivered', '+14155550102', minutesAgo(10), REASONS.hardBounce, campaign.id);
    await seed(account, 'delivered', '+14155550103', minutesAgo(20));
    await seed(account, 'delivered', '+14155550104', minutesAgo(30));
    await seed(account, 'undelivered', '+14155550105', minutesAgo(40), REASONS.softBounce);
    await seed(account, 'undelivered', '+14155550106', minutesAgo(50), REASONS.carrierViolation);
    await seed(account, 'failed', '+14155550107', minutesAgo(55), REASONS.rejected);
    await seed(account, 'cancelled', '+14155550108', minutesAgo(5), REASONS.cancelledByUser);
    await seed(account, 'sent', '+14155550109', minutesAgo(1));
    await seed(account, 'undelivered', '+14155550110', minutesAgo(61), REASONS.hardBounce); // before the window

    const deps = depsOver(store, clock);
    expect(await evaluateMonitors(deps)).toBe(2);
    const events = await monitorEvents(store, account.id);
    const window = { windowStart: minutesAgo(60), windowEnd: NOW };
    expect(events['delivery_rate.low']).toEqual([
      {
        currentRate: 3 / 7,
        threshold: 0.9,
        ...window,
        sampleSize: 7,
        affectedCampaigns: [{ campaignId: campaign.id, name: 'Autumn', deliveryRate: 0.5 }],
      },
    ]);
    expect(events['bounce_rate.high']).toEqual([
      {
        bounceRate: 2 / 7,
        threshold: 0.05,
        ...window,
        affectedNumbers: ['+14155550102', '+14155550105'], // newest first
        bounceReasons: [
          { code: 1400, message: 'Hard Bounce', count: 1 },
          { code: 1404, message: 'Soft Bounce', count: 1 },
        ],
      },
    ]);
    const stored = (await store.accounts.get(account.id))!;
    expect(stored.monitorState).toEqual({ deliveryRateLowSince: NOW, bounceRateHighSince: NOW });
    expect(stored.updatedAt).toBe(account.updatedAt); // alert state is not a settings change

    expect(await evaluateAccount(deps, stored, clock.now())).toBe(0);
    // A stale copy of the account (read before the alerts were written) re-reads and stays silent.
    expect(await evaluateAccount(deps, account, clock.now())).toBe(0);
    expect((await monitorEvents(store, account.id))['delivery_rate.low']).toHaveLength(1);
  });

  test('instances evaluating the same account at once fire once', async () => {
    const account = await store.accounts.create(
      makeAccount({ monitors: { deliveryRateThreshold: 0.9, bounceRateThreshold: 0.05, windowMinutes: 60, minSample: 2 } }),
    );
    await seed(account, 'undelivered', '+14155550201', minutesAgo(3), REASONS.hardBounce);
    await seed(account, 'undelivered', '+14155550202', minutesAgo(2), REASONS.hardBounce);
    const deps = depsOver(store, clock);
    const fired = await Promise.all([0, 1, 2].map(() => evaluateAccount(deps, account, clock.now())));
    expect(fired.reduce((a, b) => a + b, 0)).toBe(2);
    const events = await monitorEvents(store, account.id);
    expect(events['delivery_rate.low']).toHaveLength(1);
    expect(events['bounce_rate.high']).toHaveLength(1);
  });
});

describe('monitors: a window beyond the scan cap (SQLite)', () => {
  test('bounces are extrapolated from the newest scanned messages; numbers and reasons come from those', async () => {
    const { store, close } = await openSqliteStore();
    try {
      const clock = new FakeClock(Date.parse(NOW));
      const account = await store.accounts.create(
        makeAccount({ monitors: { deliveryRateThreshold: 0, bounceRateThreshold: 0.3, windowMinutes: 60, minSample: 50 } }),
      );
      const extra = 400;
      // Oldest first: `extra` Unknown (not bounces), then MONITOR_SCAN_CAP alternating Hard Bounce / Carrier Violation.
      for (let i = 0; i < extra + MONITOR_SCAN_CAP; i++) {
        const reason = i < extra ? REASONS.unknown : i % 2 === 0 ? REASONS.hardBounce : REASONS.carrierViolation;
        const createdAt = new Date(Date.parse(NOW) - 50 * 60_000 + i * 1_000).toISOString();
        await store.messages.accept(
          makeMessage({
            accountId: account.id,
            status: 'undelivered',
            statusReason: reason,
            to: `+1415556${String(i).padStart(4, '0')}`,
            createdAt,
          }),
          0n,
          () => [],
        );
      }
      expect(await evaluateAccount(depsOver(store, clock), account, clock.now())).toBe(1);
      const [event] = (await monitorEvents(store, account.id))['bounce_rate.high'];
      // Half of the 2,000 scanned bounced: half of all 2,400 undelivered is the estimate (the exact count, 1,000, would be 0.417).
      expect(event.bounceRate).toBe(0.5);
      expect(event.bounceReasons).toEqual([{ code: 1400, message: 'Hard Bounce', count: MONITOR_SCAN_CAP / 2 }]);
      expect(event.affectedNumbers).toHaveLength(MAX_AFFECTED_NUMBERS);
      expect(event.affectedNumbers[0]).toBe(`+1415556${String(extra + MONITOR_SCAN_CAP - 2).padStart(4, '0')}`);
    } finally {
      await close();
    }
  });
});
