import type { ContactGroup } from '../domain/contact';
import { groupNameKey } from '../domain/contactRules';
import { DuplicateError } from '../ports';
import { groupIndex, modifyContact } from './contacts';
import { nowIso, type AppDeps } from './deps';
import { type AppError, conflict, invalid, notFound, unprocessable } from './errors';
import { pagesOf } from './pages';
import { mapPooled } from './pool';
import { retryOnConflict } from './retryOnConflict';
import { contactView, groupView, type ContactView, type GroupView } from './views';

export const GROUP_NAME_MAX = 100;
export const GROUP_DESCRIPTION_MAX = 500;
/** Contacts one "add contacts to a group" call may name. */
export const GROUP_ADD_MAX = 1000;
/** Contacts changed at once by the calls that change many. */
const CONCURRENCY = 8;

const memberCount = (deps: AppDeps, g: ContactGroup) => deps.store.contacts.count(g.accountId, { groupIds: [g.id] });

async function withCount(deps: AppDeps, g: ContactGroup): Promise<GroupView> {
  return groupView(g, await memberCount(deps, g));
}

function groupName(raw: string): string {
  const name = raw.trim();
  if (!name) throw invalid([{ path: '/name', message: 'must not be blank' }]);
  return name;
}

async function nameTaken(deps: AppDeps, accountId: string, name: string): Promise<AppError> {
  const key = groupNameKey(name);
  const owner = (await deps.store.groups.list(accountId)).find((g) => groupNameKey(g.name) === key);
  return conflict(
    'group_exists',
    `A group named "${owner?.name ?? name}" exists already${owner ? `: ${owner.id}` : ''}.`,
    [{ path: '/name', message: 'is taken by another group (names ignore case)' }],
    owner ? { groupId: owner.id } : undefined,
  );
}

async function mustGet(deps: AppDeps, accountId: string, id: string): Promise<ContactGroup> {
  const g = await deps.store.groups.get(accountId, id);
  if (!g) throw notFound(`Group ${id}`);
  return g;
}

export async function createGroup(
  deps: AppDeps,
  accountId: string,
  input: { name: string; description?: string | null },
): Promise<GroupView> {
  const name = groupName(input.name);
  const now = nowIso(deps);
  const group: ContactGroup = {
    id: deps.ids.next('grp'),
    accountId,
    name,
    description: input.description?.trim() || null,
    createdAt: now,
    updatedAt: now,
  };
  try {
    return groupView(await deps.store.groups.create(group), 0);
  } catch (err) {
    if (err instanceof DuplicateError) throw await nameTaken(deps, accountId, name);
    throw err;
  }
}

/** Every group of the account, by name, each with its member count. */
export async function listGroups(deps: AppDeps, accountId: string): Promise<GroupView[]> {
  const groups = await deps.store.groups.list(accountId);
  return Promise.all(groups.map((g) => withCount(deps, g)));
}

export async function getGroup(deps: AppDeps, accountId: string, id: string): Promise<GroupView> {
  return withCount(deps, await mustGet(deps, accountId, id));
}

export async function updateGroup(
  deps: AppDeps,
  accountId: string,
  id: string,
  patch: { name?: string; description?: string | null },
): Promise<GroupView> {
  const name = patch.name === undefined ? undefined : groupName(patch.name);
  const saved = await retryOnConflict(async () => {
    const current = await mustGet(deps, accountId, id);
    const description = patch.description === undefined ? current.description : patch.description?.trim() || null;
    if ((name ?? current.name) === current.name && description === current.description) return current;
    try {
      return await deps.store.groups.update({ ...current, name: name ?? current.name, description, updatedAt: nowIso(deps) });
    } catch (err) {
      if (err instanceof DuplicateError) throw await nameTaken(deps, accountId, name ?? current.name);
      throw err;
    }
  });
  return withCount(deps, saved);
}

/**
 * Takes the group off each member (a contact.updated event each, as for any membership change),
 * then deletes it. Answers the group as it was, with the number of contacts it was taken off.
 */
export async function deleteGroup(deps: AppDeps, accountId: string, id: string): Promise<GroupView> {
  const group = await mustGet(deps, accountId, id);
  const groups = await groupIndex(deps, accountId);
  let removed = 0;
  // Keyset pages by contact id: taking members off does not move the pages still to come.
  for await (const members of pagesOf((page) => deps.store.contacts.list(accountId, { groupIds: [id] }, page), 100)) {
    const results = await mapPooled(members, CONCURRENCY, (member) =>
      modifyContact(deps, accountId, member.id, (c) => ({ ...c, groupIds: c.groupIds.filter((g) => g !== id) }), groups),
    );
    removed += results.filter((r) => r?.changed).length;
  }
  await deps.store.groups.delete(accountId, id);
  return groupView(group, removed);
}

export interface AddToGroupResult {
  group: GroupView;
  /** Contacts that joined the group with this call. */
  added: string[];
  /** Contacts that were members already. */
  alreadyMembers: string[];
}

/**
 * Adds contacts to a group. Every id is checked first: an unknown one (or another account's) is a
 * 422 naming it, and nothing is changed. Each contact that joins emits contact.updated.
 */
export async function addContactsToGroup(
  deps: AppDeps,
  accountId: string,
  groupId: string,
  contactIds: string[],
): Promise<AddToGroupResult> {
  const group = await mustGet(deps, accountId, groupId);
  const found = await Promise.all(contactIds.map((id) => deps.store.contacts.get(accountId, id)));
  const missing = found.indexOf(null);
  if (missing >= 0)
    throw unprocessable('contact_not_found', `/contactIds/${missing}`, `${contactIds[missing]} is not a contact of this account`);
  const groups = await groupIndex(deps, accountId);
  const unique = [...new Set(contactIds)];
  const results = await mapPooled(unique, CONCURRENCY, (id) =>
    modifyContact(deps, accountId, id, (c) => ({ ...c, groupIds: [...c.groupIds, groupId] }), groups),
  );
  // A contact deleted since the check is in neither list: it was not added.
  const added = unique.filter((_id, i) => results[i]?.changed === true);
  const alreadyMembers = unique.filter((_id, i) => results[i]?.changed === false);
  return { group: await withCount(deps, group), added, alreadyMembers };
}

/** Takes one contact off a group; 404 when the group, the contact or the membership does not exist. */
export async function removeContactFromGroup(deps: AppDeps, accountId: string, groupId: string, contactId: string): Promise<ContactView> {
  await mustGet(deps, accountId, groupId);
  const result = await modifyContact(deps, accountId, contactId, (c) => {
    if (!c.groupIds.includes(groupId)) throw notFound(`Contact ${contactId} in group ${groupId}`);
    return { ...c, groupIds: c.groupIds.filter((g) => g !== groupId) };
  });
  if (!result) throw notFound(`Contact ${contactId}`);
  return contactView(result.contact, result.groups, (await deps.store.optOuts.get(accountId, result.contact.phone)) !== null);
}
