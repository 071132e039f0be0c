import type { Contact, ContactGroup } from '../domain/contact';
import { canonicalGroupIds, contactChanges } from '../domain/contactRules';
import { EVENT_TYPES, type EventData } from '../domain/events';
import { ERASED } from '../domain/erasure';
import type { Account, DomainEvent } from '../domain/types';
import { DuplicateError, type ContactFilter } from '../ports';
import { makeEvent, nowIso, type AppDeps } from './deps';
import { type AppError, conflict, invalid, notFound, unprocessable, type FieldError } from './errors';
import { e164 } from './phoneInput';
import { retryOnConflict } from './retryOnConflict';
import { contactView, groupsOf, type ContactView } from './views';

/** Limits of the free-form part of a contact (also applied to CSV imports). */
export const CUSTOM_FIELDS_MAX = 50;
export const CUSTOM_FIELD_NAME_MAX = 64;
export const CUSTOM_FIELD_VALUE_MAX = 500;
export const NAME_MAX = 100;
export const EMAIL_MAX = 254;

export interface ContactInput {
  phone: string;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  customFields?: Record<string, string>;
  groupIds?: string[];
}

/** PATCH semantics: absent = unchanged; null clears a name or the email, or removes a custom field. */
export interface ContactPatch {
  phone?: string;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  customFields?: Record<string, string | null>;
  groupIds?: string[];
}

/** The account's groups by id: names for views and events, existence for membership checks. */
export type GroupIndex = Map<string, ContactGroup>;

export async function groupIndex(deps: AppDeps, accountId: string): Promise<GroupIndex> {
  return new Map((await deps.store.groups.list(accountId)).map((g) => [g.id, g]));
}

/** Every id must name a group of the account; the first that does not is named (422, nothing written). */
export function checkGroupIds(ids: readonly string[], groups: GroupIndex, path = '/groupIds'): void {
  const missing = ids.findIndex((id) => !groups.has(id));
  if (missing >= 0) throw unprocessable('group_not_found', `${path}/${missing}`, `${ids[missing]} is not a group of this account`);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Field problems of a name, email or custom field value; the API and the CSV import share them. */
export function emailProblem(email: string): string | null {
  if (email.length > EMAIL_MAX) return `must be at most ${EMAIL_MAX} characters`;
  return EMAIL.test(email) ? null : 'is not an email address';
}

export function customFieldProblems(fields: Record<string, unknown>, path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (name.trim() === '' || name.length > CUSTOM_FIELD_NAME_MAX)
      errors.push({ path: `${path}/${name}`, message: `names must be 1 to ${CUSTOM_FIELD_NAME_MAX} characters` });
    else if (typeof value === 'string' && value.length > CUSTOM_FIELD_VALUE_MAX)
      errors.push({ path: `${path}/${name}`, message: `must be at most ${CUSTOM_FIELD_VALUE_MAX} characters` });
  }
  if (Object.keys(fields).length > CUSTOM_FIELDS_MAX) errors.push({ path, message: `must have at most ${CUSTOM_FIELDS_MAX} fields` });
  return errors;
}

/** Trimmed; an empty string means "no value". */
const text = (v: string | null | undefined): string | null => {
  const t = v?.trim();
  return t ? t : null;
};

export function phoneTaken(phone: string, existingId: string, path = '/phone'): AppError {
  return conflict(
    'contact_exists',
    `A contact with phone ${phone} exists already: ${existingId}.`,
    [{ path, message: `belongs to contact ${existingId}` }],
    { contactId: existingId },
  );
}

// ---- event payloads (shapes of the catalog's contact.* schemas) --------------------------------

function contactData(c: Contact, optedOut: boolean) {
  return {
    contactId: c.id,
    phone: c.phone,
    firstName: c.firstName,
    lastName: c.lastName,
    email: c.email,
    optedOut,
    customFields: c.customFields,
  };
}

function addedEvent(deps: AppDeps, c: Contact, groups: GroupIndex, optedOut: boolean): DomainEvent {
  return makeEvent(deps, EVENT_TYPES.contactAdded, c.accountId, {
    contactId: c.id,
    contact: contactData(c, optedOut),
    groups: groupsOf(c, groups),
    customFields: c.customFields,
    createdAt: c.createdAt,
  });
}

