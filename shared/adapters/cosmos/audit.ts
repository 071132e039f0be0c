import type { SqlParameter } from '@azure/cosmos';
import type { AuditRecord } from '../../domain/audit';
import type { AuditFilter, AuditStore, Page, PageRequest } from '../../ports/stores';
import type { CosmosContext } from './context';
import { assertValidId, decodeToken, fromDoc, pageLimit, queryDocs, toDoc, toPage, type Doc } from './internal';

/** The logical partition of operator records on no account (account ids are `acc_...`). */
const NO_ACCOUNT = '_operator';

const partitionOf = (accountId: string | null): string => accountId ?? NO_ACCOUNT;

function recordOf(doc: Doc): AuditRecord {
  const record = fromDoc<AuditRecord>(doc, ['docType'], false);
  return { ...record, accountId: record.accountId === NO_ACCOUNT ? null : record.accountId };
}

/**
 * Audit records in the tenants container, in the partition of the account acted on, each with a
 * time-to-live of the audit retention: Cosmos DB deletes them itself, so `prune` has nothing to do.
 * `at` is the field (and the composite index) the delivery attempts already sort on.
 */
export class CosmosAuditStore implements AuditStore {
  constructor(private readonly ctx: CosmosContext) {}

  async open(record: AuditRecord): Promise<void> {
    assertValidId(record.id, 'audit record');
    // Awaited (unlike SQLite): the record is durable before the handler's first write starts.
    await this.ctx.tenants.items.create(
      toDoc(record, { docType: 'audit', accountId: partitionOf(record.accountId), ttl: this.ctx.settings.auditTtlSeconds }),
    );
  }

  async complete(accountId: string | null, id: string, outcome: { status: number; resourceId: string | null }): Promise<void> {
    const ops: { op: 'set'; path: string; value: unknown }[] = [{ op: 'set', path: '/status', value: outcome.status }];
    if (outcome.resourceId !== null) ops.push({ op: 'set', path: '/resourceId', value: outcome.resourceId });
    await this.ctx.tenants.item(id, partitionOf(accountId)).patch(ops);
  }

  async list(accountId: string | null, filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>> {
    const limit = pageLimit(page.limit);
    const partition = partitionOf(accountId);
    const where = ["c.docType = 'audit'", 'c.accountId = @accountId'];
    const parameters: SqlParameter[] = [{ name: '@accountId', value: partition }];
    const add = (condition: string, name: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(condition);
      parameters.push({ name, value });
    };
    add('c.at >= @since', '@since', filter.since);
    add('c.at < @until', '@until', filter.until);
    add('c.keyId = @keyId', '@keyId', filter.keyId);
    add('c.operationId = @operationId', '@operationId', filter.operationId);
    add('c.resourceId = @resourceId', '@resourceId', filter.resourceId);
    if (page.continuationToken) {
      const [at, id] = decodeToken(page.continuationToken, 2) as [string, string];
      where.push('(c.at < @afterAt OR (c.at = @afterAt AND c.id < @afterId))');
      parameters.push({ name: '@afterAt', value: at }, { name: '@afterId', value: id });
    }
    const docs = await queryDocs(
      this.ctx.tenants,
      `SELECT TOP ${limit + 1} * FROM c WHERE ${where.join(' AND ')} ORDER BY c.at DESC, c.id DESC`,
      parameters,
      partition,
    );
    return toPage(docs, limit, recordOf, (r) => [r.at, r.id]);
  }

  async prune(): Promise<number> {
    return 0;
  }
}
