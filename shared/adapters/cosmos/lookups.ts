import type { CosmosContext } from './context';
import { hashKey, readDoc, statusOf, type Doc } from './internal';

/**
 * Pointer documents in the `lookups` container (partition key /id). Each maps a globally unique
 * value to the tenant document that owns it. They are written before the tenant document and read
 * as hints: callers check the tenant document still carries the value, so a pointer orphaned by a
 * crash between the two writes resolves to nothing instead of to the wrong record.
 */

export const apiKeyLookupId = (apiKeyHash: string): string => `apikey:${hashKey(apiKeyHash)}`;
/** Secret hash -> API key record (the key's current hash and, while a rotation's grace lasts, its previous one). */
export const keyHashLookupId = (hash: string): string => `keyhash:${hashKey(hash)}`;
export const carrierLookupId = (carrier: string, carrierMessageId: string): string => `carrier:${hashKey(carrier, carrierMessageId)}`;
export const numberLookupId = (number: string): string => `number:${hashKey(number)}`;

export interface LookupDoc extends Doc {
  id: string;
  accountId: string;
  /** Id of the tenant document pointed to (absent for API keys: the account document itself). */
  recordId?: string;
}

export async function readLookup(ctx: CosmosContext, id: string): Promise<LookupDoc | null> {
  return (await readDoc(ctx.lookups, id, id)) as LookupDoc | null;
}

/** Creates the pointer; resolves to false when one exists already (left untouched). */
export async function createLookup(ctx: CosmosContext, doc: LookupDoc): Promise<boolean> {
  try {
    await ctx.lookups.items.create(doc);
    return true;
  } catch (err) {
    if (statusOf(err) === 409) return false;
    throw err;
  }
}

export async function upsertLookup(ctx: CosmosContext, doc: LookupDoc): Promise<void> {
  await ctx.lookups.items.upsert(doc);
}

/** Replaces a pointer only if it is still the version that was read. */
export async function takeOverLookup(ctx: CosmosContext, existing: Doc, doc: LookupDoc): Promise<boolean> {
  try {
    await ctx.lookups.item(doc.id, doc.id).replace(doc, {
      accessCondition: { type: 'IfMatch', condition: String(existing._etag) },
    });
    return true;
  } catch (err) {
    const status = statusOf(err);
    if (status === 412 || status === 404) return false;
    throw err;
  }
}

/** Best-effort removal of a pointer this process wrote; a leftover is harmless (see above). */
export async function deleteLookupIfOwned(ctx: CosmosContext, id: string, accountId: string, recordId?: string): Promise<void> {
  try {
    const existing = await readLookup(ctx, id);
    if (!existing || existing.accountId !== accountId || existing.recordId !== recordId) return;
    await ctx.lookups.item(id, id).delete({ accessCondition: { type: 'IfMatch', condition: String(existing._etag) } });
  } catch {
    // Leftover pointers are verified away on read.
  }
}

export type ClaimResult = 'created' | 'ours' | 'taken';

/**
 * Claims a unique value: creates the pointer, or reports who holds it. A pointer whose target does
 * not exist (`isLive` false) and that is older than the grace period was left by a crash between the
 * pointer write and the tenant write; it is taken over. A younger one may be a create in flight, so
 * it still counts as taken.
 */
export async function claimLookup(
  ctx: CosmosContext,
  doc: LookupDoc,
  isLive: (existing: LookupDoc) => Promise<boolean>,
): Promise<ClaimResult> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    if (await createLookup(ctx, doc)) return 'created';
    const existing = await readLookup(ctx, doc.id);
    if (!existing) continue; // removed in between: try to create again
    if (existing.accountId === doc.accountId && existing.recordId === doc.recordId) return 'ours';
    if (await isLive(existing)) return 'taken';
    const ageSeconds = Date.now() / 1000 - Number(existing._ts ?? 0);
    if (ageSeconds < ctx.settings.orphanGraceSeconds) return 'taken';
    if (await takeOverLookup(ctx, existing, doc)) return 'created';
  }
  return 'taken';
}
