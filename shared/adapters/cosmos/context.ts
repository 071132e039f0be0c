import type { Container } from '@azure/cosmos';

export interface CosmosStoreSettings {
  /** Seconds an outbox event is kept after it is dispatched (per-item TTL). */
  dispatchedEventTtlSeconds: number;
  /** Seconds a carrier-message-id pointer is kept (delivery reports arrive within days). */
  carrierLookupTtlSeconds: number;
  /** Seconds an Idempotency-Key is remembered (per-item TTL on the marker; the message stays). */
  idempotencyTtlSeconds: number;
  /** Seconds an audit record is kept (per-item TTL): AUDIT_RETENTION_DAYS. */
  auditTtlSeconds: number;
  /** Attempts of an etag-guarded read-modify-write of a balance before giving up. */
  maxConcurrencyRetries: number;
  /**
   * Age (seconds) after which a unique-value pointer whose record does not exist counts as left by a
   * crash and may be taken over; younger ones may belong to a create still in flight.
   */
  orphanGraceSeconds: number;
}

export interface CosmosContext {
  tenants: Container;
  lookups: Container;
  settings: CosmosStoreSettings;
}
