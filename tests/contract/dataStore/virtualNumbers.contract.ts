/** The DataStore contract, VirtualNumberStore (run by describeDataStoreContract). */
import { DuplicateError, type DataStore } from '../../../shared/ports/stores';
import { makeVirtualNumber } from '../../fixtures/records';
import { sortedIds, type StoreHarness } from './harness';

export function describeVirtualNumberStoreContract(t: StoreHarness): void {
  let store: DataStore;
  beforeAll(() => {
    store = t.store;
  });
  const { newAccount } = t;

  describe('virtual numbers', () => {
    it('create, list per account and findByNumber across accounts', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const v1 = makeVirtualNumber({ accountId: a.id, label: 'Support line' });
      const v2 = makeVirtualNumber({ accountId: a.id, capabilities: ['sms', 'mms'] });
      const v3 = makeVirtualNumber({ accountId: b.id });
      expect(await store.virtualNumbers.create(v1)).toEqual(v1);
      await store.virtualNumbers.create(v2);
      await store.virtualNumbers.create(v3);

      const listed = await store.virtualNumbers.list(a.id);
      expect(sortedIds(listed)).toEqual(sortedIds([v1, v2]));
      expect(listed.find((v) => v.id === v2.id)).toEqual(v2);
      expect(await store.virtualNumbers.list(b.id)).toEqual([v3]);
      expect(await store.virtualNumbers.findByNumber(v1.number)).toEqual(v1);
      expect(await store.virtualNumbers.findByNumber(v3.number)).toEqual(v3);
      expect(await store.virtualNumbers.findByNumber('+19990000000')).toBeNull();
    });

    it('rejects a number assigned already, to any account, and keeps the first assignment', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const first = makeVirtualNumber({ accountId: a.id });
      await store.virtualNumbers.create(first);
      await expect(store.virtualNumbers.create(makeVirtualNumber({ accountId: b.id, number: first.number }))).rejects.toBeInstanceOf(
        DuplicateError,
      );
      await expect(store.virtualNumbers.create(makeVirtualNumber({ accountId: a.id, number: first.number }))).rejects.toBeInstanceOf(
        DuplicateError,
      );
      expect(await store.virtualNumbers.findByNumber(first.number)).toEqual(first);
      expect(await store.virtualNumbers.list(b.id)).toEqual([]);
      expect(await store.virtualNumbers.list(a.id)).toEqual([first]);
    });
  });

  // -------------------------------------------------------------------------------------------
}
