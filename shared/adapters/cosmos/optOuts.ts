import type { OptOut } from '../../domain/optOut';
import type { OptOutStore, Page, PageRequest } from '../../ports/stores';
import type { CosmosContext } from './context';
import { fromDoc, hashKey, queryDocs, readDoc, statusOf, toDoc, type Doc } from './internal';

export const optOutId = (phone: string) => `optout_${hashKey(phone)}`;
// The document id is derived from the phone; the record itself has none.
const fromOptOutDoc = (doc: Doc) => fromDoc<OptOut>(doc, ['docType', 'id'], false);

/**
 * Opt-outs in their account's partition of `tenants`, one document per phone with an id derived
 * from the phone: adding is an upsert, the send path's check a 1-RU point read.
 */
export class CosmosOptOutStore implements OptOutStore {
  constructor(private readonly ctx: CosmosContext) {}

  async add(optOut: OptOut): Promise<OptOut> {
    await this.ctx.tenants.items.upsert(toDoc(optOut, { id: optOutId(optOut.phone), docType: 'optOut' }));
    return optOut;
  }

  async remove(accountId: string, phone: string): Promise<boolean> {
    try {
      await this.ctx.tenants.item(optOutId(phone), accountId).delete();
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  async get(accountId: string, phone: string): Promise<OptOut | null> {
    const doc = await readDoc(this.ctx.tenants, optOutId(phone), accountId);
    return doc && doc.docType === 'optOut' ? fromOptOutDoc(doc) : null;
  }

  async list(accountId: string, page: PageRequest): Promise<Page<OptOut>> {
    const after = page.continuationToken ? Buffer.from(page.continuationToken, 'base64url').toString('utf8') : '';
    const docs = await queryDocs(
      this.ctx.tenants,
      `SELECT TOP ${Math.max(1, Math.floor(page.limit)) + 1} * FROM c WHERE c.docType = 'optOut' AND c.accountId = @accountId AND c.phone > @after ORDER BY c.phone ASC`,
      [
        { name: '@accountId', value: accountId },
        { name: '@after', value: after },
      ],
      accountId,
    );
    const items = docs.slice(0, page.limit).map(fromOptOutDoc);
    const last = items[items.length - 1];
    return { items, continuationToken: docs.length > page.limit && last ? Buffer.from(last.phone).toString('base64url') : null };
  }
}
