/**
 * One entry of the audit log: who (key id, never the secret) did what (operationId) to which
 * resource of which account, from where, with what outcome. Written by the request engine for every
 * mutating account request and every operator request; never changed by a route, expired by age.
 */
export interface AuditRecord {
  /** `aud_` + a time-sortable id. */
  id: string;
  /** When the request reached its handler (ISO 8601). */
  at: string;
  /** The account the request acted on; null for operator requests on no account. */
  accountId: string | null;
  /** The key that authenticated the request (`key_...` or `operator`), never the key itself. */
  keyId: string;
  operationId: string;
  method: string;
  /** The resource the request named in its path, or the one it created; null when neither. */
  resourceId: string | null;
  /** The caller's network address as the host saw it. */
  sourceAddress: string | null;
  /**
   * The HTTP status answered; null while the request runs, and for ever when the process stopped
   * before it answered (the change may or may not have been made: the record says the attempt was).
   */
  status: number | null;
  /** The Request-Id header the response carried. */
  requestId: string;
}

/** What completes an open record once the handler has answered. */
export interface AuditOutcome {
  status: number;
  resourceId: string | null;
}
