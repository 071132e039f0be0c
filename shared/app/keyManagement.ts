import { SCOPES } from '../domain/scopes';
import { OPERATOR_KEY_OWNER, type ApiKey } from '../domain/types';
import { forgetCachedKey, KEY_PREFIX_LENGTH, ensureAccountKeyRecord } from './apiKeyAuth';
import { hashApiKey, newApiKey } from './apiKeys';
import { nowIso, type AppDeps } from './deps';
import { forbidden, notFound, unprocessable } from './errors';
import { retryOnConflict } from './retryOnConflict';

/** Rotation grace period: how long the replaced secret keeps working, unless the call says otherwise. */
export const DEFAULT_ROTATION_GRACE_SECONDS = 24 * 60 * 60;
/** The longest grace period a rotation may ask for (0 ends the old secret at once). */
export const MAX_ROTATION_GRACE_SECONDS = 7 * 24 * 60 * 60;

export interface NewKeyInput {
  name: string;
  scopes: string[];
  expiresAt?: string;
}

/**
 * A new key of `ownerId` (an account, or OPERATOR_KEY_OWNER); the secret comes back once. `held` is
 * what the calling key may do: a key never hands out a scope it does not hold (operators pass all).
 */
export async function createKey(
  deps: AppDeps,
  ownerId: string,
  held: readonly string[],
  input: NewKeyInput,
): Promise<{ key: ApiKey; secret: string }> {
  const missing = input.scopes.filter((s) => !held.includes(s));
  if (missing.length > 0) {
    const message = `asks for ${missing.join(', ')}, which the calling key does not hold`;
    throw forbidden('scope_not_held', `/scopes ${message}`, [{ path: '/scopes', message }]);
  }
  const now = deps.clock.now();
  if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= now)
    throw unprocessable('expiry_in_past', '/expiresAt', 'must be in the future');
  const secret = newApiKey(ownerId === OPERATOR_KEY_OWNER ? 'dfsop' : 'dfs');
  const key = await deps.store.apiKeys.create({
    id: deps.ids.next('key'),
    accountId: ownerId,
    name: input.name,
    prefix: secret.slice(0, KEY_PREFIX_LENGTH),
    hash: hashApiKey(secret),
    scopes: SCOPES.filter((s) => input.scopes.includes(s)),
    createdAt: nowIso(deps),
    lastUsedAt: null,
    expiresAt: input.expiresAt === undefined ? null : new Date(input.expiresAt).toISOString(),
    revokedAt: null,
    previousHash: null,
    previousValidUntil: null,
  });
  return { key, secret };
}

/** The owner's keys still in force (revoked ones are kept for the record but not listed), oldest first. */
export async function listKeys(deps: AppDeps, ownerId: string): Promise<ApiKey[]> {
  if (ownerId !== OPERATOR_KEY_OWNER) {
    // An account from before key records: its key shows up (and gets its record) here too.
    const account = await deps.store.accounts.get(ownerId);
    if (account) await ensureAccountKeyRecord(deps, account);
  }
  return (await deps.store.apiKeys.list(ownerId)).filter((k) => k.revokedAt === null);
}

async function liveKey(deps: AppDeps, ownerId: string, id: string): Promise<ApiKey> {
  const key = await deps.store.apiKeys.get(ownerId, id);
  if (!key || key.revokedAt !== null) throw notFound(`API key ${id}`);
  return key;
}

/**
 * A new secret for the key; the current one keeps working for `graceSeconds` (default 24 h, at most
 * 7 days), then stops. A secret replaced earlier and still in its grace period stops now.
 */
export async function rotateKey(
  deps: AppDeps,
  ownerId: string,
  id: string,
  graceSeconds = DEFAULT_ROTATION_GRACE_SECONDS,
): Promise<{ key: ApiKey; secret: string }> {
  const secret = newApiKey(ownerId === OPERATOR_KEY_OWNER ? 'dfsop' : 'dfs');
  const key = await retryOnConflict(async () => {
    const current = await liveKey(deps, ownerId, id);
    return deps.store.apiKeys.update({
      ...current,
      prefix: secret.slice(0, KEY_PREFIX_LENGTH),
      hash: hashApiKey(secret),
      previousHash: graceSeconds > 0 ? current.hash : null,
      previousValidUntil: graceSeconds > 0 ? new Date(deps.clock.now() + graceSeconds * 1000).toISOString() : null,
    });
  });
  forgetCachedKey(deps, id);
  return { key, secret };
}

/** Revokes the key at once: its next request is 401 here, and on other instances within KEY_CACHE_TTL_MS. */
export async function revokeKey(deps: AppDeps, ownerId: string, id: string): Promise<void> {
  await retryOnConflict(async () => {
    const current = await liveKey(deps, ownerId, id);
    return deps.store.apiKeys.update({ ...current, revokedAt: nowIso(deps) });
  });
  forgetCachedKey(deps, id);
}
