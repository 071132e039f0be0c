import { SCOPES } from '../domain/scopes';
import type { Account, ApiKey } from '../domain/types';
import { ensureAccountKeyRecord, forgetCachedKey, KEY_PREFIX_LENGTH } from './apiKeyAuth';
import { hashApiKey, newApiKey } from './apiKeys';
import { nowIso, type AppDeps } from './deps';
import { notFound } from './errors';
import { retryOnConflict } from './retryOnConflict';

/** The record of a full-scope key an account gets at creation and from an operator's re-issue. */
export function accountKeyRecord(deps: Pick<AppDeps, 'ids'>, accountId: string, apiKey: string, name: string, createdAt: string): ApiKey {
  return {
    id: deps.ids.next('key'),
    accountId,
    name,
    prefix: apiKey.slice(0, KEY_PREFIX_LENGTH),
    hash: hashApiKey(apiKey),
    scopes: [...SCOPES],
    createdAt,
    lastUsedAt: null,
    expiresAt: null,
    revokedAt: null,
    previousHash: null,
    previousValidUntil: null,
  };
}

/**
 * Issues a new key with every scope for an account and revokes all its other keys: the way back in
 * when keys are lost or leaked (operator route, `npm run key:reset`). Like at creation, the key is
 * shown once and only its hash is stored. The account's own apiKeyHash follows the new key, so the
 * pre-record look-up (apiKeyAuth.ts) never resurrects a replaced key.
 */
export async function replaceApiKey(
  deps: AppDeps,
  accountId: string,
  apiKey = newApiKey(),
): Promise<{ account: Account; apiKey: string; key: ApiKey }> {
  const existing = await deps.store.accounts.get(accountId);
  if (!existing) throw notFound(`Account ${accountId}`);
  await ensureAccountKeyRecord(deps, existing);
  const at = nowIso(deps);
  const hash = hashApiKey(apiKey);
  for (const old of await deps.store.apiKeys.list(accountId)) {
    if (old.revokedAt !== null || old.hash === hash) continue;
    await retryOnConflict(async () => {
      const current = await deps.store.apiKeys.get(accountId, old.id);
      return current && current.revokedAt === null ? deps.store.apiKeys.update({ ...current, revokedAt: at }) : current;
    });
    forgetCachedKey(deps, old.id);
  }
  // A chosen key (DEV_API_KEY) may have a record already, revoked or expired: it is restored in full.
  const same = await deps.store.apiKeys.findByHash(hash);
  const fresh = accountKeyRecord(deps, accountId, apiKey, 'Issued by the operator', at);
  const key =
    same && same.accountId === accountId && same.hash === hash
      ? await deps.store.apiKeys.update({ ...fresh, id: same.id, name: same.name, createdAt: same.createdAt, etag: same.etag })
      : await deps.store.apiKeys.create(fresh);
  forgetCachedKey(deps, key.id);
  const account = await retryOnConflict(async () => {
    const current = await deps.store.accounts.get(accountId);
    if (!current) throw notFound(`Account ${accountId}`);
    return deps.store.accounts.update({ ...current, apiKeyHash: key.hash, updatedAt: at });
  });
  return { account, apiKey, key };
}
