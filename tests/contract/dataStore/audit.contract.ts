/** The DataStore contract, AuditStore (run by describeDataStoreContract). */
import type { AuditRecord } from '../../../shared/domain/audit';
import type { DataStore } from '../../../shared/ports/stores';
import { at, uniqueId } from '../../fixtures/records';
import { collectPages, ids, type StoreHarness } from './harness';

export function describeAuditStoreContract(t: StoreHarness): void {
  let store: DataStore;
  beforeAll(() => {
    store = t.store;
  });
  const { newAccount } = t;

  const record = (accountId: string | null, overrides: Partial<AuditRecord> = {}): AuditRecord => ({
    id: uniqueId('aud'),
    at: at(1_000),
    accountId,
    keyId: 'key_0123456789ab',
    operationId: 'SendMessage',
    method: 'POST',
    resourceId: null,
    sourceAddress: '203.0.113.7',
    status: null,
    requestId: uniqueId('req'),
    ...overrides,
  });

  describe('audit log', () => {
    it('open adds a record without outcome; complete sets the status and fills in the created resource', async () => {
      const a = await newAccount();
      const open = record(a.id);
      await store.audit.open(open);
      expect((await store.audit.list(a.id, {}, { limit: 10 })).items).toEqual([open]);
      await store.audit.complete(a.id, open.id, { status: 202, resourceId: 'msg_1' });
      expect((await store.audit.list(a.id, {}, { limit: 10 })).items).toEqual([{ ...open, status: 202, resourceId: 'msg_1' }]);

      // A record opened with its resource keeps it when the outcome names none.
      const named = record(a.id, { at: at(2_000), resourceId: 'ctc_1', operationId: 'DeleteContact', method: 'DELETE' });
      await store.audit.open(named);
      await store.audit.complete(a.id, named.id, { status: 204, resourceId: null });
      expect((await store.audit.list(a.id, { operationId: 'DeleteContact' }, { limit: 10 })).items).toEqual([{ ...named, status: 204 }]);
    });

    it('a record opened complete (a refused request) is stored as given', async () => {
      const a = await newAccount();
      const refused = record(a.id, { status: 403 });
      await store.audit.open(refused);
      expect((await store.audit.list(a.id, {}, { limit: 10 })).items).toEqual([refused]);
    });

    it('lists one account only; records on no account are their own partition', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const operation = uniqueId('Op');
      await store.audit.open(record(a.id, { operationId: operation }));
      await store.audit.open(record(null, { operationId: operation, keyId: 'operator' }));
      expect((await store.audit.list(a.id, { operationId: operation }, { limit: 10 })).items.map((r) => r.accountId)).toEqual([a.id]);
      expect((await store.audit.list(b.id, {}, { limit: 10 })).items).toEqual([]);
      const none = (await store.audit.list(null, { operationId: operation }, { limit: 10 })).items;
      expect(none.map((r) => [r.accountId, r.keyId])).toEqual([[null, 'operator']]);
    });

    it('filters by since (inclusive), until (exclusive), key, operation and resource; newest first', async () => {
      const a = await newAccount();
      const r1 = record(a.id, { at: at(1_000), keyId: 'key_aaaaaaaaaaaa', operationId: 'CreateContact', resourceId: 'ctc_1' });
      const r2 = record(a.id, { at: at(2_000), keyId: 'key_bbbbbbbbbbbb', operationId: 'DeleteContact', resourceId: 'ctc_1' });
      const r3 = record(a.id, { at: at(3_000), keyId: 'key_aaaaaaaaaaaa', operationId: 'SendMessage', resourceId: 'msg_1' });
      for (const r of [r2, r3, r1]) await store.audit.open(r);
      const list = async (filter: Parameters<DataStore['audit']['list']>[1]) =>
        ids((await store.audit.list(a.id, filter, { limit: 10 })).items);
      expect(await list({})).toEqual([r3.id, r2.id, r1.id]);
      expect(await list({ since: at(2_000) })).toEqual([r3.id, r2.id]);
      expect(await list({ until: at(2_000) })).toEqual([r1.id]);
      expect(await list({ since: at(1_500), until: at(2_500) })).toEqual([r2.id]);
      expect(await list({ keyId: 'key_aaaaaaaaaaaa' })).toEqual([r3.id, r1.id]);
      expect(await list({ operationId: 'DeleteContact' })).toEqual([r2.id]);
      expect(await list({ resourceId: 'ctc_1' })).toEqual([r2.id, r1.id]);
      expect(await list({ resourceId: 'ctc_1', keyId: 'key_bbbbbbbbbbbb' })).toEqual([r2.id]);
    });

    it('pages newest first and visits every record once, records of one instant included', async () => {
      const a = await newAccount();
      const records = [1_000, 2_000, 2_000, 2_000, 3_000, 4_000, 4_000].map((ms) => record(a.id, { at: at(ms) }));
      for (const r of records) await store.audit.open(r);
      const pages = await collectPages((token) => store.audit.list(a.id, {}, { limit: 2, ...(token ? { continuationToken: token } : {}) }));
      const seen = pages.flatMap((p) => p.items);
      expect(pages.every((p) => p.items.length <= 2)).toBe(true);
      const expected = [...records].sort((x, y) => (x.at !== y.at ? (x.at < y.at ? 1 : -1) : x.id < y.id ? 1 : -1));
      expect(ids(seen)).toEqual(ids(expected));
    });
  });
}
