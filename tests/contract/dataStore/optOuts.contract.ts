/** The DataStore contract, OptOutStore (run by describeDataStoreContract). */
import type { DataStore } from '../../../shared/ports/stores';
import { at } from '../../fixtures/records';
import type { StoreHarness } from './harness';

export function describeOptOutStoreContract(t: StoreHarness): void {
  let store: DataStore;
  beforeAll(() => {
    store = t.store;
  });
  const { newAccount } = t;

  describe('opt-outs', () => {
    const optOut = (accountId: string, phone: string, source: 'keyword' | 'api' = 'keyword') => ({
      accountId,
      phone,
      source,
      keyword: source === 'keyword' ? 'STOP' : null,
      createdAt: at(1_000),
    });

    it('add, get, refresh by adding again, remove; scoped to the account', async () => {
      const a = await newAccount();
      const b = await newAccount();
      expect(await store.optOuts.get(a.id, '+14155550101')).toBeNull();
      await store.optOuts.add(optOut(a.id, '+14155550101'));
      expect(await store.optOuts.get(a.id, '+14155550101')).toEqual(optOut(a.id, '+14155550101'));
      expect(await store.optOuts.get(b.id, '+14155550101')).toBeNull();
      await store.optOuts.add(optOut(a.id, '+14155550101', 'api'));
      expect((await store.optOuts.list(a.id, { limit: 10 })).items).toEqual([optOut(a.id, '+14155550101', 'api')]);
      expect(await store.optOuts.remove(b.id, '+14155550101')).toBe(false);
      expect(await store.optOuts.remove(a.id, '+14155550101')).toBe(true);
      expect(await store.optOuts.remove(a.id, '+14155550101')).toBe(false);
      expect(await store.optOuts.get(a.id, '+14155550101')).toBeNull();
    });

    it('list pages by phone and visits every opt-out once', async () => {
      const a = await newAccount();
      const phones = ['+14155550105', '+14155550101', '+447400123456', '+14155550103', '+919999999999'];
      for (const p of phones) await store.optOuts.add(optOut(a.id, p));
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await store.optOuts.list(a.id, { limit: 2, continuationToken: token });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((o) => o.phone));
        token = page.continuationToken ?? undefined;
      } while (token);
      expect(seen).toEqual([...phones].sort());
    });
  });

  // -------------------------------------------------------------------------------------------
}
