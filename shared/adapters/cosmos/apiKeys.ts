import type { ApiKey } from '../../domain/types';
import { ConcurrencyError, DuplicateError, type ApiKeyStore } from '../../ports/stores';
import type { CosmosContext } from './context';
import { assertValidId, fromDoc, queryDocs, readDoc, statusOf, toDoc, type Doc } from './internal';
import { claimLookup, deleteLookupIfOwned, keyHashLookupId, readLookup } from './lookups';

function keyFromDoc(doc: Doc): ApiKey {
  return fromDoc<ApiKey>(doc, ['docType'], true);
}

/**
 * API keys as documents of their account's partition in `tenants` (operator keys in the partition
 * `operator`); each hash that opens a key has a pointer in `lookups`, so the look-up on every
 * request is two point reads. Pointers are hints, verified against the key document.
 */
export class CosmosApiKeyStore implements ApiKeyStore {
  constructor(private readonly ctx: CosmosContext) {}

  async create(key: ApiKey): Promise<ApiKey> {
    assertValidId(key.id, 'API key');
    const claim = await this.claimHash(key);
    if (claim === 'taken') throw new DuplicateError(`API key hash of ${key.id}`);
    try {
      const { resource } = await this.ctx.tenants.items.create<Doc>(toDoc(key, { docType: 'apiKey' }));
      return keyFromDoc(resource as Doc);
    } catch (err) {
      if (claim === 'created') await deleteLookupIfOwned(this.ctx, keyHashLookupId(key.hash), key.accountId, key.id);
      if (statusOf(err) === 409) throw new DuplicateError(`API key ${key.id}`);
      throw err;
    }
  }

  async get(accountId: string, id: string): Promise<ApiKey | null> {
    const doc = await readDoc(this.ctx.tenants, id, accountId);
    return doc && doc.docType === 'apiKey' && doc.accountId === accountId ? keyFromDoc(doc) : null;
  }

  async list(accountId: string): Promise<ApiKey[]> {
    const docs = await queryDocs(
      this.ctx.tenants,
      "SELECT * FROM c WHERE c.docType = 'apiKey' AND c.accountId = @accountId",
      [{ name: '@accountId', value: accountId }],
      accountId,
    );
    return docs
      .map(keyFromDoc)
      .sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async findByHash(hash: string): Promise<ApiKey | null> {
    const pointer = await readLookup(this.ctx, keyHashLookupId(hash));
    if (!pointer?.recordId) return null;
    const key = await this.get(pointer.accountId, pointer.recordId);
    return key && (key.hash === hash || key.previousHash === hash) ? key : null;
  }

  async update(key: ApiKey): Promise<ApiKey> {
    if (!key.etag) throw new ConcurrencyError(`API key ${key.id}`);
    const current = await this.get(key.accountId, key.id);
    if (!current || current.etag !== key.etag) throw new ConcurrencyError(`API key ${key.id}`);
    const claim = current.hash === key.hash ? 'ours' : await this.claimHash(key);
    if (claim === 'taken') throw new DuplicateError(`API key hash of ${key.id}`);
    let resource: Doc | undefined;
    try {
      ({ resource } = await this.ctx.tenants
        .item(key.id, key.accountId)
        .replace<Doc>(toDoc(key, { docType: 'apiKey' }), { accessCondition: { type: 'IfMatch', condition: key.etag } }));
    } catch (err) {
      if (claim === 'created') await deleteLookupIfOwned(this.ctx, keyHashLookupId(key.hash), key.accountId, key.id);
      const status = statusOf(err);
      if (status === 412 || status === 404) throw new ConcurrencyError(`API key ${key.id}`);
      throw err;
    }
    // A hash no longer opening the key (dropped by a second rotation): its pointer goes, best effort.
    for (const old of [current.hash, current.previousHash]) {
      if (old && old !== key.hash && old !== key.previousHash)
        await deleteLookupIfOwned(this.ctx, keyHashLookupId(old), key.accountId, key.id);
    }
    return keyFromDoc(resource as Doc);
  }

  async touch(key: ApiKey, at: string): Promise<void> {
    if (!key.etag) return;
    try {
      await this.ctx.tenants.item(key.id, key.accountId).replace<Doc>(toDoc({ ...key, lastUsedAt: at }, { docType: 'apiKey' }), {
        accessCondition: { type: 'IfMatch', condition: key.etag },
      });
    } catch (err) {
      // A change since the key was read (rotation, revocation, another touch) wins: lastUsedAt is only a hint.
      if (statusOf(err) !== 412 && statusOf(err) !== 404) throw err;
    }
  }

  private claimHash(key: ApiKey) {
    return claimLookup(this.ctx, { id: keyHashLookupId(key.hash), accountId: key.accountId, recordId: key.id }, async (existing) => {
      const owner = existing.recordId ? await this.get(existing.accountId, existing.recordId) : null;
      return owner !== null && (owner.hash === key.hash || owner.previousHash === key.hash);
    });
  }
}
