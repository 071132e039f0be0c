import { randomUUID } from 'node:crypto';
import type { DeliveryAttempt, Subscription } from '../../domain/webhooks';
import { ConcurrencyError, DuplicateError, type DeliveryAttemptStore, type SubscriptionStore } from '../../ports/stores';
import { groupCommitFor, migrate, type Db } from './database';
import type { PruneChunk } from './retention';
import { isUniqueViolation } from './rows';

const MIGRATIONS = [
  `
  CREATE TABLE webhook_subscriptions (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    callback_url TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    etag TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
  ) WITHOUT ROWID;
  -- Tombstones (status deleted) free the callback URL for a new subscription.
  CREATE UNIQUE INDEX webhook_subscriptions_by_callback ON webhook_subscriptions (account_id, event_type, callback_url) WHERE status <> 'deleted';
  CREATE INDEX webhook_subscriptions_active ON webhook_subscriptions (account_id, event_type) WHERE status = 'active';
  CREATE TABLE webhook_attempts (
    account_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    at TEXT NOT NULL,
    id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, target_id, at, id)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX webhook_attempts_by_id ON webhook_attempts (id);
  `,
  // Retention deletes attempts by time.
  `CREATE INDEX webhook_attempts_by_time ON webhook_attempts (at);`,
];

type Row = { doc: string; etag: string };

function parse(row: Row | undefined): Subscription | null {
  if (!row) return null;
  const s = JSON.parse(row.doc) as Subscription;
  s.etag = row.etag;
  return s;
}

function docOf(s: Subscription): string {
  const { etag: _etag, ...rest } = s;
  return JSON.stringify(rest);
}

/**
 * Webhook subscriptions and delivery attempts in the embedded database (own migrations), and the
 * retention of attempts recorded before a cutoff.
 */
export function createSqliteWebhookStores(db: Db): {
  subscriptions: SubscriptionStore;
  deliveries: DeliveryAttemptStore;
  pruneDeliveryAttempts: PruneChunk;
} {
  migrate(db, MIGRATIONS, 'webhooks');
  const gc = groupCommitFor(db);
  const st = {
    subInsert: db.prepare(
      'INSERT INTO webhook_subscriptions (account_id, id, event_type, callback_url, status, created_at, etag, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    subGet: db.prepare<[string, string]>('SELECT doc, etag FROM webhook_subscriptions WHERE account_id = ? AND id = ?'),
    subByCallback: db.prepare<[string, string, string]>(
      "SELECT doc, etag FROM webhook_subscriptions WHERE account_id = ? AND event_type = ? AND callback_url = ? AND status <> 'deleted'",
    ),
    subList: db.prepare<[string]>(
      "SELECT doc, etag FROM webhook_subscriptions WHERE account_id = ? AND status <> 'deleted' ORDER BY created_at, id",
    ),
    subActive: db.prepare<[string, string]>(
      "SELECT doc, etag FROM webhook_subscriptions WHERE account_id = ? AND event_type = ? AND status = 'active' ORDER BY created_at, id",
    ),
    subUpdate: db.prepare('UPDATE webhook_subscriptions SET status = ?, etag = ?, doc = ? WHERE account_id = ? AND id = ? AND etag = ?'),
    attemptInsert: db.prepare(
      'INSERT OR IGNORE INTO webhook_attempts (account_id, target_id, at, id, event_id, doc) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    attemptPrune: db.prepare('DELETE FROM webhook_attempts WHERE id IN (SELECT id FROM webhook_attempts WHERE at < ? LIMIT ?)'),
  };

  const subscriptions: SubscriptionStore = {
    async create(s) {
      const etag = randomUUID();
      try {
        await gc.run(() => st.subInsert.run(s.accountId, s.id, s.eventType, s.callbackUrl, s.status, s.createdAt, etag, docOf(s)));
      } catch (err) {
        if (isUniqueViolation(err)) throw new DuplicateError(`subscription to ${s.eventType} at ${s.callbackUrl}`);
        throw err;
      }
      return { ...s, etag };
    },
    async get(accountId, id) {
      return parse(st.subGet.get(accountId, id) as Row | undefined);
    },
    async findByCallback(accountId, eventType, callbackUrl) {
      return parse(st.subByCallback.get(accountId, eventType, callbackUrl) as Row | undefined);
    },
    async list(accountId) {
      return (st.subList.all(accountId) as Row[]).map((r) => parse(r)!);
    },
    async listActive(accountId, eventType) {
      return (st.subActive.all(accountId, eventType) as Row[]).map((r) => parse(r)!);
    },
    async update(s) {
      const etag = randomUUID();
      try {
        return await gc.run(() => {
          const changed = st.subUpdate.run(s.status, etag, docOf(s), s.accountId, s.id, s.etag ?? '').changes;
          if (changed === 0) throw new ConcurrencyError(`subscription ${s.id}`);
          return { ...s, etag };
        });
      } catch (err) {
        // Re-activating a tombstone whose URL was subscribed again meanwhile.
        if (isUniqueViolation(err)) throw new DuplicateError(`subscription to ${s.eventType} at ${s.callbackUrl}`);
        throw err;
      }
    },
  };

  const deliveries: DeliveryAttemptStore = {
    async record(attempts: DeliveryAttempt[]) {
      if (attempts.length === 0) return;
      await gc.run(() => {
        for (const a of attempts) st.attemptInsert.run(a.accountId, a.targetId, a.at, a.id, a.eventId, JSON.stringify(a));
      });
    },
    async list(accountId, targetId, filter, limit) {
      const where = ['account_id = @accountId', 'target_id = @targetId'];
      if (filter.since) where.push('at >= @since');
      if (filter.eventId) where.push('event_id = @eventId');
      const rows = db
        .prepare(`SELECT doc FROM webhook_attempts WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT @limit`)
        .all({ accountId, targetId, since: filter.since, eventId: filter.eventId, limit }) as { doc: string }[];
      return rows.map((r) => JSON.parse(r.doc) as DeliveryAttempt);
    },
  };

  return { subscriptions, deliveries, pruneDeliveryAttempts: (before, limit) => st.attemptPrune.run(before, limit).changes };
}
