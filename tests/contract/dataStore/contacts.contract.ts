/** The DataStore contract, ContactStore and GroupStore (run by describeDataStoreContract). */
import type { Contact, ContactGroup } from '../../../shared/domain/contact';
import {
  ConcurrencyError,
  DuplicateError,
  InvalidContinuationTokenError,
  type ContactFilter,
  type DataStore,
} from '../../../shared/ports/stores';
import { at, makeEvent, uniqueId } from '../../fixtures/records';
import { ids, collectPages, type StoreHarness } from './harness';

export function describeContactStoresContract(t: StoreHarness): void {
  let store: DataStore;
  beforeAll(() => {
    store = t.store;
  });
  const { newAccount } = t;

  describe('contacts and groups', () => {
    let phoneCounter = 0;
    /** A fresh E.164 number per call, so tests sharing the suite's store never collide. */
    const freshPhone = () => `+1415${String(Date.now() % 1_000).padStart(3, '0')}${String((phoneCounter += 1)).padStart(4, '0')}`;
    const makeContact = (overrides: Partial<Contact> & { accountId: string }): Contact => ({
      id: uniqueId('ctc'),
      phone: freshPhone(),
      firstName: 'Ada',
      lastName: null,
      email: null,
      customFields: { plan: 'gold' },
      groupIds: [],
      createdAt: at(0),
      updatedAt: at(0),
      ...overrides,
    });
    const makeGroup = (overrides: Partial<ContactGroup> & { accountId: string }): ContactGroup => ({
      id: uniqueId('grp'),
      name: `Group ${uniqueId('g')}`,
      description: null,
      createdAt: at(0),
      updatedAt: at(0),
      ...overrides,
    });
    const contactEvent = (accountId: string, type = 'contact.added') => makeEvent({ accountId, type });
    const allPages = async (accountId: string, filter: ContactFilter, limit: number) =>
      (await collectPages((token) => store.contacts.list(accountId, filter, { limit, continuationToken: token }))).flatMap((p) => {
        expect(p.items.length).toBeLessThanOrEqual(limit);
        return p.items;
      });

    it('create stores the contact with its events; get and findByPhone read it back, scoped to the account', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const contact = makeContact({ accountId: a.id, groupIds: ['grp_a', 'grp_b'] });
      const added = contactEvent(a.id);
      const created = await store.contacts.create(contact, [added]);
      expect(created).toEqual({ ...contact, etag: expect.any(String) });
      expect(await store.contacts.get(a.id, contact.id)).toEqual(created);
      expect(await store.contacts.findByPhone(a.id, contact.phone)).toEqual(created);
      expect(await store.outbox.get(a.id, added.id)).toEqual(added);

      expect(await store.contacts.get(b.id, contact.id)).toBeNull();
      expect(await store.contacts.findByPhone(b.id, contact.phone)).toBeNull();
      expect((await store.contacts.list(b.id, {}, { limit: 10 })).items).toEqual([]);
      expect(await store.contacts.count(b.id, {})).toBe(0);
      expect(await store.contacts.count(b.id, { groupIds: ['grp_a'] })).toBe(0);
      expect(await store.contacts.get(a.id, uniqueId('ctc'))).toBeNull();
      expect(await store.contacts.findByPhone(a.id, freshPhone())).toBeNull();
    });

    it('a phone is unique per account: a second contact with it writes nothing, another account may have it', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const first = await store.contacts.create(makeContact({ accountId: a.id }), []);
      const late = contactEvent(a.id);
      const twin = makeContact({ accountId: a.id, phone: first.phone });
      await expect(store.contacts.create(twin, [late])).rejects.toBeInstanceOf(DuplicateError);
      expect(await store.contacts.get(a.id, twin.id)).toBeNull();
      expect(await store.outbox.get(a.id, late.id)).toBeNull();
      expect(await store.contacts.findByPhone(a.id, first.phone)).toEqual(first);
      await expect(store.contacts.create(makeContact({ accountId: b.id, phone: first.phone }), [])).resolves.toBeDefined();
    });

    it('concurrent creates with one phone: exactly one wins', async () => {
      const a = await newAccount();
      const phone = freshPhone();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, () => store.contacts.create(makeContact({ accountId: a.id, phone }), [contactEvent(a.id)])),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(DuplicateError);
      expect(await store.contacts.count(a.id, { phone })).toBe(1);
      expect((await store.outbox.listForAccount(a.id, {}, 10)).length).toBe(1);
    });

    it('a duplicate event id fails the create as a whole: no contact, and its phone stays free', async () => {
      const a = await newAccount();
      const existing = contactEvent(a.id);
      await store.outbox.append([existing]);
      const contact = makeContact({ accountId: a.id });
      await expect(store.contacts.create(contact, [{ ...existing }])).rejects.toBeInstanceOf(DuplicateError);
      expect(await store.contacts.get(a.id, contact.id)).toBeNull();
      expect(await store.contacts.findByPhone(a.id, contact.phone)).toBeNull();
      await expect(store.contacts.create(contact, [])).resolves.toBeDefined();
    });

    it('update replaces when the etag matches and appends its events; a stale etag writes nothing', async () => {
      const a = await newAccount();
      const created = await store.contacts.create(makeContact({ accountId: a.id, groupIds: ['grp_x'] }), []);
      const changed = contactEvent(a.id, 'contact.updated');
      const next = {
        ...created,
        firstName: 'Grace',
        customFields: { plan: 'silver', city: 'Oslo' },
        groupIds: ['grp_y'],
        updatedAt: at(5_000),
      };
      const updated = await store.contacts.update(next, [changed]);
      expect(updated).toEqual({ ...next, etag: expect.any(String) });
      expect(updated.etag).not.toBe(created.etag);
      expect(await store.contacts.get(a.id, created.id)).toEqual(updated);
      expect(await store.outbox.get(a.id, changed.id)).toEqual(changed);
      // Membership follows the update.
      expect(ids(await allPages(a.id, { groupIds: ['grp_x'] }, 10))).toEqual([]);
      expect(ids(await allPages(a.id, { groupIds: ['grp_y'] }, 10))).toEqual([created.id]);

      const lost = contactEvent(a.id, 'contact.updated');
      await expect(store.contacts.update({ ...created, firstName: 'Late' }, [lost])).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await store.contacts.get(a.id, created.id)).toEqual(updated);
      expect(await store.outbox.get(a.id, lost.id)).toBeNull();
      const { etag: _etag, ...neverRead } = updated;
      await expect(store.contacts.update({ ...neverRead, firstName: 'No etag' }, [])).rejects.toBeInstanceOf(ConcurrencyError);
    });

    it('update moves the phone: a taken phone is refused with nothing written; the old phone becomes free', async () => {
      const a = await newAccount();
      const one = await store.contacts.create(makeContact({ accountId: a.id }), []);
      const two = await store.contacts.create(makeContact({ accountId: a.id }), []);
      const refused = contactEvent(a.id, 'contact.updated');
      await expect(store.contacts.update({ ...two, phone: one.phone }, [refused])).rejects.toBeInstanceOf(DuplicateError);
      expect(await store.contacts.get(a.id, two.id)).toEqual(two);
      expect(await store.outbox.get(a.id, refused.id)).toBeNull();

      const newPhone = freshPhone();
      const moved = await store.contacts.update({ ...two, phone: newPhone }, []);
      expect(await store.contacts.findByPhone(a.id, newPhone)).toEqual(moved);
      expect(await store.contacts.findByPhone(a.id, two.phone)).toBeNull();
      await expect(store.contacts.create(makeContact({ accountId: a.id, phone: two.phone }), [])).resolves.toBeDefined();
      // Concurrent moves onto one phone: one wins.
      const target = freshPhone();
      const [x, y] = [
        await store.contacts.create(makeContact({ accountId: a.id }), []),
        await store.contacts.create(makeContact({ accountId: a.id }), []),
      ];
      const outcomes = await Promise.allSettled([
        store.contacts.update({ ...x, phone: target }, []),
        store.contacts.update({ ...y, phone: target }, []),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(await store.contacts.count(a.id, { phone: target })).toBe(1);
    });

    it('delete removes the contact when the etag matches, with its events, and frees the phone', async () => {
      const a = await newAccount();
      const created = await store.contacts.create(makeContact({ accountId: a.id, groupIds: ['grp_d'] }), []);
      const updated = await store.contacts.update({ ...created, lastName: 'Lovelace' }, []);
      const stale = contactEvent(a.id, 'contact.deleted');
      await expect(store.contacts.delete(created, [stale])).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await store.contacts.get(a.id, created.id)).toEqual(updated);
      expect(await store.outbox.get(a.id, stale.id)).toBeNull();

      const deleted = contactEvent(a.id, 'contact.deleted');
      await store.contacts.delete(updated, [deleted]);
      expect(await store.contacts.get(a.id, created.id)).toBeNull();
      expect(await store.contacts.findByPhone(a.id, created.phone)).toBeNull();
      expect(await store.contacts.count(a.id, { groupIds: ['grp_d'] })).toBe(0);
      expect(await store.outbox.get(a.id, deleted.id)).toEqual(deleted);
      await expect(store.contacts.delete(updated, [])).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(store.contacts.create(makeContact({ accountId: a.id, phone: created.phone }), [])).resolves.toBeDefined();
    });

    it('list pages in id order and visits every contact once; filters by phone; counts', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const stored: Contact[] = [];
      for (let i = 0; i < 7; i += 1) stored.push(await store.contacts.create(makeContact({ accountId: a.id }), []));
      await store.contacts.create(makeContact({ accountId: b.id }), []);
      const byId = [...stored].sort((x, y) => (x.id < y.id ? -1 : 1));

      expect(await allPages(a.id, {}, 3)).toEqual(byId);
      expect(await allPages(a.id, {}, 7)).toEqual(byId);
      const exact = await store.contacts.list(a.id, {}, { limit: 7 });
      expect(exact.continuationToken).toBeNull();
      expect(await store.contacts.count(a.id, {})).toBe(7);
      expect((await store.contacts.list(a.id, { phone: stored[2]!.phone }, { limit: 10 })).items).toEqual([stored[2]]);
      expect(await store.contacts.count(a.id, { phone: stored[2]!.phone })).toBe(1);
      expect(await store.contacts.count(a.id, { phone: freshPhone() })).toBe(0);
      await expect(store.contacts.list(a.id, {}, { limit: 2, continuationToken: 'not-a-token' })).rejects.toBeInstanceOf(
        InvalidContinuationTokenError,
      );
    });

    it('the group filter over several groups returns each contact once, pages, and counts members', async () => {
      const a = await newAccount();
      const g1 = uniqueId('grp');
      const g2 = uniqueId('grp');
      const g3 = uniqueId('grp');
      const specs = [[g1], [g1, g2], [g2], [], [g3], [g1, g2, g3], [g2, g3], [g1]];
      const stored: Contact[] = [];
      for (const groupIds of specs)
        stored.push(await store.contacts.create(makeContact({ accountId: a.id, groupIds: [...groupIds].sort() }), []));
      const expected = (wanted: string[]) =>
        stored.filter((c) => c.groupIds.some((g) => wanted.includes(g))).sort((x, y) => (x.id < y.id ? -1 : 1));

      for (const limit of [1, 2, 3, 10]) {
        const items = await allPages(a.id, { groupIds: [g1, g2] }, limit);
        expect(ids(items)).toEqual(ids(expected([g1, g2])));
        expect(new Set(ids(items)).size).toBe(items.length);
      }
      expect(await allPages(a.id, { groupIds: [g3] }, 2)).toEqual(expected([g3]));
      expect(await allPages(a.id, { groupIds: [g1, g2, g3, g1] }, 4)).toEqual(expected([g1, g2, g3]));
      expect(await store.contacts.count(a.id, { groupIds: [g1] })).toBe(expected([g1]).length);
      expect(await store.contacts.count(a.id, { groupIds: [g1, g2] })).toBe(expected([g1, g2]).length);
      expect(await store.contacts.count(a.id, { groupIds: [g1, g2, g3] })).toBe(7);
      expect(await store.contacts.count(a.id, { groupIds: [uniqueId('grp')] })).toBe(0);
      expect(await store.contacts.count(a.id, { groupIds: [] })).toBe(0);
      expect((await store.contacts.list(a.id, { groupIds: [] }, { limit: 10 })).items).toEqual([]);
      // Phone and groups together.
      expect((await store.contacts.list(a.id, { phone: stored[4]!.phone, groupIds: [g3] }, { limit: 5 })).items).toEqual([stored[4]]);
      expect((await store.contacts.list(a.id, { phone: stored[4]!.phone, groupIds: [g1] }, { limit: 5 })).items).toEqual([]);
    });

    it('groups: create, get, list by name ignoring case, scoped to the account', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const zeta = await store.groups.create(makeGroup({ accountId: a.id, name: 'zeta' }));
      const alpha = await store.groups.create(makeGroup({ accountId: a.id, name: 'Alpha', description: 'First' }));
      const mid = await store.groups.create(makeGroup({ accountId: a.id, name: 'beta' }));
      expect(alpha).toEqual({ ...alpha, etag: expect.any(String) });
      expect(await store.groups.get(a.id, alpha.id)).toEqual(alpha);
      expect(await store.groups.get(b.id, alpha.id)).toBeNull();
      expect(await store.groups.list(a.id)).toEqual([alpha, mid, zeta]);
      expect(await store.groups.list(b.id)).toEqual([]);
      // Same name in another account is fine.
      await expect(store.groups.create(makeGroup({ accountId: b.id, name: 'Alpha' }))).resolves.toBeDefined();
    });

    it('group names are unique per account ignoring case, also under concurrency', async () => {
      const a = await newAccount();
      const vip = await store.groups.create(makeGroup({ accountId: a.id, name: 'VIP' }));
      await expect(store.groups.create(makeGroup({ accountId: a.id, name: 'vip' }))).rejects.toBeInstanceOf(DuplicateError);
      await expect(store.groups.create(makeGroup({ accountId: a.id, name: 'ＶＩＰ' }))).rejects.toBeInstanceOf(DuplicateError);
      expect(await store.groups.list(a.id)).toEqual([vip]);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 4 }, () => store.groups.create(makeGroup({ accountId: a.id, name: 'Newsletter' }))),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(DuplicateError);
      expect((await store.groups.list(a.id)).map((g) => g.name)).toEqual(['Newsletter', 'VIP']);
    });

    it('group update checks the etag and the name; a rename frees the old name', async () => {
      const a = await newAccount();
      const one = await store.groups.create(makeGroup({ accountId: a.id, name: 'One' }));
      const two = await store.groups.create(makeGroup({ accountId: a.id, name: 'Two' }));
      await expect(store.groups.update({ ...two, name: 'ONE' })).rejects.toBeInstanceOf(DuplicateError);
      expect(await store.groups.get(a.id, two.id)).toEqual(two);

      const recased = await store.groups.update({ ...one, name: 'one', description: 'lower case now' });
      expect(recased).toEqual({ ...one, name: 'one', description: 'lower case now', etag: expect.any(String) });
      await expect(store.groups.update({ ...one, description: 'stale' })).rejects.toBeInstanceOf(ConcurrencyError);
      const renamed = await store.groups.update({ ...recased, name: 'Uno' });
      expect(await store.groups.get(a.id, one.id)).toEqual(renamed);
      await expect(store.groups.create(makeGroup({ accountId: a.id, name: 'ONE' }))).resolves.toBeDefined();
      await expect(store.groups.create(makeGroup({ accountId: a.id, name: 'uno' }))).rejects.toBeInstanceOf(DuplicateError);
    });

    it('group delete: true once, false after and for another account; the name is free again; members keep the id', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const group = await store.groups.create(makeGroup({ accountId: a.id, name: 'Leaving' }));
      const member = await store.contacts.create(makeContact({ accountId: a.id, groupIds: [group.id] }), []);
      expect(await store.groups.delete(b.id, group.id)).toBe(false);
      expect(await store.groups.delete(a.id, group.id)).toBe(true);
      expect(await store.groups.delete(a.id, group.id)).toBe(false);
      expect(await store.groups.get(a.id, group.id)).toBeNull();
      expect(await store.groups.list(a.id)).toEqual([]);
      expect((await store.contacts.get(a.id, member.id))?.groupIds).toEqual([group.id]);
      await expect(store.groups.create(makeGroup({ accountId: a.id, name: 'leaving' }))).resolves.toBeDefined();
    });
  });
}
