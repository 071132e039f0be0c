/** The DataStore contract, ApiKeyStore (run by describeDataStoreContract). */
import type { ApiKey } from '../../../shared/domain/types';
import { ConcurrencyError, DuplicateError, type DataStore } from '../../../shared/ports/stores';
import { at, uniqueId } from '../../fixtures/records';
import type { StoreHarness } from './harness';

function makeKey(accountId: string, overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: uniqueId('key'),
    accountId,
    name: 'Test key',
    prefix: 'dfs_abcd',
    hash: `sha256_${uniqueId('h')}`,
    scopes: ['messages:read'],
    createdAt: at(1),
    lastUsedAt: null,
    expiresAt: null,
    revokedAt: null,
    previousHash: null,
    previousValidUntil: null,
    ...overrides,
  };
}

export function describeApiKeyStoreContract(t: StoreHarness): void {
  let store: DataStore;
  beforeAll(() => {
    store = t.store;
  });
  const { newAccount } = t;

  describe('API keys', () => {
    it('create, get and list per account (oldest first); findByHash across tenants', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const k1 = await store.apiKeys.create(makeKey(a.id, { createdAt: at(1) }));
      const k2 = await store.apiKeys.create(makeKey(a.id, { createdAt: at(2), scopes: ['messages:send', 'keys:manage'] }));
      const k3 = await store.apiKeys.create(makeKey(b.id));
      expect(k1.etag).toEqual(expect.any(String));
      expect(await store.apiKeys.get(a.id, k1.id)).toEqual(k1);
      expect(await store.apiKeys.get(b.id, k1.id)).toBeNull();
      expect((await store.apiKeys.list(a.id)).map((k) => k.id)).toEqual([k1.id, k2.id]);
      expect(await store.apiKeys.findByHash(k2.hash)).toEqual(k2);
      expect(await store.apiKeys.findByHash(k3.hash)).toEqual(k3);
      expect(await store.apiKeys.findByHash(`sha256_${uniqueId('none')}`)).toBeNull();
    });

    it('refuses a second key with the same id or the same hash', async () => {
      const a = await newAccount();
      const k = await store.apiKeys.create(makeKey(a.id));
      await expect(store.apiKeys.create(makeKey(a.id, { id: k.id }))).rejects.toBeInstanceOf(DuplicateError);
      await expect(store.apiKeys.create(makeKey(a.id, { hash: k.hash }))).rejects.toBeInstanceOf(DuplicateError);
      expect(await store.apiKeys.findByHash(k.hash)).toEqual(k);
    });

    it('update is etag-guarded; a rotation makes the new hash findable and keeps the previous one, a second rotation drops it', async () => {
      const a = await newAccount();
      const k = await store.apiKeys.create(makeKey(a.id));
      const rotated = await store.apiKeys.update({
        ...k,
        hash: `sha256_${uniqueId('new')}`,
        previousHash: k.hash,
        previousValidUntil: at(10),
      });
      expect(rotated.etag).not.toBe(k.etag);
      await expect(store.apiKeys.update({ ...k, name: 'stale' })).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await store.apiKeys.findByHash(rotated.hash)).toEqual(rotated);
      expect(await store.apiKeys.findByHash(k.hash)).toEqual(rotated);
      const again = await store.apiKeys.update({
        ...rotated,
        hash: `sha256_${uniqueId('newer')}`,
        previousHash: rotated.hash,
        previousValidUntil: at(20),
      });
      expect(await store.apiKeys.findByHash(k.hash)).toBeNull();
      expect(await store.apiKeys.findByHash(rotated.hash)).toEqual(again);
      const revoked = await store.apiKeys.update({ ...again, revokedAt: at(30) });
      expect(await store.apiKeys.findByHash(again.hash)).toEqual(revoked);
    });

    it('touch sets lastUsedAt on the key as read, and skips a key changed since', async () => {
      const a = await newAccount();
      const k = await store.apiKeys.create(makeKey(a.id));
      await store.apiKeys.touch(k, at(5));
      const touched = (await store.apiKeys.get(a.id, k.id))!;
      expect({ ...touched, etag: undefined }).toEqual({ ...k, etag: undefined, lastUsedAt: at(5) });
      const revoked = await store.apiKeys.update({ ...touched, revokedAt: at(6) });
      await store.apiKeys.touch(touched, at(7));
      expect(await store.apiKeys.get(a.id, k.id)).toEqual(revoked);
      await expect(store.apiKeys.touch(makeKey(a.id), at(8))).resolves.toBeUndefined();
    });
  });
}
