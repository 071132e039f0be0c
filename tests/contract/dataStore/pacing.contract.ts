/** The DataStore contract, PacingStore (run by describeDataStoreContract). */
import { newPaceState } from '../../../shared/domain/pacing';
import { ConcurrencyError, type DataStore } from '../../../shared/ports/stores';
import { uniqueSuffix } from '../../fixtures/records';
import type { StoreHarness } from './harness';

export function describePacingStoreContract(t: StoreHarness): void {
  let store: DataStore;
  beforeAll(() => {
    store = t.store;
  });

  describe('pacing', () => {
    it('limits: put creates or replaces, get reads by scope and key, remove says whether there was one', async () => {
      const key = `+1415${uniqueSuffix()}`;
      expect(await store.pacing.getLimit('sender', key)).toBeNull();
      await store.pacing.putLimit({ scope: 'sender', key, messagesPerSecond: 0.05, updatedAt: '2026-01-01T00:00:00.000Z' });
      expect(await store.pacing.getLimit('sender', key)).toEqual({
        scope: 'sender',
        key,
        messagesPerSecond: 0.05,
        updatedAt: '2026-01-01T00:00:00.000Z',
        etag: expect.any(String),
      });
      // The same key in the other scope is another limit.
      expect(await store.pacing.getLimit('carrier', key)).toBeNull();
      await store.pacing.putLimit({ scope: 'sender', key, messagesPerSecond: 50, updatedAt: '2026-01-01T00:01:00.000Z' });
      expect((await store.pacing.getLimit('sender', key))?.messagesPerSecond).toBe(50);
      expect(await store.pacing.removeLimit('sender', key)).toBe(true);
      expect(await store.pacing.getLimit('sender', key)).toBeNull();
      expect(await store.pacing.removeLimit('sender', key)).toBe(false);
    });

    it('pace states: create once, then replace only the version read (the etag guards every reservation)', async () => {
      const key = `sim|S${uniqueSuffix()}`;
      expect(await store.pacing.getPace(key)).toBeNull();
      const created = await store.pacing.savePace(newPaceState(key, 1_000));
      expect(created.etag).toEqual(expect.any(String));
      // A second create of the same key loses, as two instances starting the timeline at once.
      await expect(store.pacing.savePace(newPaceState(key, 1_000))).rejects.toBeInstanceOf(ConcurrencyError);
      const read = (await store.pacing.getPace(key))!;
      expect(read).toEqual(created);
      const next = await store.pacing.savePace({ ...read, nextSlotAt: 1_200.5 });
      expect(next.etag).not.toBe(read.etag);
      // A write from the stale version (another instance reserved in between) is refused.
      await expect(store.pacing.savePace({ ...read, nextSlotAt: 1_100 })).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await store.pacing.getPace(key)).toEqual({ ...next, nextSlotAt: 1_200.5 });
    });
  });
}
