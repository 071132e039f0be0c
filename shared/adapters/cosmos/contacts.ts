import type { JSONObject, SqlParameter } from '@azure/cosmos';
import type { Contact, ContactGroup } from '../../domain/contact';
import { groupNameKey } from '../../domain/contactRules';
import type { DomainEvent } from '../../domain/types';
import {
  ConcurrencyError,
  DuplicateError,
  type ContactFilter,
  type ContactStore,
  type GroupStore,
  type Page,
  type PageRequest,
} from '../../ports/stores';
import type { CosmosContext } from './context';
import {
  BatchFailure,
  assertValidId,
  decodeToken,
  deleteIfMatch,
  etagOf,
  fromDoc,
  hashKey,
  isStale,
  pageLimit,
  queryDocs,
  queryValues,
  readDoc,
  runBatch,
  toDoc,
  toPage,
  withoutSystem,
  type BatchStep,
  type Doc,
} from './internal';
import { duplicateEventError, eventSteps } from './outbox';
import { UniqueKeyedRecords } from './uniqueKeyed';

/**
 * Contacts and groups in their account's partition of `tenants` (docType `contact` / `group`).
 *
 * Uniqueness rides on marker documents whose ids derive from the unique key, written in the same
 * transactional batch as the record: `ctcphone_<hash(phone)>` (docType `contactPhone`) and
 * `grpname_<hash(lower-cased name)>` (docType `groupName`). Two concurrent creates with the same key
 * collide on the marker id (409) and the loser's batch writes nothing. Every change of the key moves
 * the marker in the same batch, so a marker never outlives its record.
 *
 * Membership is the contact's `groupIds` array; the group filter is ARRAY_CONTAINS on it, served by
 * the `/groupIds/[]/?` index, so a contact in several of the asked groups comes back once.
 */

const phoneMarkerId = (phone: string) => `ctcphone_${hashKey(phone)}`;
const nameMarkerId = (name: string) => `grpname_${hashKey(groupNameKey(name))}`;

const contactDoc = (c: Contact): JSONObject => toDoc(c, { docType: 'contact' });
const contactFromDoc = (doc: Doc): Contact => fromDoc<Contact>(doc, ['docType'], true);
const groupDoc = (g: ContactGroup): JSONObject => toDoc(g, { docType: 'group' });
const groupFromDoc = (doc: Doc): ContactGroup => fromDoc<ContactGroup>(doc, ['docType'], true);

export class CosmosContactStore implements ContactStore {
  constructor(private readonly ctx: CosmosContext) {}

  /** One batch: [create phone marker, create contact, create events]. */
  async create(contact: Contact, events: DomainEvent[]): Promise<Contact> {
    assertValidId(contact.id, 'contact');
    assertValidId(contact.accountId, 'account');
    const marker = { id: phoneMarkerId(contact.phone), accountId: contact.accountId, docType: 'contactPhone', contactId: contact.id };
    const steps: BatchStep[] = [
      { op: { operationType: 'Create', resourceBody: marker }, undo: { kind: 'delete', id: marker.id } },
      { op: { operationType: 'Create', resourceBody: contactDoc(contact) }, undo: { kind: 'delete', id: contact.id } },
      ...eventSteps(events, contact.accountId),
    ];
    try {
      const results = await runBatch(this.ctx.tenants, contact.accountId, steps);
      return { ...contact, etag: etagOf(results[1]) };
    } catch (err) {
      if (!(err instanceof BatchFailure) || err.status !== 409) throw err;
      if (err.index === 0) throw new DuplicateError(`contact with phone ${contact.phone}`);
      if (err.index === 1) throw new DuplicateError(`contact ${contact.id}`);
      throw duplicateEventError(events, err.index - 2);
    }
  }

  async get(accountId: string, id: string): Promise<Contact | null> {
    const doc = await readDoc(this.ctx.tenants, id, accountId);
    return doc && doc.docType === 'contact' && doc.accountId === accountId ? contactFromDoc(doc) : null;
  }

  /** Point read of the phone marker, then of the contact it names. */
  async findByPhone(accountId: string, phone: string): Promise<Contact | null> {
    const marker = await readDoc(this.ctx.tenants, phoneMarkerId(phone), accountId);
    if (marker?.docType !== 'contactPhone') return null;
    const contact = await this.get(accountId, String(marker.contactId));
    return contact && contact.phone === phone ? contact : null;
  }

  /**
   * Reads the stored version first (its phone names the marker to move, and its body is the undo on
   * the test server), then one batch: [create the new phone's marker when the phone changes, replace
   * if-match, create events, delete the old marker].
   */
  async update(contact: Contact, events: DomainEvent[]): Promise<Contact> {
    if (!contact.etag) throw new ConcurrencyError(`contact ${contact.id}`); // never read, so never current
    const stored = await readDoc(this.ctx.tenants, contact.id, contact.accountId);
    if (stored?.docType !== 'contact' || stored._etag !== contact.etag) throw new ConcurrencyError(`contact ${contact.id}`);
    const oldPhone = String(stored.phone);
    const moves = oldPhone !== contact.phone;
    const steps: BatchStep[] = [];
    if (moves) {
      const marker = { id: phoneMarkerId(contact.phone), accountId: contact.accountId, docType: 'contactPhone', contactId: contact.id };
      steps.push({ op: { operationType: 'Create', resourceBody: marker }, undo: { kind: 'delete', id: marker.id } });
    }
    const replaceIndex = steps.length;
    steps.push({
      op: { operationType: 'Replace', id: contact.id, resourceBody: contactDoc(contact), ifMatch: contact.etag },
      undo: { kind: 'restore', id: contact.id, body: withoutSystem(stored) },
    });
    steps.push(...eventSteps(events, contact.accountId));
    // Last: it cannot be undone on the test server, and nothing after it can fail.
    if (moves) steps.push({ op: { operationType: 'Delete', id: phoneMarkerId(oldPhone) } });
    try {
      const results = await runBatch(this.ctx.tenants, contact.accountId, steps);
      return { ...contact, etag: etagOf(results[replaceIndex]) };
    } catch (err) {
      if (!(err instanceof BatchFailure)) throw err;
      if (moves && err.index === 0 && err.status === 409) throw new DuplicateError(`contact with phone ${contact.phone}`);
      if (isStale(err, replaceIndex)) throw new ConcurrencyError(`contact ${contact.id}`);
      if (err.status === 409) throw duplicateEventError(events, err.index - replaceIndex - 1);
      throw err;
    }
  }

