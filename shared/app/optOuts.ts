import { createHmac } from 'node:crypto';
import type { OptOut } from '../domain/optOut';
import type { Account } from '../domain/types';
import type { Page, PageRequest } from '../ports';
import { nowIso, type AppDeps } from './deps';
import { conflict, notFound } from './errors';
import { e164 } from './phoneInput';

/**
 * The key an opt-out is kept under once its number was erased: a keyed hash (HMAC-SHA-256 with the
 * deployment's privacy secret) of account and number, so the opt-out stays enforced while nothing
 * stored reads back as the number, and the same number hashes apart in two accounts.
 */
export function optOutKeyOf(deps: Pick<AppDeps, 'privacy'>, accountId: string, e164: string): string {
  return `erased:${createHmac('sha256', deps.privacy.hashSecret).update(`${accountId}\u0000${e164}`).digest('base64url')}`;
}

/** The opt-out of a number, kept under the number or, after an erasure, under its keyed hash. */
export async function findOptOut(deps: Pick<AppDeps, 'store' | 'privacy'>, accountId: string, e164: string): Promise<OptOut | null> {
  return (await deps.store.optOuts.get(accountId, e164)) ?? deps.store.optOuts.get(accountId, optOutKeyOf(deps, accountId, e164));
}

/** The account records an opt-out itself (a customer asked by another channel). */
export async function addOptOut(deps: AppDeps, account: Account, rawPhone: string): Promise<OptOut> {
  const phone = e164(account, rawPhone, '/phone');
  const existing = await findOptOut(deps, account.id, phone);
  // Shown with the number asked about, also when kept under its keyed hash.
  if (existing) return { ...existing, phone };
  return deps.store.optOuts.add({ accountId: account.id, phone, source: 'api', keyword: null, createdAt: nowIso(deps) });
}

/**
 * Removes an opt-out the account added. One the recipient made by texting STOP stays until the
 * recipient texts START: carriers require consent from the recipient, not the sender.
 */
export async function removeOptOut(deps: AppDeps, account: Account, rawPhone: string): Promise<OptOut> {
  const phone = e164(account, rawPhone, 'path/phone');
  const existing = await findOptOut(deps, account.id, phone);
  if (!existing) throw notFound(`Opt-out of ${phone}`);
  if (existing.source === 'keyword') {
    throw conflict(
      'opted_out_by_recipient',
      `${phone} opted out by texting ${existing.keyword}; only the recipient can opt back in, by texting START.`,
    );
  }
  // Kept under the number or, once erased, under its keyed hash.
  await deps.store.optOuts.remove(account.id, existing.phone);
  return { ...existing, phone };
}

/** A page of the account's opt-outs by phone; the token is the last phone of the previous page. */
export async function listOptOuts(deps: AppDeps, accountId: string, page: PageRequest): Promise<Page<OptOut>> {
  return deps.store.optOuts.list(accountId, page);
}
