import type { ApiKey } from '../domain/types';

/** API keys (and operator keys, accountId OPERATOR_KEY_OWNER); revoked keys stay, marked revokedAt. */
export interface ApiKeyStore {
  /** Throws DuplicateError when the id or the hash is taken. */
  create(key: ApiKey): Promise<ApiKey>;
  get(accountId: string, id: string): Promise<ApiKey | null>;
  /** The account's keys, oldest first, revoked ones included. */
  list(accountId: string): Promise<ApiKey[]>;
  /** Cross-tenant, on every request: the key whose `hash` or `previousHash` is this. */
  findByHash(hash: string): Promise<ApiKey | null>;
  /** Replaces when the etag matches (ConcurrencyError otherwise); a new `hash` becomes findable. */
  update(key: ApiKey): Promise<ApiKey>;
  /**
   * Sets lastUsedAt on the key as read (a hint): skipped, without error, when the key changed since
   * (etag) or is gone, so it never undoes a rotation or revocation. No read of its own.
   */
  touch(key: ApiKey, at: string): Promise<void>;
}