function deletedEvent(deps: AppDeps, c: Contact, groups: GroupIndex, optedOut: boolean, reason: ContactDeletionReason): DomainEvent {
  // An erasure must not store again, in its own event, what it erases: the contact's id and groups only.
  const shown = reason === ERASURE_REASON ? { ...c, phone: ERASED, firstName: null, lastName: null, email: null, customFields: {} } : c;
  return makeEvent(deps, EVENT_TYPES.contactDeleted, c.accountId, {
    contactId: c.id,
    contact: contactData(shown, optedOut),
    groups: groupsOf(c, groups),
    reason,
    timestamp: nowIso(deps),
  });
}

// ---- views -------------------------------------------------------------------------------------

const optedOut = async (deps: AppDeps, c: Contact) => (await deps.store.optOuts.get(c.accountId, c.phone)) !== null;

export async function contactViews(deps: AppDeps, accountId: string, contacts: Contact[], groups?: GroupIndex): Promise<ContactView[]> {
  const index = groups ?? (await groupIndex(deps, accountId));
  const flags = await Promise.all(contacts.map((c) => optedOut(deps, c)));
  return contacts.map((c, i) => contactView(c, index, flags[i]!));
}

// ---- one contact changed, with its event ---------------------------------------------------------

/**
 * Reads the contact, lets `mutate` derive the next version, and writes it with a contact.updated
 * event when anything changed; again from the read when another write won the etag race. Resolves
 * null when the contact does not exist (or is deleted meanwhile), `changed: false` when `mutate`
 * changed nothing (nothing is written then).
 */
export async function modifyContact(
  deps: AppDeps,
  accountId: string,
  contactId: string,
  mutate: (current: Contact, groups: GroupIndex) => Contact | Promise<Contact>,
  /** The account's groups when the caller changes many contacts at once and has read them already. */
  loaded?: GroupIndex,
): Promise<{ contact: Contact; groups: GroupIndex; changed: boolean } | null> {
  return retryOnConflict(async () => {
    const current = await deps.store.contacts.get(accountId, contactId);
    if (!current) return null;
    const groups = loaded ?? (await groupIndex(deps, accountId));
    const proposed = await mutate(current, groups);
    const next: Contact = { ...proposed, groupIds: canonicalGroupIds(proposed.groupIds), updatedAt: nowIso(deps) };
    const changes = contactChanges(current, next);
    if (changes.changedFields.length === 0) return { contact: current, groups, changed: false };
    const event = makeEvent(deps, EVENT_TYPES.contactUpdated, accountId, {
      contactId,
      ...changes,
      groups: groupsOf(next, groups),
      updatedAt: next.updatedAt,
    });
    try {
      return { contact: await deps.store.contacts.update(next, [event]), groups, changed: true };
    } catch (err) {
      if (!(err instanceof DuplicateError) || next.phone === current.phone) throw err;
      const owner = await deps.store.contacts.findByPhone(accountId, next.phone);
      throw phoneTaken(next.phone, owner?.id ?? 'another contact');
    }
  });
}

// ---- use cases -----------------------------------------------------------------------------------

function checkDetails(input: { email?: string | null; customFields?: Record<string, unknown> }): void {
  const errors: FieldError[] = [];
  const email = text(input.email);
  const problem = email === null ? null : emailProblem(email);
  if (problem) errors.push({ path: '/email', message: problem });
  if (input.customFields) errors.push(...customFieldProblems(input.customFields, '/customFields'));
  if (errors.length) throw invalid(errors);
}

/** What a new contact is made of; the rest (id, times) is given here. */
export type NewContact = Pick<Contact, 'phone' | 'firstName' | 'lastName' | 'email' | 'customFields' | 'groupIds'>;

/**
 * Inserts a new contact with its contact.added event (the API's create and the CSV import).
 * DuplicateError when its phone was taken since the caller looked.
 */
export async function insertContact(
  deps: AppDeps,
  account: Account,
  fields: NewContact,
  groups: GroupIndex,
): Promise<{ contact: Contact; optedOut: boolean }> {
  const now = nowIso(deps);
  const contact: Contact = {
    id: deps.ids.next('ctc'),
    accountId: account.id,
    ...fields,
    groupIds: canonicalGroupIds(fields.groupIds),
    createdAt: now,
    updatedAt: now,
  };
  const isOptedOut = (await deps.store.optOuts.get(account.id, contact.phone)) !== null;
  return { contact: await deps.store.contacts.create(contact, [addedEvent(deps, contact, groups, isOptedOut)]), optedOut: isOptedOut };
}

