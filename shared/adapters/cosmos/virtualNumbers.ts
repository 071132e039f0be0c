import type { VirtualNumber } from '../../domain/types';
import { DuplicateError, type VirtualNumberStore } from '../../ports/stores';
import type { CosmosContext } from './context';
import { assertValidId, fromDoc, queryDocs, readDoc, statusOf, toDoc, type Doc } from './internal';
import { claimLookup, deleteLookupIfOwned, numberLookupId, readLookup, type LookupDoc } from './lookups';

function virtualNumberFromDoc(doc: Doc): VirtualNumber {
  return fromDoc<VirtualNumber>(doc, ['docType'], false);
}

/**
 * The record lives in its account's partition (for list); global uniqueness of the number and the
 * inbound routing look-up come from a pointer in `lookups` keyed by the number, claimed first.
 */
export class CosmosVirtualNumberStore implements VirtualNumberStore {
  constructor(private readonly ctx: CosmosContext) {}

  async create(vn: VirtualNumber): Promise<VirtualNumber> {
    assertValidId(vn.id, 'virtual number');
    const pointerId = numberLookupId(vn.number);
    const claim = await claimLookup(this.ctx, { id: pointerId, accountId: vn.accountId, recordId: vn.id }, async (existing) => {
      return (await this.resolve(existing, vn.number)) !== null;
    });
    if (claim === 'taken') throw new DuplicateError(`virtual number ${vn.number}`);
    try {
      const { resource } = await this.ctx.tenants.items.create<Doc>(toDoc(vn, { docType: 'virtualNumber' }));
      return virtualNumberFromDoc(resource as Doc);
    } catch (err) {
      if (claim === 'created') await deleteLookupIfOwned(this.ctx, pointerId, vn.accountId, vn.id);
      if (statusOf(err) === 409) throw new DuplicateError(`virtual number ${vn.id}`);
      throw err;
    }
  }

  async list(accountId: string): Promise<VirtualNumber[]> {
    const docs = await queryDocs(
      this.ctx.tenants,
      "SELECT * FROM c WHERE c.docType = 'virtualNumber' AND c.accountId = @accountId",
      [{ name: '@accountId', value: accountId }],
      accountId,
    );
    return docs.map(virtualNumberFromDoc).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async findByNumber(number: string): Promise<VirtualNumber | null> {
    const pointer = await readLookup(this.ctx, numberLookupId(number));
    return pointer ? this.resolve(pointer, number) : null;
  }

  /** The tenant record a pointer names, if it exists and still has the number. */
  private async resolve(pointer: LookupDoc, number: string): Promise<VirtualNumber | null> {
    if (pointer.recordId === undefined) return null;
    const doc = await readDoc(this.ctx.tenants, pointer.recordId, pointer.accountId);
    return doc && doc.docType === 'virtualNumber' && doc.number === number ? virtualNumberFromDoc(doc) : null;
  }
}