  /** One batch: [delete the contact if-match, delete its phone marker, create events]. */
  async delete(contact: Contact, events: DomainEvent[]): Promise<void> {
    if (!contact.etag) throw new ConcurrencyError(`contact ${contact.id}`);
    const steps: BatchStep[] = [
      { op: deleteIfMatch(contact.id, contact.etag) },
      { op: { operationType: 'Delete', id: phoneMarkerId(contact.phone) } },
      ...eventSteps(events, contact.accountId),
    ];
    try {
      await runBatch(this.ctx.tenants, contact.accountId, steps);
    } catch (err) {
      if (!(err instanceof BatchFailure)) throw err;
      if (isStale(err, 0)) throw new ConcurrencyError(`contact ${contact.id}`);
      if (err.status === 409) throw duplicateEventError(events, err.index - 2);
      throw err;
    }
  }

  /** Keyset-paged by id (ids sort by creation time), `TOP limit+1`. */
  async list(accountId: string, filter: ContactFilter, page: PageRequest): Promise<Page<Contact>> {
    const limit = pageLimit(page.limit);
    const where = this.where(accountId, filter);
    if (!where) return { items: [], continuationToken: null };
    if (page.continuationToken !== undefined) {
      const [after] = decodeToken(page.continuationToken, 1) as [string];
      where.clauses.push('c.id > @after');
      where.parameters.push({ name: '@after', value: after });
    }
    const docs = await queryDocs(
      this.ctx.tenants,
      `SELECT TOP ${limit + 1} * FROM c WHERE ${where.clauses.join(' AND ')} ORDER BY c.id ASC`,
      where.parameters,
      accountId,
    );
    return toPage(docs, limit, contactFromDoc, (c) => [c.id]);
  }

  /** Index-only COUNT: no document is loaded. */
  async count(accountId: string, filter: ContactFilter): Promise<number> {
    const where = this.where(accountId, filter);
    if (!where) return 0;
    const values = await queryValues(
      this.ctx.tenants,
      `SELECT VALUE COUNT(1) FROM c WHERE ${where.clauses.join(' AND ')}`,
      where.parameters,
      accountId,
    );
    return values.reduce<number>((sum, n) => sum + (typeof n === 'number' ? n : 0), 0);
  }

  /** The filter as SQL; null when it can match nothing (an empty list of groups). */
  private where(accountId: string, filter: ContactFilter): { clauses: string[]; parameters: SqlParameter[] } | null {
    const clauses = ["c.docType = 'contact'", 'c.accountId = @accountId'];
    const parameters: SqlParameter[] = [{ name: '@accountId', value: accountId }];
    if (filter.phone !== undefined) {
      clauses.push('c.phone = @phone');
      parameters.push({ name: '@phone', value: filter.phone });
    }
    if (filter.groupIds !== undefined) {
      const groups = [...new Set(filter.groupIds)];
      if (groups.length === 0) return null;
      clauses.push(`(${groups.map((_g, i) => `ARRAY_CONTAINS(c.groupIds, @g${i})`).join(' OR ')})`);
      groups.forEach((g, i) => parameters.push({ name: `@g${i}`, value: g }));
    }
    return { clauses, parameters };
  }
}

export class CosmosGroupStore implements GroupStore {
  private readonly records: UniqueKeyedRecords<ContactGroup>;

  constructor(private readonly ctx: CosmosContext) {
    this.records = new UniqueKeyedRecords<ContactGroup>(ctx, {
      docType: 'group',
      markerDocType: 'groupName',
      ownerField: 'groupId',
      what: 'group',
      markerId: (g) => nameMarkerId(g.name),
      duplicate: (g) => new DuplicateError(`group named ${g.name}`),
      toDoc: groupDoc,
      fromDoc: groupFromDoc,
    });
  }

  create(group: ContactGroup): Promise<ContactGroup> {
    return this.records.create(group);
  }

  get(accountId: string, id: string): Promise<ContactGroup | null> {
    return this.records.get(accountId, id);
  }

  /** An account has few groups: one query, sorted in memory. */
  async list(accountId: string): Promise<ContactGroup[]> {
    const docs = await queryDocs(
      this.ctx.tenants,
      "SELECT * FROM c WHERE c.docType = 'group' AND c.accountId = @accountId",
      [{ name: '@accountId', value: accountId }],
      accountId,
    );
    return docs
      .map(groupFromDoc)
      .map((g) => ({ g, key: groupNameKey(g.name) }))
      .sort((a, b) => (a.key !== b.key ? (a.key < b.key ? -1 : 1) : a.g.id < b.g.id ? -1 : a.g.id > b.g.id ? 1 : 0))
      .map((x) => x.g);
  }

  update(group: ContactGroup): Promise<ContactGroup> {
    return this.records.update(group);
  }

  delete(accountId: string, id: string): Promise<boolean> {
    return this.records.delete(accountId, id);
  }
}
