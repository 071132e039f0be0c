import type { JSONObject, SqlParameter } from '@azure/cosmos';
import type { Campaign, CampaignStatus } from '../../domain/campaign';
import type { DomainEvent } from '../../domain/types';
import { ConcurrencyError, DuplicateError, type CampaignFilter, type CampaignStore, type Page, type PageRequest } from '../../ports/stores';
import type { CosmosContext } from './context';
import { campaignFromStored, campaignToStored } from '../../ports/storedMoney';
import {
  BatchFailure,
  assertValidId,
  decodeToken,
  fromDoc,
  pageLimit,
  queryDocs,
  readDoc,
  runBatch,
  statusOf,
  toDoc,
  toPage,
  type BatchStep,
  type Doc,
} from './internal';
import { duplicateEventError, eventSteps } from './outbox';

// The cost is an integer string of minor units (a JSON number is a double); older documents hold a number.
const campaignDoc = (campaign: Campaign): JSONObject => toDoc(campaignToStored(campaign), { docType: 'campaign' });
const campaignFromDoc = (doc: Doc): Campaign => campaignFromStored(fromDoc<Record<string, unknown>>(doc, ['docType'], true));

/**
 * Campaigns in their account's partition of `tenants` (docType `campaign`), so an update and the
 * events it raises are one transactional batch, like sender-id decisions.
 */
export class CosmosCampaignStore implements CampaignStore {
  constructor(private readonly ctx: CosmosContext) {}

  async create(campaign: Campaign): Promise<Campaign> {
    assertValidId(campaign.id, 'campaign');
    assertValidId(campaign.accountId, 'account');
    try {
      const { resource } = await this.ctx.tenants.items.create<Doc>(campaignDoc(campaign));
      return campaignFromDoc(resource as Doc);
    } catch (err) {
      if (statusOf(err) === 409) throw new DuplicateError(`campaign ${campaign.id}`);
      throw err;
    }
  }

  async get(accountId: string, id: string): Promise<Campaign | null> {
    const doc = await readDoc(this.ctx.tenants, id, accountId);
    return doc && doc.docType === 'campaign' && doc.accountId === accountId ? campaignFromDoc(doc) : null;
  }

  /**
   * Single-partition, keyset-paged on (createdAt, id) descending. With a status filter the ORDER BY
   * leads with status (constant within the result) so the (status, createdAt, id) composite serves
   * it, as for messages; kind is a plain range-index filter (two values, no composite of its own).
   */
  async list(accountId: string, filter: CampaignFilter, page: PageRequest): Promise<Page<Campaign>> {
    const limit = pageLimit(page.limit);
    const where = ["c.docType = 'campaign'", 'c.accountId = @accountId'];
    const parameters: SqlParameter[] = [{ name: '@accountId', value: accountId }];
    if (filter.kind !== undefined) {
      where.push('c.kind = @kind');
      parameters.push({ name: '@kind', value: filter.kind });
    }
    if (filter.status !== undefined) {
      where.push('c.status = @status');
      parameters.push({ name: '@status', value: filter.status });
    }
    if (page.continuationToken !== undefined) {
      const [createdAt, id] = decodeToken(page.continuationToken, 2) as [string, string];
      where.push('(c.createdAt < @afterCreatedAt OR (c.createdAt = @afterCreatedAt AND c.id < @afterId))');
      parameters.push({ name: '@afterCreatedAt', value: createdAt }, { name: '@afterId', value: id });
    }
    const order = filter.status !== undefined ? 'c.status ASC, c.createdAt DESC, c.id DESC' : 'c.createdAt DESC, c.id DESC';
    const docs = await queryDocs(
      this.ctx.tenants,
      `SELECT TOP ${limit + 1} * FROM c WHERE ${where.join(' AND ')} ORDER BY ${order}`,
      parameters,
      accountId,
    );
    return toPage(docs, limit, campaignFromDoc, (c) => [c.createdAt, c.id]);
  }

  /** One transactional batch: replace if-match the etag, then create the events. */
  async update(campaign: Campaign, events: DomainEvent[]): Promise<Campaign> {
    if (!campaign.etag) throw new ConcurrencyError(`campaign ${campaign.id}`); // never read, so never current
    // The replace goes last: it has no undo (the stored campaign was not read), the event creates
    // do. So on a backend without atomic batches (the test server, see runBatch) a stale etag or a
    // duplicate event id still leaves nothing behind, as it does on Cosmos DB.
    const steps: BatchStep[] = [
      ...eventSteps(events, campaign.accountId),
      { op: { operationType: 'Replace', id: campaign.id, resourceBody: campaignDoc(campaign), ifMatch: campaign.etag } },
    ];
    const replaceIndex = events.length;
    try {
      const results = await runBatch(this.ctx.tenants, campaign.accountId, steps);
      const etag = results[replaceIndex]?.eTag ?? results[replaceIndex]?.resourceBody?._etag;
      if (typeof etag !== 'string') throw new Error('Cosmos DB returned no etag for a write');
      return { ...campaign, etag };
    } catch (err) {
      if (err instanceof BatchFailure) {
        if (err.index === replaceIndex && (err.status === 412 || err.status === 404)) throw new ConcurrencyError(`campaign ${campaign.id}`);
        if (err.status === 409 && err.index < replaceIndex) throw duplicateEventError(events, err.index);
      }
      throw err;
    }
  }

  /**
   * Cross-partition by nature (the campaign job sweeps every account), like messages.listStale:
   * served by the /status and /updatedAt range indexes, least recently updated first.
   */
  async listInStatus(status: CampaignStatus, updatedBefore: string, limit: number, updatedFrom = ''): Promise<Campaign[]> {
    const docs = await queryDocs(
      this.ctx.tenants,
      `SELECT TOP ${pageLimit(limit)} * FROM c WHERE c.docType = 'campaign' AND c.status = @status AND c.updatedAt < @before AND c.updatedAt >= @from ORDER BY c.updatedAt ASC`,
      [
        { name: '@status', value: status },
        { name: '@before', value: updatedBefore },
        { name: '@from', value: updatedFrom },
      ],
    );
    return docs.map(campaignFromDoc);
  }
}
