import type { AuditRecord } from '../domain/audit';
import type { IdGenerator } from '../ports/ids';
import type { RouteDef, RouteResult } from './route';

/**
 * What the engine writes to the audit log (shared/ports/stores.ts AuditStore), and what it reads off
 * a request to write it. The durability argument is in docs/ARCHITECTURE.md (Audit log).
 */

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Recorded: every mutating request on an account route, and every operator request (reads too).
 * Not recorded: reads on account routes, open routes, and carrier callbacks (machine traffic that
 * authenticates by signature, holds no key, and whose effects are the messages' own status history).
 */
export function isAudited(def: Pick<RouteDef, 'auth' | 'method'>): boolean {
  return def.auth === 'admin' || (def.auth === 'account' && MUTATING.has(def.method));
}

/** A caller's X-Request-Id is kept when it is a plain token; anything else gets an id of ours. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** `headers` with lower-cased names, as the engine holds them. */
export function requestIdOf(headers: Record<string, string>, ids: IdGenerator): string {
  const given = headers['x-request-id'];
  return given !== undefined && SANE_REQUEST_ID.test(given) ? given : ids.next('req');
}

/** The account an operator request acts on: an `accountId` in its path, query or body; else none. */
export function operatorAccountOf(params: Record<string, string>, query: Record<string, unknown>, body: unknown): string | null {
  const fromBody = body && typeof body === 'object' ? (body as { accountId?: unknown }).accountId : undefined;
  for (const candidate of [params.accountId, query.accountId, fromBody])
    if (typeof candidate === 'string' && candidate !== '') return candidate;
  return null;
}

/**
 * Path parameters that are personal data, not ids: the log is append-only, so a phone number in it
 * could never be erased (the opt-out routes name their resource by number).
 */
const PERSONAL_PARAMS = new Set(['phone']);

/** The resource a path names: its last parameter (`/groups/{groupId}/contacts/{contactId}` → the contact). */
export function pathResourceOf(paramNames: readonly string[], params: Record<string, string>): string | null {
  const last = paramNames[paramNames.length - 1];
  return last === undefined || PERSONAL_PARAMS.has(last) ? null : (params[last] ?? null);
}

/** The resource a successful request created: the `id` of its JSON body (or of the account an operator created). */
export function resultResourceOf(result: RouteResult): string | null {
  if (result.status >= 300 || !result.body || typeof result.body !== 'object') return null;
  const body = result.body as { id?: unknown; account?: { id?: unknown } };
  const id = body.id ?? body.account?.id;
  return typeof id === 'string' ? id : null;
}

export interface AuditSubject {
  keyId: string;
  accountId: string | null;
  resourceId: string | null;
}

export function auditRecord(
  ids: IdGenerator,
  now: number,
  def: RouteDef,
  subject: AuditSubject,
  requestId: string,
  sourceAddress: string | undefined,
  status: number | null,
): AuditRecord {
  return {
    id: ids.next('aud'),
    at: new Date(now).toISOString(),
    accountId: subject.accountId,
    keyId: subject.keyId,
    operationId: def.operationId,
    method: def.method,
    resourceId: subject.resourceId,
    sourceAddress: sourceAddress ?? null,
    status,
    requestId,
  };
}
