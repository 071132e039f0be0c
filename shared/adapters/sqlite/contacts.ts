import type { Contact, ContactGroup } from '../../domain/contact';
import { groupNameKey } from '../../domain/contactRules';
import type { DomainEvent } from '../../domain/types';
import {
  ConcurrencyError,
  DuplicateError,
  InvalidContinuationTokenError,
  type ContactFilter,
  type ContactStore,
  type GroupStore,
  type Page,
  type PageRequest,
} from '../../ports/stores';
import { groupCommitFor, migrate, type Db } from './database';
import { docOf, isUniqueViolation, newEtag, parse, type Row } from './rows';

/**
 * Contacts and groups in the embedded database. Uniqueness (phone per account, group name per
 * account regardless of case) is held by unique indexes, so concurrent writers cannot both win.
 * Membership is mirrored into `contact_group_members`, written in the same transaction as the
 * contact, so the group filter is an index range per group instead of a scan of every document.
 */
const MIGRATIONS = [
  `
  CREATE TABLE contacts (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    phone TEXT NOT NULL,
    etag TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX contacts_by_phone ON contacts (account_id, phone);
  CREATE TABLE contact_group_members (
    account_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    PRIMARY KEY (account_id, group_id, contact_id)
  ) WITHOUT ROWID;
  -- The primary key serves the group filter; rewriting a contact's membership needs the other direction.
  CREATE INDEX contact_group_members_by_contact ON contact_group_members (account_id, contact_id);
  CREATE TABLE contact_groups (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name_key TEXT NOT NULL,
    etag TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX contact_groups_by_name ON contact_groups (account_id, name_key);
  `,
];

// The same keyset token shape as the Cosmos store: base64url JSON of the last id.
function encodeToken(id: string): string {
  return Buffer.from(JSON.stringify({ v: 1, k: [id] })).toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; k?: unknown };
    if (v.v === 1 && Array.isArray(v.k) && v.k.length === 1 && typeof v.k[0] === 'string') return v.k[0];
  } catch {
    // fall through
  }
  throw new InvalidContinuationTokenError();
}

/**
 * `appendEvents` writes events into the outbox; it is called inside the same group-commit write
 * as the change, so both land in one transaction.
 */
