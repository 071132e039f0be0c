import type { Campaign } from '../../domain/campaign';
import type { DomainEvent } from '../../domain/types';
import { ConcurrencyError, DuplicateError, type CampaignStore } from '../../ports/stores';
import { campaignFromStored, campaignToStored } from '../../ports/storedMoney';
import { groupCommitFor, migrate, type Db } from './database';
import { docOf, isUniqueViolation, newEtag, newestFirstPage, parse, type Row } from './rows';

const MIGRATIONS = [
  `
  CREATE TABLE campaigns (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    etag TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
  ) WITHOUT ROWID;
  -- list: an account has tens to thousands of campaigns, so kind/status filter this range in place.
  CREATE INDEX campaigns_by_created ON campaigns (account_id, created_at DESC, id DESC);
  -- listInStatus: the campaign job's sweep across accounts.
  CREATE INDEX campaigns_by_status ON campaigns (status, updated_at, id);
  `,
];

/**
 * Campaigns in the embedded database, one row per campaign. `appendEvents` writes to the outbox of
 * the same database; `update` calls it inside its own group-commit savepoint, so the new state and
 * its events commit together or not at all.
 */
/** A stored campaign with its cost in minor units (integer string, or a number in older rows). */
function campaignOf(row: Row | undefined): Campaign | null {
  const doc = parse<Campaign>(row);
  return doc && campaignFromStored(doc as unknown as Record<string, unknown>);
}

export function createSqliteCampaignStore(db: Db, appendEvents: (events: DomainEvent[]) => void): CampaignStore {
  migrate(db, MIGRATIONS, 'campaigns');
  const gc = groupCommitFor(db);
  const st = {
    insert: db.prepare(
      `INSERT INTO campaigns (account_id, id, kind, status, created_at, updated_at, etag, doc)
       VALUES (@accountId, @id, @kind, @status, @createdAt, @updatedAt, @etag, @doc)`,
    ),
    update: db.prepare(
      `UPDATE campaigns SET kind = @kind, status = @status, updated_at = @updatedAt, etag = @etag, doc = @doc
       WHERE account_id = @accountId AND id = @id AND etag = @expected`,
    ),
    get: db.prepare<[string, string]>('SELECT doc, etag FROM campaigns WHERE account_id = ? AND id = ?'),
    inStatus: db.prepare<[string, string, string, number]>(
      'SELECT doc, etag FROM campaigns WHERE status = ? AND updated_at < ? AND updated_at >= ? ORDER BY updated_at, id LIMIT ?',
    ),
  };

  const params = (c: Campaign, etag: string) => ({
    accountId: c.accountId,
    id: c.id,
    kind: c.kind,
    status: c.status,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    etag,
    doc: docOf(campaignToStored(c)),
  });

  return {
    async create(campaign) {
      const etag = newEtag();
      try {
        await gc.run(() => st.insert.run(params(campaign, etag)));
      } catch (err) {
        if (isUniqueViolation(err)) throw new DuplicateError(`campaign ${campaign.id}`);
        throw err;
      }
      return { ...campaign, etag };
    },
    async get(accountId, id) {
      return campaignOf(st.get.get(accountId, id) as Row | undefined);
    },
    async list(accountId, filter, page) {
      const where = ['account_id = @accountId'];
      const values: Record<string, unknown> = { accountId };
      if (filter.kind) where.push('kind = @kind'), (values.kind = filter.kind);
      if (filter.status) where.push('status = @status'), (values.status = filter.status);
      const found = newestFirstPage<Campaign>(db, 'campaigns', where, values, page);
      return { ...found, items: found.items.map((c) => campaignFromStored(c as unknown as Record<string, unknown>)) };
    },
    async update(campaign, events) {
      const etag = newEtag();
      try {
        return await gc.run(() => {
          const changed = st.update.run({ ...params(campaign, etag), expected: campaign.etag ?? '' }).changes;
          if (changed === 0) throw new ConcurrencyError(`campaign ${campaign.id}`);
          appendEvents(events);
          return { ...campaign, etag };
        });
      } catch (err) {
        // Only the outbox insert has a unique constraint to break here: an event id used already.
        if (isUniqueViolation(err)) throw new DuplicateError(`event in ${events.map((e) => e.id).join(', ')}`);
        throw err;
      }
    },
    async listInStatus(status, updatedBefore, limit, updatedFrom = '') {
      return (st.inStatus.all(status, updatedBefore, updatedFrom, limit) as Row[]).map((r) => campaignOf(r)!);
    },
  };
}
