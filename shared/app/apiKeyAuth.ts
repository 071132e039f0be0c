import { migrateLegacyScopes } from '../domain/scopes';
import { OPERATOR_KEY_OWNER, type Account, type ApiKey } from '../domain/types';
import { DuplicateError } from '../ports/stores';
import { hashApiKey } from './apiKeys';
import { nowIso, type AppDeps } from './deps';

/**
 * How long a key's record is trusted from the in-process cache: a key revoked (or rotated out) on
 * another instance keeps working here for at most this long. On the instance that revoked it, it
 * stops at once (the revocation forgets it here).
 */
export const KEY_CACHE_TTL_MS = 5_000;
/** lastUsedAt is written at most this often per key and process, not on every request. */
export const LAST_USED_INTERVAL_MS = 60_000;
/** Entries kept at most (the oldest go first); an instance rarely sees more live keys. */
const KEY_CACHE_MAX = 10_000;

export type KeyRefusal = 'invalid' | 'expired' | 'revoked';
export type KeyCheck = { key: ApiKey } | { refused: KeyRefusal };

interface Cached {
  key: ApiKey;
  fetchedAt: number;
}

/** The key records this process read recently, by hash, and when it last wrote lastUsedAt per key. */
class KeyCache {
  readonly byHash = new Map<string, Cached>();
  readonly touchedAt = new Map<string, number>();

  put(hash: string, entry: Cached): void {
    this.byHash.delete(hash);
    if (this.byHash.size >= KEY_CACHE_MAX) this.byHash.delete(this.byHash.keys().next().value!);
    this.byHash.set(hash, entry);
  }

  /** Drops every cached hash opening this key (after a revocation or rotation here). */
  forget(keyId: string): void {
    for (const [hash, entry] of this.byHash) if (entry.key.id === keyId) this.byHash.delete(hash);
  }
}

// One cache per store: the hosts build one AppDeps per process, tests one per host.
const caches = new WeakMap<object, KeyCache>();
function cacheOf(deps: Pick<AppDeps, 'store'>): KeyCache {
  let cache = caches.get(deps.store);
  if (!cache) caches.set(deps.store, (cache = new KeyCache()));
  return cache;
}

/** Called by the use cases that revoke or rotate a key: this process stops trusting its cached record. */
export function forgetCachedKey(deps: Pick<AppDeps, 'store'>, keyId: string): void {
  cacheOf(deps).forget(keyId);
}

/**
 * The key a secret opens, from the cache when its record was read less than KEY_CACHE_TTL_MS ago,
 * checked for revocation, expiry and the end of a rotation's grace period.
 */
export async function checkKey(deps: Pick<AppDeps, 'store' | 'clock' | 'ids'>, secret: string, use = true): Promise<KeyCheck> {
  const hash = hashApiKey(secret);
  const cache = cacheOf(deps);
  const now = deps.clock.now();
  let entry = cache.byHash.get(hash);
  if (!entry || now - entry.fetchedAt >= KEY_CACHE_TTL_MS) {
    const key = (await deps.store.apiKeys.findByHash(hash)) ?? (await migratedAccountKey(deps, hash, secret));
    if (!key) {
      cache.byHash.delete(hash);
      return { refused: 'invalid' };
    }
    entry = { key, fetchedAt: now };
    cache.put(hash, entry);
  }
  const { key } = entry;
  if (key.revokedAt !== null) return { refused: 'revoked' };
  if (key.hash !== hash && !(key.previousHash === hash && key.previousValidUntil !== null && Date.parse(key.previousValidUntil) > now))
    return { refused: 'invalid' };
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now) return { refused: 'expired' };
  if (use) await noteUse(deps, cache, key, now);
  return { key };
}

async function noteUse(deps: Pick<AppDeps, 'store' | 'clock'>, cache: KeyCache, key: ApiKey, now: number): Promise<void> {
  const last = cache.touchedAt.get(key.id);
  if (last !== undefined && now - last < LAST_USED_INTERVAL_MS) return;
  if (cache.touchedAt.size >= KEY_CACHE_MAX) cache.touchedAt.clear();
  cache.touchedAt.set(key.id, now);
  await deps.store.apiKeys.touch(key, nowIso(deps));
}

/**
 * An account key: the key and its account (refused when the key belongs to the operator or the
 * account is gone). `use` false: a check that is no use of the key (lastUsedAt stays).
 */
export async function authenticateAccountKey(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ids'>,
  secret: string,
  use = true,
): Promise<{ key: ApiKey; account: Account } | { refused: KeyRefusal }> {
  const check = await checkKey(deps, secret, use);
  if ('refused' in check) return check;
  if (check.key.accountId === OPERATOR_KEY_OWNER) return { refused: 'invalid' };
  // The account itself is read on every request (balance and settings must be current).
  const account = await deps.store.accounts.get(check.key.accountId);
  return account ? { key: check.key, account } : { refused: 'invalid' };
}

/** The id of the record a legacy account key gets: one per account, so concurrent migrations meet. */
export const legacyKeyId = (accountId: string): string => `key_${accountId}`;

/**
 * Before keys had records, an account's one key lived on the account (apiKeyHash, scopes). Such a
 * key gets its record the first time it is used or listed, with the scopes that cover what it
 * could do (domain/scopes.ts migrateLegacyScopes): the migration, the same on both stores.
 */
async function migratedAccountKey(deps: Pick<AppDeps, 'store' | 'clock' | 'ids'>, hash: string, secret: string): Promise<ApiKey | null> {
  const account = await deps.store.accounts.findByApiKeyHash(hash);
  return account ? ensureAccountKeyRecord(deps, account, secret.slice(0, KEY_PREFIX_LENGTH)) : null;
}

export const KEY_PREFIX_LENGTH = 8;

/**
 * The record of the key stored on the account, created if the account has no key record at all
 * (see migratedAccountKey). An account with records has its keys there: the hash on the account is
 * then one of them, possibly rotated or revoked since, and must not open anything by itself.
 */
export async function ensureAccountKeyRecord(
  deps: Pick<AppDeps, 'store' | 'clock'>,
  account: Account,
  prefix = 'dfs_',
): Promise<ApiKey | null> {
  const existing = await deps.store.apiKeys.findByHash(account.apiKeyHash);
  if (existing) return existing;
  if ((await deps.store.apiKeys.list(account.id)).length > 0) return null;
  try {
    return await deps.store.apiKeys.create({
      id: legacyKeyId(account.id),
      accountId: account.id,
      name: 'Account key',
      prefix,
      hash: account.apiKeyHash,
      scopes: migrateLegacyScopes(account.scopes),
      createdAt: account.createdAt,
      lastUsedAt: null,
      expiresAt: null,
      revokedAt: null,
      previousHash: null,
      previousValidUntil: null,
    });
  } catch (err) {
    if (!(err instanceof DuplicateError)) throw err;
    // Another request migrated it first; if it has been rotated since, this hash opens nothing.
    const raced = await deps.store.apiKeys.findByHash(account.apiKeyHash);
    if (raced) return raced;
    if (await deps.store.apiKeys.get(account.id, legacyKeyId(account.id))) return null;
    throw err;
  }
}
