/** Core records shared by the domain, the use cases and every adapter. Times are ISO-8601 UTC strings. */

import type { PreviousSigningSecret } from './signingSecrets';

/** Every message status, in the order the API documents them (schemas' enums read this list). */
export const MESSAGE_STATUSES = ['queued', 'scheduled', 'sent', 'delivered', 'undelivered', 'failed', 'cancelled'] as const;

export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export type Encoding = 'GSM-7' | 'UCS-2';

export interface StatusReason {
  code: number;
  message: string;
}

/** Money is carried as decimal strings; arithmetic happens on integer minor units (see domain/money). */
export interface MessageCost {
  amount: string;
  currency: string;
  segments: number;
  unitPrice: string;
}

export interface StatusChange {
  status: MessageStatus;
  at: string;
  reason?: StatusReason;
}

export interface Message {
  id: string;
  accountId: string;
  to: string;
  from: string;
  text: string;
  status: MessageStatus;
  statusReason: StatusReason | null;
  encoding: Encoding;
  segments: number;
  characters: number;
  nonEnglishChars: boolean;
  cost: MessageCost;
  createdAt: string;
  updatedAt: string;
  scheduledFor: string | null;
  /** Not handed to the carrier by then, the message fails (1414 Expired); absent or null: no limit. */
  validUntil?: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  attempts: number;
  carrier: string;
  carrierMessageId: string | null;
  callbackUrl: string | null;
  uniqueArgs: Record<string, string> | null;
  idempotencyKey: string | null;
  /** The campaign that sent the message; absent or null for a message sent on its own. */
  campaignId?: string | null;
  history: StatusChange[];
  /**
   * Seed 002: what the account's default webhook answered (notify on delivery), latest per stage:
   * `sent` when the send completed, `delivery` when the delivery status arrived.
   */
  notifyOnDelivery?: NotifyOnDeliveryResponse[];
  /** Internal: the queue task of a scheduled message, so cancelling it cancels the task too. */
  taskRef: { queue: string; id: string } | null;
  /** Opaque concurrency token owned by the store; absent on a record not yet stored. */
  etag?: string;
}

export interface NotifyOnDeliveryResponse {
  stage: 'sent' | 'delivery';
  at: string;
  attempt: number;
  url: string;
  /** HTTP status answered; null when the webhook did not answer. */
  statusCode: number | null;
  /** The start of the response body, or the error when there was no response. */
  response: string | null;
  succeeded: boolean;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** A new account's retry policy, and the one a send uses when its account is gone. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = { maxAttempts: 5, baseDelayMs: 2_000, maxDelayMs: 300_000 };

export interface Account {
  id: string;
  name: string;
  apiKeyHash: string;
  scopes: string[];
  currency: string;
  /** Credits in minor units (1/10,000 of the currency unit, see domain/money); stores keep them exact. */
  balance: bigint;
  lowBalanceThreshold: bigint;
  defaultSenderId: string | null;
  defaultCountry: string;
  retryPolicy: RetryPolicy;
  /** Seconds a message may wait to be handed to its carrier when the send sets none; absent or null: no limit. */
  validityPeriod?: number | null;
  carrier: string | null;
  createdAt: string;
  updatedAt: string;
  /** Seed 002: call the default webhook when a send completes and when its delivery status arrives. */
  notifyOnDelivery?: boolean;
  defaultWebhookUrl?: string | null;
  /**
   * Standard Webhooks secret (whsec_...) signing the account's own callbacks: per-message
   * `callback.url` events and the default webhook. Created on first use for older accounts.
   */
  callbackSecret?: string;
  /** The callback secret replaced by the last rotation, signing too until it expires; absent on older accounts. */
  previousCallbackSecret?: PreviousSigningSecret | null;
  /** Delivery-rate and bounce-rate monitors (domain/monitors.ts); absent on older accounts: the defaults. */
  monitors?: MonitorSettings;
  /** Internal: the monitor alerts raised and not yet recovered, so each fires once per crossing. */
  monitorState?: MonitorState;
  /** Message-body retention: texts of messages older than this many days are erased; absent or null: kept. */
  messageRetentionDays?: number | null;
  /** Internal: retention erased the texts of every message created before this time (ISO). */
  messageTextsErasedBefore?: string;
  etag?: string;
}

/**
 * An API key of an account (or of the operator: accountId OPERATOR_KEY_OWNER). Only the SHA-256 of
 * the secret is stored; `prefix` is its first characters, to tell keys apart in lists.
 */
export interface ApiKey {
  id: string;
  accountId: string;
  name: string;
  prefix: string;
  hash: string;
  scopes: string[];
  createdAt: string;
  /** Updated at most once a minute per key and process (not a write per request). */
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  /** The secret a rotation replaced, still valid until previousValidUntil (the grace period). */
  previousHash: string | null;
  previousValidUntil: string | null;
  etag?: string;
}

/** The accountId of operator keys (X-Admin-Key): no account has this id (accounts are acc_...). */
export const OPERATOR_KEY_OWNER = 'operator';

/** Thresholds of the Delivery Rate Low and High Bounce Rate triggers (seed 000). */
export interface MonitorSettings {
  /** Delivery Rate Low fires when delivered / final falls below this (0..1). */
  deliveryRateThreshold: number;
  /** High Bounce Rate fires when bounced / final rises above this (0..1). */
  bounceRateThreshold: number;
  /** The window: messages created this many minutes back from each evaluation. */
  windowMinutes: number;
  /** Messages with a final status the window needs before either monitor decides anything. */
  minSample: number;
}

/** When each alert fired; null while the monitor is armed (never fired, or recovered since). */
export interface MonitorState {
  deliveryRateLowSince: string | null;
  bounceRateHighSince: string | null;
}

export type SenderIdStatus = 'pending' | 'approved' | 'rejected';
export type SenderIdKind = 'alphanumeric' | 'number';

export interface SenderId {
  id: string;
  accountId: string;
  value: string;
  kind: SenderIdKind;
  status: SenderIdStatus;
  purpose: string | null;
  reason: string | null;
  createdAt: string;
  decidedAt: string | null;
  etag?: string;
}

export interface VirtualNumber {
  id: string;
  accountId: string;
  number: string;
  country: string;
  capabilities: string[];
  label: string | null;
  createdAt: string;
}

/** A domain event as written to the outbox: the same id on every delivery attempt. */
export interface DomainEvent<T = Record<string, unknown>> {
  id: string;
  type: string;
  occurredAt: string;
  accountId: string;
  data: T;
}
