import type { AuditRecord } from '../domain/audit';
import type { AuditFilter, Page, PageRequest } from '../ports';
import type { AppDeps } from './deps';

/** The query of an audit list as a route takes it: times in any ISO 8601 offset. */
export interface AuditQuery {
  since?: string;
  until?: string;
  keyId?: string;
  operationId?: string;
  resourceId?: string;
}

/**
 * A page of the audit log of one account (null: operator requests on no account), newest first.
 * Times are compared as stored, in UTC, so the bounds are normalised first.
 */
export async function listAuditRecords(
  deps: AppDeps,
  accountId: string | null,
  q: AuditQuery,
  page: PageRequest,
): Promise<Page<AuditRecord>> {
  const filter: AuditFilter = { keyId: q.keyId, operationId: q.operationId, resourceId: q.resourceId };
  if (q.since !== undefined) filter.since = new Date(q.since).toISOString();
  if (q.until !== undefined) filter.until = new Date(q.until).toISOString();
  return deps.store.audit.list(accountId, filter, page);
}
