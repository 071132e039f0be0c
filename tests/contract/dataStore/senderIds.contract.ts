/** The DataStore contract, SenderIdStore (run by describeDataStoreContract). */
import { ConcurrencyError, DuplicateError, type DataStore } from '../../../shared/ports/stores';
import { at, makeEvent, makeSenderId, uniqueId } from '../../fixtures/records';
import { sortedIds, type StoreHarness } from './harness';

export function describeSenderIdStoreContract(t: StoreHarness): void {
  let store: DataStore;
  beforeAll(() => {
    store = t.store;
  });
  const { newAccount } = t;

  describe('sender ids', () => {
    it('create, get, getForAdmin, findByValue and list by status', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const s1 = await store.senderIds.create(makeSenderId({ accountId: a.id, value: 'ACME', createdAt: at(1) }));
      const s2 = await store.senderIds.create(makeSenderId({ accountId: a.id, value: 'ACMEOTP', status: 'approved', createdAt: at(2) }));
      const s3 = await store.senderIds.create(makeSenderId({ accountId: b.id, value: 'ACME' }));
      expect(s1.etag).toEqual(expect.any(String));

      expect(await store.senderIds.get(a.id, s1.id)).toEqual(s1);
      expect(await store.senderIds.get(a.id, uniqueId('sid'))).toBeNull();
      expect(await store.senderIds.getForAdmin(s3.id)).toEqual(s3);
      expect(await store.senderIds.getForAdmin(uniqueId('sid'))).toBeNull();

      expect(await store.senderIds.findByValue(a.id, 'ACME')).toEqual(s1);
      expect(await store.senderIds.findByValue(b.id, 'ACME')).toEqual(s3);
      expect(await store.senderIds.findByValue(a.id, 'NOPE')).toBeNull();

      expect(sortedIds(await store.senderIds.list(a.id))).toEqual(sortedIds([s1, s2]));
      expect(await store.senderIds.list(a.id, 'approved')).toEqual([s2]);
      expect(await store.senderIds.list(a.id, 'rejected')).toEqual([]);
    });

    it('rejects a second sender id with the same id', async () => {
      const a = await newAccount();
      const s = await store.senderIds.create(makeSenderId({ accountId: a.id }));
      await expect(store.senderIds.create(makeSenderId({ id: s.id, accountId: a.id }))).rejects.toBeInstanceOf(DuplicateError);
    });

    it('update replaces when the etag matches and appends the events; a stale etag writes nothing', async () => {
      const a = await newAccount();
      const created = await store.senderIds.create(makeSenderId({ accountId: a.id }));
      const approvedEvent = makeEvent({ accountId: a.id, type: 'sender_id.approved' });
      const approved = await store.senderIds.update({ ...created, status: 'approved', decidedAt: at(10) }, [approvedEvent]);
      expect(approved).toEqual({ ...created, status: 'approved', decidedAt: at(10), etag: expect.any(String) });
      expect(approved.etag).not.toBe(created.etag);
      expect(await store.senderIds.get(a.id, created.id)).toEqual(approved);
      expect(await store.outbox.get(a.id, approvedEvent.id)).toEqual(approvedEvent);

      const lateEvent = makeEvent({ accountId: a.id, type: 'sender_id.rejected' });
      await expect(store.senderIds.update({ ...created, status: 'rejected', reason: 'late' }, [lateEvent])).rejects.toBeInstanceOf(
        ConcurrencyError,
      );
      expect(await store.senderIds.get(a.id, created.id)).toEqual(approved);
      expect(await store.outbox.get(a.id, lateEvent.id)).toBeNull();
    });
  });

  // -------------------------------------------------------------------------------------------
}
