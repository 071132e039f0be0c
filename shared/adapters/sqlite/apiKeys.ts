import type { ApiKey } from '../../domain/types';
import { ConcurrencyError, DuplicateError, type ApiKeyStore } from '../../ports/stores';
import { groupCommitFor, migrate, type Db } from './database';
import { docOf, isUniqueViolation, newEtag, parse, type Row } from './rows';

export const API_KEY_MIGRATIONS = [
  `
  CREATE TABLE api_keys (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL UNIQUE,
    previous_hash TEXT,
    created_at TEXT NOT NULL,
    etag TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
  );
  CREATE INDEX api_keys_by_previous_hash ON api_keys (previous_hash);
  `,
];

/**
 * API keys in the embedded database. Keys stored on accounts before this table existed get their
 * record on first use (app/apiKeyAuth.ts), the same way on both stores.
 */
export function createSqliteApiKeyStore(db: Db): ApiKeyStore {
  migrate(db, API_KEY_MIGRATIONS, 'apiKeys');
  const gc = groupCommitFor(db);
  const st = {
    insert: db.prepare('INSERT INTO api_keys (account_id, id, hash, previous_hash, created_at, etag, doc) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    get: db.prepare<[string, string]>('SELECT doc, etag FROM api_keys WHERE account_id = ? AND id = ?'),
    list: db.prepare<[string]>('SELECT doc, etag FROM api_keys WHERE account_id = ? ORDER BY created_at, id'),
    byHash: db.prepare<[string]>('SELECT doc, etag FROM api_keys WHERE hash = ?'),
    byPrevious: db.prepare<[string]>('SELECT doc, etag FROM api_keys WHERE previous_hash = ?'),
    update: db.prepare('UPDATE api_keys SET hash = ?, previous_hash = ?, etag = ?, doc = ? WHERE account_id = ? AND id = ? AND etag = ?'),
    // The etag stays: lastUsedAt is no change a writer holding the key must know about.
    touch: db.prepare("UPDATE api_keys SET doc = json_set(doc, '$.lastUsedAt', ?) WHERE account_id = ? AND id = ? AND etag = ?"),
  };

  return {
    async create(key) {
      const etag = newEtag();
      try {
        await gc.run(() => st.insert.run(key.accountId, key.id, key.hash, key.previousHash, key.createdAt, etag, docOf(key)));
      } catch (err) {
        if (isUniqueViolation(err)) throw new DuplicateError(`API key ${key.id}`);
        throw err;
      }
      return { ...key, etag };
    },
    async get(accountId, id) {
      return parse<ApiKey>(st.get.get(accountId, id) as Row | undefined);
    },
    async list(accountId) {
      return (st.list.all(accountId) as Row[]).map((r) => parse<ApiKey>(r)!);
    },
    async findByHash(hash) {
      return parse<ApiKey>((st.byHash.get(hash) ?? st.byPrevious.get(hash)) as Row | undefined);
    },
    async update(key) {
      const etag = newEtag();
      try {
        const changed = await gc.run(
          () => st.update.run(key.hash, key.previousHash, etag, docOf(key), key.accountId, key.id, key.etag ?? '').changes,
        );
        if (changed === 0) throw new ConcurrencyError(`API key ${key.id}`);
      } catch (err) {
        if (isUniqueViolation(err)) throw new DuplicateError(`API key hash of ${key.id}`);
        throw err;
      }
      return { ...key, etag };
    },
    async touch(key, at) {
      await gc.run(() => st.touch.run(at, key.accountId, key.id, key.etag ?? ''));
    },
  };
}
