/** The DataStore contract, KeywordRuleStore (run by describeDataStoreContract). */
import type { KeywordRule } from '../../../shared/domain/keywordRule';
import { ConcurrencyError, DuplicateError, type DataStore } from '../../../shared/ports/stores';
import { at, uniqueId, uniqueSuffix } from '../../fixtures/records';
import { ids, sortedIds, type StoreHarness } from './harness';

export function describeKeywordRuleStoreContract(t: StoreHarness): void {
  let store: DataStore;
  beforeAll(() => {
    store = t.store;
  });
  const { newAccount } = t;

  describe('keyword rules', () => {
    const keywordRule = (accountId: string, overrides: Partial<KeywordRule> = {}): KeywordRule => ({
      id: uniqueId('kw'),
      accountId,
      keyword: 'Hours',
      matchType: 'exact',
      virtualNumber: null,
      reply: 'We are open {{day|every day}} 9-17',
      active: true,
      createdAt: at(1_000),
      updatedAt: at(1_000),
      ...overrides,
    });

    it('create returns the rule with an etag; get and list read it back, scoped to the account', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const rule = keywordRule(a.id);
      const created = await store.keywordRules.create(rule);
      expect(created).toEqual({ ...rule, etag: expect.any(String) });
      expect(await store.keywordRules.get(a.id, rule.id)).toEqual(created);
      expect(await store.keywordRules.get(b.id, rule.id)).toBeNull();
      expect(await store.keywordRules.get(a.id, uniqueId('kw'))).toBeNull();
      expect(await store.keywordRules.list(a.id)).toEqual([created]);
      expect(await store.keywordRules.list(b.id)).toEqual([]);
    });

    it('refuses a second rule with the same keyword (ignoring case and spacing), match type and number; any of them differing is another rule', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const first = await store.keywordRules.create(keywordRule(a.id, { keyword: 'Opening Hours', virtualNumber: '+14155550100' }));
      await expect(
        store.keywordRules.create(keywordRule(a.id, { keyword: 'opening  HOURS', virtualNumber: '+14155550100' })),
      ).rejects.toBeInstanceOf(DuplicateError);
      await expect(store.keywordRules.create(keywordRule(a.id, { id: first.id, keyword: 'Other' }))).rejects.toBeInstanceOf(DuplicateError);
      const others = [
        keywordRule(a.id, { keyword: 'Opening Hours', virtualNumber: '+14155550100', matchType: 'contains' }),
        keywordRule(a.id, { keyword: 'Opening Hours', virtualNumber: null }),
        keywordRule(a.id, { keyword: 'Opening Hours', virtualNumber: '+14155550199' }),
        keywordRule(a.id, { keyword: 'Opening', virtualNumber: '+14155550100' }),
        keywordRule(b.id, { keyword: 'Opening Hours', virtualNumber: '+14155550100' }),
      ];
      for (const r of others) await store.keywordRules.create(r);
      expect(sortedIds(await store.keywordRules.list(a.id))).toEqual(sortedIds([first, ...others.slice(0, 4)]));
      expect(await store.keywordRules.get(a.id, first.id)).toEqual(first);
    });

    it('list is oldest first (createdAt, then id)', async () => {
      const a = await newAccount();
      const late = keywordRule(a.id, { keyword: 'late', createdAt: at(3_000) });
      const early = keywordRule(a.id, { keyword: 'early', createdAt: at(1_000) });
      const twinB = keywordRule(a.id, { keyword: 'twin b', createdAt: at(2_000), id: `kw_b${uniqueSuffix()}` });
      const twinA = keywordRule(a.id, { keyword: 'twin a', createdAt: at(2_000), id: `kw_a${uniqueSuffix()}` });
      for (const r of [late, twinB, early, twinA]) await store.keywordRules.create(r);
      expect(ids(await store.keywordRules.list(a.id))).toEqual([early.id, twinA.id, twinB.id, late.id]);
    });

    it('update replaces when the etag matches, moves the uniqueness key, and refuses a stale etag or a taken key', async () => {
      const a = await newAccount();
      const hours = await store.keywordRules.create(keywordRule(a.id, { keyword: 'Hours' }));
      const price = await store.keywordRules.create(keywordRule(a.id, { keyword: 'Price' }));
      const renamed = await store.keywordRules.update({ ...hours, keyword: 'Times', reply: null, active: false, updatedAt: at(5_000) });
      expect(renamed).toEqual({ ...hours, keyword: 'Times', reply: null, active: false, updatedAt: at(5_000), etag: expect.any(String) });
      expect(renamed.etag).not.toBe(hours.etag);
      expect(await store.keywordRules.get(a.id, hours.id)).toEqual(renamed);
      await expect(store.keywordRules.update({ ...hours, reply: 'stale' })).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(store.keywordRules.update({ ...renamed, keyword: 'PRICE' })).rejects.toBeInstanceOf(DuplicateError);
      expect(await store.keywordRules.get(a.id, hours.id)).toEqual(renamed);
      // The old key is free again; the new one is taken.
      await store.keywordRules.create(keywordRule(a.id, { keyword: 'hours' }));
      await expect(store.keywordRules.create(keywordRule(a.id, { keyword: 'times' }))).rejects.toBeInstanceOf(DuplicateError);
      // Same key, other fields: no key move.
      const reworded = await store.keywordRules.update({ ...price, keyword: 'price', matchType: 'exact' });
      expect(reworded.keyword).toBe('price');
    });

    it('delete removes the rule and frees its key; another account cannot delete it', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const rule = await store.keywordRules.create(keywordRule(a.id));
      expect(await store.keywordRules.delete(b.id, rule.id)).toBe(false);
      expect(await store.keywordRules.get(a.id, rule.id)).toEqual(rule);
      expect(await store.keywordRules.delete(a.id, rule.id)).toBe(true);
      expect(await store.keywordRules.delete(a.id, rule.id)).toBe(false);
      expect(await store.keywordRules.get(a.id, rule.id)).toBeNull();
      expect(await store.keywordRules.list(a.id)).toEqual([]);
      await expect(store.keywordRules.create(keywordRule(a.id))).resolves.toMatchObject({ keyword: 'Hours' });
    });

    it('of two concurrent creates with the same key, exactly one wins', async () => {
      const a = await newAccount();
      const results = await Promise.allSettled([
        store.keywordRules.create(keywordRule(a.id)),
        store.keywordRules.create(keywordRule(a.id, { keyword: 'HOURS' })),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(DuplicateError);
      expect(await store.keywordRules.list(a.id)).toHaveLength(1);
    });
  });

  // -------------------------------------------------------------------------------------------
}