export function createSqliteContactStores(
  db: Db,
  appendEvents: (events: DomainEvent[]) => void,
): { contacts: ContactStore; groups: GroupStore } {
  migrate(db, MIGRATIONS, 'contacts');
  const gc = groupCommitFor(db);
  const st = {
    insert: db.prepare('INSERT INTO contacts (account_id, id, phone, etag, doc) VALUES (?, ?, ?, ?, ?)'),
    update: db.prepare('UPDATE contacts SET phone = ?, etag = ?, doc = ? WHERE account_id = ? AND id = ? AND etag = ?'),
    remove: db.prepare('DELETE FROM contacts WHERE account_id = ? AND id = ? AND etag = ?'),
    get: db.prepare<[string, string]>('SELECT doc, etag FROM contacts WHERE account_id = ? AND id = ?'),
    byPhone: db.prepare<[string, string]>('SELECT id, doc, etag FROM contacts WHERE account_id = ? AND phone = ?'),
    page: db.prepare<[string, string, number]>('SELECT doc, etag FROM contacts WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?'),
    count: db.prepare<[string]>('SELECT COUNT(*) AS n FROM contacts WHERE account_id = ?'),
    memberAdd: db.prepare('INSERT INTO contact_group_members (account_id, group_id, contact_id) VALUES (?, ?, ?)'),
    memberClear: db.prepare('DELETE FROM contact_group_members WHERE account_id = ? AND contact_id = ?'),
    // Served by the primary key: one index range per group, in contact id order.
    memberPage: db.prepare<[string, string, string, number]>(
      'SELECT contact_id FROM contact_group_members WHERE account_id = ? AND group_id = ? AND contact_id > ? ORDER BY contact_id LIMIT ?',
    ),
    groupInsert: db.prepare('INSERT INTO contact_groups (account_id, id, name_key, etag, doc) VALUES (?, ?, ?, ?, ?)'),
    groupUpdate: db.prepare('UPDATE contact_groups SET name_key = ?, etag = ?, doc = ? WHERE account_id = ? AND id = ? AND etag = ?'),
    groupGet: db.prepare<[string, string]>('SELECT doc, etag FROM contact_groups WHERE account_id = ? AND id = ?'),
    groupByName: db.prepare<[string, string]>('SELECT id FROM contact_groups WHERE account_id = ? AND name_key = ?'),
    groupList: db.prepare<[string]>('SELECT doc, etag FROM contact_groups WHERE account_id = ? ORDER BY name_key, id'),
    groupDelete: db.prepare<[string, string]>('DELETE FROM contact_groups WHERE account_id = ? AND id = ?'),
  };
  const setMembership = (c: Contact) => {
    st.memberClear.run(c.accountId, c.id);
    for (const g of new Set(c.groupIds)) st.memberAdd.run(c.accountId, g, c.id);
  };

  const phoneOwner = (accountId: string, phone: string): string | null =>
    (st.byPhone.get(accountId, phone) as { id: string } | undefined)?.id ?? null;
  const groupNameOwner = (accountId: string, name: string): string | null =>
    (st.groupByName.get(accountId, groupNameKey(name)) as { id: string } | undefined)?.id ?? null;

  /** Runs a write; a constraint the checks inside did not foresee (a duplicate event id) is a DuplicateError. */
  async function write<T>(what: string, fn: () => T): Promise<T> {
    try {
      return await gc.run(fn);
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError(what);
      throw err;
    }
  }

  /** Ids of the first `limit` contacts after `after` in any of the groups, each once, in id order. */
  function memberIds(accountId: string, groupIds: string[], after: string, limit: number): string[] {
    // The first `limit` of the union are among the first `limit` of each group: a k-way merge of
    // short index ranges, whatever the size of the groups.
    const ids = new Set<string>();
    for (const g of new Set(groupIds))
      for (const row of st.memberPage.all(accountId, g, after, limit) as { contact_id: string }[]) ids.add(row.contact_id);
    return [...ids].sort().slice(0, limit);
  }

  const contacts: ContactStore = {
    async create(contact, events) {
      const etag = newEtag();
      await write(`contact ${contact.id} or an event`, () => {
        if (phoneOwner(contact.accountId, contact.phone)) throw new DuplicateError(`contact with phone ${contact.phone}`);
        st.insert.run(contact.accountId, contact.id, contact.phone, etag, docOf(contact));
        setMembership(contact);
        appendEvents(events);
      });
      return { ...contact, etag };
    },
    async get(accountId, id) {
      return parse<Contact>(st.get.get(accountId, id) as Row | undefined);
    },
    async findByPhone(accountId, phone) {
      return parse<Contact>(st.byPhone.get(accountId, phone) as Row | undefined);
    },
    async update(contact, events) {
      const etag = newEtag();
      await write(`an event of contact ${contact.id}`, () => {
        const owner = phoneOwner(contact.accountId, contact.phone);
        if (owner && owner !== contact.id) throw new DuplicateError(`contact with phone ${contact.phone}`);
        const changed = st.update.run(contact.phone, etag, docOf(contact), contact.accountId, contact.id, contact.etag ?? '').changes;
        if (changed === 0) throw new ConcurrencyError(`contact ${contact.id}`);
        setMembership(contact);
        appendEvents(events);
      });
      return { ...contact, etag };
    },
    async delete(contact, events) {
      await write(`an event of contact ${contact.id}`, () => {
        const changed = st.remove.run(contact.accountId, contact.id, contact.etag ?? '').changes;
        if (changed === 0) throw new ConcurrencyError(`contact ${contact.id}`);
        st.memberClear.run(contact.accountId, contact.id);
        appendEvents(events);
      });
    },
    async list(accountId: string, filter: ContactFilter, page: PageRequest): Promise<Page<Contact>> {
      const after = page.continuationToken ? decodeToken(page.continuationToken) : '';
      let rows: Row[];
      if (filter.phone !== undefined) {
        const row = st.byPhone.get(accountId, filter.phone) as (Row & { id: string }) | undefined;
        rows = row && row.id > after ? [row] : [];
      } else if (filter.groupIds !== undefined) {
        rows = memberIds(accountId, filter.groupIds, after, page.limit + 1).flatMap(
          (id) => (st.get.get(accountId, id) as Row | undefined) ?? [],
        );
      } else {
        rows = st.page.all(accountId, after, page.limit + 1) as Row[];
      }
      let items = rows.map((r) => parse<Contact>(r)!);
      if (filter.phone !== undefined && filter.groupIds !== undefined) {
        const wanted = new Set(filter.groupIds);
        items = items.filter((c) => c.groupIds.some((g) => wanted.has(g)));
      }
      const more = items.length > page.limit;
      items = items.slice(0, page.limit);
      const last = items[items.length - 1];
      return { items, continuationToken: more && last ? encodeToken(last.id) : null };
    },
    async count(accountId, filter) {
      if (filter.phone !== undefined) return (await contacts.list(accountId, filter, { limit: 1 })).items.length;
      if (filter.groupIds !== undefined) {
        const groups = [...new Set(filter.groupIds)];
        if (groups.length === 0) return 0;
        const sql = `SELECT COUNT(DISTINCT contact_id) AS n FROM contact_group_members WHERE account_id = ? AND group_id IN (${groups.map(() => '?').join(', ')})`;
        return (db.prepare(sql).get(accountId, ...groups) as { n: number }).n;
      }
      return (st.count.get(accountId) as { n: number }).n;
    },
  };

  const groups: GroupStore = {
    async create(group) {
      const etag = newEtag();
      await write(`group named ${group.name}`, () => {
        if (groupNameOwner(group.accountId, group.name)) throw new DuplicateError(`group named ${group.name}`);
        st.groupInsert.run(group.accountId, group.id, groupNameKey(group.name), etag, docOf(group));
      });
      return { ...group, etag };
    },
    async get(accountId, id) {
      return parse<ContactGroup>(st.groupGet.get(accountId, id) as Row | undefined);
    },
    async list(accountId) {
      return (st.groupList.all(accountId) as Row[]).map((r) => parse<ContactGroup>(r)!);
    },
    async update(group) {
      const etag = newEtag();
      await write(`group named ${group.name}`, () => {
        const owner = groupNameOwner(group.accountId, group.name);
        if (owner && owner !== group.id) throw new DuplicateError(`group named ${group.name}`);
        const changed = st.groupUpdate.run(
          groupNameKey(group.name),
          etag,
          docOf(group),
          group.accountId,
          group.id,
          group.etag ?? '',
        ).changes;
        if (changed === 0) throw new ConcurrencyError(`group ${group.id}`);
      });
      return { ...group, etag };
    },
    async delete(accountId, id) {
      return gc.run(() => st.groupDelete.run(accountId, id).changes > 0);
    },
  };

  return { contacts, groups };
}
