import type { DomainEvent, SenderId, SenderIdStatus } from '../../domain/types';
import { ConcurrencyError, DuplicateError, type SenderIdStore } from '../../ports/stores';
import type { CosmosContext } from './context';
import { BatchFailure, assertValidId, fromDoc, queryDocs, readDoc, runBatch, statusOf, toDoc, type Doc } from './internal';
import { duplicateEventError, eventSteps } from './outbox';

function senderIdFromDoc(doc: Doc): SenderId {
  return fromDoc<SenderId>(doc, ['docType'], true);
}

/** Oldest first, ties by id: a stable order for small per-account lists sorted in memory. */
function byCreation<T extends { createdAt: string; id: string }>(a: T, b: T): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export class CosmosSenderIdStore implements SenderIdStore {
  constructor(private readonly ctx: CosmosContext) {}

  async create(senderId: SenderId): Promise<SenderId> {
    assertValidId(senderId.id, 'sender id');
    try {
      const { resource } = await this.ctx.tenants.items.create<Doc>(toDoc(senderId, { docType: 'senderId' }));
      return senderIdFromDoc(resource as Doc);
    } catch (err) {
      if (statusOf(err) === 409) throw new DuplicateError(`sender id ${senderId.id}`);
      throw err;
    }
  }

  async get(accountId: string, id: string): Promise<SenderId | null> {
    const doc = await readDoc(this.ctx.tenants, id, accountId);
    return doc && doc.docType === 'senderId' && doc.accountId === accountId ? senderIdFromDoc(doc) : null;
  }

  /** Cross-partition query by id: operators' approvals are rare. */
  async getForAdmin(id: string): Promise<SenderId | null> {
    const docs = await queryDocs(this.ctx.tenants, "SELECT * FROM c WHERE c.docType = 'senderId' AND c.id = @id", [
      { name: '@id', value: id },
    ]);
    const doc = docs[0];
    return doc ? senderIdFromDoc(doc) : null;
  }

  async findByValue(accountId: string, value: string): Promise<SenderId | null> {
    const docs = await queryDocs(
      this.ctx.tenants,
      `SELECT * FROM c WHERE c.docType = 'senderId' AND c.accountId = @accountId AND c["value"] = @value`,
      [
        { name: '@accountId', value: accountId },
        { name: '@value', value },
      ],
      accountId,
    );
    // Several records may share a value (re-submitted after a rejection): the newest wins, as in SQLite.
    return docs.map(senderIdFromDoc).sort(byCreation).pop() ?? null;
  }

  async list(accountId: string, status?: SenderIdStatus): Promise<SenderId[]> {
    const parameters = [{ name: '@accountId', value: accountId }];
    let query = "SELECT * FROM c WHERE c.docType = 'senderId' AND c.accountId = @accountId";
    if (status !== undefined) {
      query += ' AND c.status = @status';
      parameters.push({ name: '@status', value: status });
    }
    const docs = await queryDocs(this.ctx.tenants, query, parameters, accountId);
    return docs.map(senderIdFromDoc).sort(byCreation);
  }

  /** One transactional batch: replace if-match the etag, then create the events. */
  async update(senderId: SenderId, events: DomainEvent[]): Promise<SenderId> {
    if (!senderId.etag) throw new ConcurrencyError(`sender id ${senderId.id}`); // never read, so never current
    const steps = [
      {
        op: {
          operationType: 'Replace' as const,
          id: senderId.id,
          resourceBody: toDoc(senderId, { docType: 'senderId' }),
          ifMatch: senderId.etag,
        },
      },
      ...eventSteps(events, senderId.accountId),
    ];
    try {
      const results = await runBatch(this.ctx.tenants, senderId.accountId, steps);
      const etag = results[0]?.eTag ?? results[0]?.resourceBody?._etag;
      return { ...senderId, etag: String(etag) };
    } catch (err) {
      if (err instanceof BatchFailure) {
        if (err.index === 0 && (err.status === 412 || err.status === 404)) throw new ConcurrencyError(`sender id ${senderId.id}`);
        if (err.status === 409) throw duplicateEventError(events, err.index - 1);
      }
      throw err;
    }
  }
}
