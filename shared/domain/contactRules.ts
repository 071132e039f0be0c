import type { Contact } from './contact';

/**
 * Rules shared by the contact use cases and every store: what makes two group names the same, the
 * canonical form of a membership list, and what changed between two versions of a contact.
 */

/**
 * Group names are unique per account regardless of case: "VIP" and "vip" are one group to the
 * people choosing them from a dropdown. NFKC first, so look-alike compatibility forms (full-width
 * letters) collide too.
 */
export function groupNameKey(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase();
}

/** Membership as stored: sorted, no duplicates (so equality is a plain comparison). */
export function canonicalGroupIds(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort();
}

/** The fields a contact update can change, in the order events list them. */
export const CONTACT_FIELDS = ['phone', 'firstName', 'lastName', 'email', 'customFields', 'groupIds'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

export interface ContactChanges {
  changedFields: ContactField[];
  previousValues: Partial<Record<ContactField, unknown>>;
  newValues: Partial<Record<ContactField, unknown>>;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return sameValue(ka, kb) && ka.every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
  }
  return a === b;
}

/** What differs between two versions of a contact; no changed fields means nothing to write. */
export function contactChanges(before: Contact, after: Contact): ContactChanges {
  const out: ContactChanges = { changedFields: [], previousValues: {}, newValues: {} };
  for (const field of CONTACT_FIELDS) {
    if (sameValue(before[field], after[field])) continue;
    out.changedFields.push(field);
    out.previousValues[field] = before[field];
    out.newValues[field] = after[field];
  }
  return out;
}