export async function createContact(deps: AppDeps, account: Account, input: ContactInput): Promise<ContactView> {
  const phone = e164(account, input.phone, '/phone');
  checkDetails(input);
  const groups = await groupIndex(deps, account.id);
  checkGroupIds(input.groupIds ?? [], groups);
  const existing = await deps.store.contacts.findByPhone(account.id, phone);
  if (existing) throw phoneTaken(phone, existing.id);
  const fields: NewContact = {
    phone,
    firstName: text(input.firstName),
    lastName: text(input.lastName),
    email: text(input.email),
    customFields: { ...(input.customFields ?? {}) },
    groupIds: input.groupIds ?? [],
  };
  try {
    const { contact, optedOut } = await insertContact(deps, account, fields, groups);
    return contactView(contact, groups, optedOut);
  } catch (err) {
    if (!(err instanceof DuplicateError)) throw err;
    // Another request added the phone between the check and the write.
    const owner = await deps.store.contacts.findByPhone(account.id, phone);
    throw phoneTaken(phone, owner?.id ?? 'another contact');
  }
}

export async function getContact(deps: AppDeps, accountId: string, id: string): Promise<ContactView> {
  const c = await deps.store.contacts.get(accountId, id);
  if (!c) throw notFound(`Contact ${id}`);
  return (await contactViews(deps, accountId, [c]))[0]!;
}

/** Contacts oldest first; `phone` is read like any phone the account gives (national numbers too). */
export async function listContacts(
  deps: AppDeps,
  account: Account,
  query: { groupId?: string; phone?: string },
  page: { limit: number; continuationToken?: string },
) {
  const filter: ContactFilter = {};
  if (query.groupId) filter.groupIds = [query.groupId];
  if (query.phone !== undefined) filter.phone = e164(account, query.phone, 'query/phone');
  const result = await deps.store.contacts.list(account.id, filter, page);
  return { items: await contactViews(deps, account.id, result.items), continuationToken: result.continuationToken };
}

export async function updateContact(deps: AppDeps, account: Account, id: string, patch: ContactPatch): Promise<ContactView> {
  const phone = patch.phone === undefined ? undefined : e164(account, patch.phone, '/phone');
  checkDetails(patch);
  const result = await modifyContact(deps, account.id, id, async (current, groups) => {
    if (patch.groupIds) checkGroupIds(patch.groupIds, groups);
    if (phone !== undefined && phone !== current.phone) {
      const owner = await deps.store.contacts.findByPhone(account.id, phone);
      if (owner && owner.id !== id) throw phoneTaken(phone, owner.id);
    }
    const customFields = { ...current.customFields };
    for (const [name, value] of Object.entries(patch.customFields ?? {})) {
      if (value === null) delete customFields[name];
      else customFields[name] = value;
    }
    const merged = customFieldProblems(customFields, '/customFields').filter((e) => e.path === '/customFields');
    if (merged.length) throw invalid(merged);
    return {
      ...current,
      phone: phone ?? current.phone,
      firstName: patch.firstName === undefined ? current.firstName : text(patch.firstName),
      lastName: patch.lastName === undefined ? current.lastName : text(patch.lastName),
      email: patch.email === undefined ? current.email : text(patch.email),
      customFields,
      groupIds: patch.groupIds ?? current.groupIds,
    };
  });
  if (!result) throw notFound(`Contact ${id}`);
  return contactView(result.contact, result.groups, await optedOut(deps, result.contact));
}

/** The Contact Deleted reason of an erasure (POST /privacy/erase): its event carries no personal data. */
export const ERASURE_REASON: ContactDeletionReason = 'erasure';

/** Why a contact is deleted, as Contact Deleted reports it (the catalog's enum). */
export type ContactDeletionReason = EventData<'contact.deleted'>['reason'];

/** Deletes the contact and emits contact.deleted with what it was; answers the deleted contact. */
export async function deleteContact(
  deps: AppDeps,
  accountId: string,
  id: string,
  reason: ContactDeletionReason = 'api',
): Promise<ContactView> {
  return retryOnConflict(async () => {
    const c = await deps.store.contacts.get(accountId, id);
    if (!c) throw notFound(`Contact ${id}`);
    const groups = await groupIndex(deps, accountId);
    const isOptedOut = await optedOut(deps, c);
    await deps.store.contacts.delete(c, [deletedEvent(deps, c, groups, isOptedOut, reason)]);
    return contactView(c, groups, isOptedOut);
  });
}
