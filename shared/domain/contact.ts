/**
 * Contacts and groups (seed 000 "Contact Management Integration"). Membership lives on the contact
 * (`groupIds`), so a contact and the groups it belongs to are one record: adding a contact to a
 * group is one conditional write, and a group's members are a query on contacts.
 */

export interface Contact {
  id: string;
  accountId: string;
  /** E.164; unique within the account. */
  phone: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  /** Free-form name/value pairs, usable as template variables in campaigns. */
  customFields: Record<string, string>;
  /** Ids of the groups the contact belongs to, sorted, no duplicates. */
  groupIds: string[];
  createdAt: string;
  updatedAt: string;
  /** Opaque concurrency token owned by the store; absent on a record not yet stored. */
  etag?: string;
}

export interface ContactGroup {
  id: string;
  accountId: string;
  /** Unique within the account, compared case-insensitively. */
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  etag?: string;
}

/** What a template may use of a contact: {{phone}}, {{firstName}}, {{lastName}}, {{email}} and its custom fields. */
export function templateValuesOf(c: Contact): Record<string, string | undefined> {
  return {
    ...c.customFields,
    phone: c.phone,
    firstName: c.firstName ?? undefined,
    lastName: c.lastName ?? undefined,
    email: c.email ?? undefined,
  };
}
