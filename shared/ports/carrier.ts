import type { MessageStatus, StatusReason } from '../domain/types';

export interface SubmitRequest {
  messageId: string;
  accountId: string;
  to: string;
  from: string;
  text: string;
  encoding: 'GSM-7' | 'UCS-2';
  /** Absolute URL the carrier should send delivery reports to. */
  statusCallbackUrl: string;
}

export type SubmitResult =
  | { outcome: 'accepted'; carrierMessageId: string }
  /** Worth another try later (throttled, carrier down, timeout). */
  | { outcome: 'transient'; reason: StatusReason; retryAfterMs?: number }
  /** Will never succeed (invalid number, blocked content): the message fails now. */
  | { outcome: 'permanent'; reason: StatusReason };

/** A delivery report mapped to the normalised vocabulary. */
export interface StatusReport {
  carrierMessageId: string;
  status: Extract<MessageStatus, 'sent' | 'delivered' | 'undelivered' | 'failed'>;
  reason?: StatusReason;
  occurredAt: string;
}

export interface InboundSms {
  from: string;
  to: string;
  text: string;
  carrierMessageId: string;
  receivedAt: string;
}

export interface CarrierRequest {
  headers: Record<string, string>;
  /** The body exactly as received: signatures are computed over it. */
  rawBody: string;
  /** The absolute URL the carrier called (some carriers sign it). */
  url: string;
}

export interface Carrier {
  readonly name: string;
  /** Must be idempotent by messageId: a retried submit never sends the SMS twice. */
  submit(req: SubmitRequest): Promise<SubmitResult>;
  /** False for unsigned or forged callbacks. */
  verifySignature(req: CarrierRequest): boolean;
  /** Throws CarrierPayloadError on a malformed body. */
  parseStatusCallback(req: CarrierRequest): StatusReport[];
  parseInbound(req: CarrierRequest): InboundSms[];
}

export class CarrierPayloadError extends Error {
  readonly code = 'invalid_carrier_payload';
}

/** Carriers by name; the composition root registers the ones configured. */
export interface CarrierRegistry {
  get(name: string): Carrier | undefined;
  names(): string[];
}
