import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { hashApiKey, newApiKey } from '../app/apiKeys';
import { openDatabase, type Db } from '../adapters/sqlite/database';
import { createSqliteDataStore } from '../adapters/sqlite/dataStore';
import { createSqliteMeta } from '../adapters/sqlite/meta';
import { createSqliteSimulatorLog } from '../adapters/sqlite/simulatorLog';
import { createSqliteTaskQueue } from '../adapters/sqlite/taskQueue';
import type { Clock } from '../ports';
import type { Config } from './config';
import type { InfrastructureParts } from './runtime';

/** The embedded host's SQLite file under DATA_DIR. */
export const embeddedDatabaseFile = (config: Config): string => join(config.dataDir, 'dataflows-sms.db');

const ADMIN_KEY_HASH = 'admin_key_hash';

/** Embedded mode: store, queue and the simulator's memory in one SQLite file under DATA_DIR. */
export function createSqliteParts(config: Config, clock: Clock): InfrastructureParts {
  const db: Db = openDatabase(embeddedDatabaseFile(config));
  const meta = createSqliteMeta(db);
  const generated = { adminApiKey: null as string | null };
  const stored = (key: string, make: () => string): string => {
    const existing = meta.get(key);
    if (existing) return existing;
    const value = make();
    meta.set(key, value);
    return value;
  };
  const adminKeyHash = config.adminApiKey
    ? hashApiKey(config.adminApiKey)
    : stored(ADMIN_KEY_HASH, () => {
        generated.adminApiKey = newApiKey('dfsadmin');
        return hashApiKey(generated.adminApiKey);
      });
  const simulatorSecret = config.simulator.secret ?? stored('simulator_secret', () => randomBytes(32).toString('base64url'));
  const pageTokenSecret = stored('page_token_secret', () => randomBytes(32).toString('base64url'));
  // Kept for good: opt-outs of erased numbers are found by their hash under this key.
  const privacyHashSecret = stored('privacy_hash_secret', () => randomBytes(32).toString('base64url'));
  const store = createSqliteDataStore(db);
  const queue = createSqliteTaskQueue(db, { clock, leaseMs: config.queueLeaseMs, maxAttempts: config.queueMaxAttempts });
  return {
    store,
    queue,
    receiver: queue,
    simulatorLog: createSqliteSimulatorLog(db),
    adminKeyHash,
    simulatorSecret,
    pageTokenSecret,
    privacyHashSecret,
    generated,
    async close() {
      await store.close();
      db.close();
    },
  };
}

/**
 * A new generated operator key for the embedded data folder, replacing the stored one (only its
 * hash is kept, so a lost one cannot be shown again). A running host reads the hash at start: it
 * takes the new key after a restart.
 */
export function replaceGeneratedAdminKey(config: Config): string {
  const db = openDatabase(embeddedDatabaseFile(config));
  try {
    const key = newApiKey('dfsadmin');
    createSqliteMeta(db).set(ADMIN_KEY_HASH, hashApiKey(key));
    return key;
  } finally {
    db.close();
  }
}
