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
  /**
   * Worth another try later (throttled, carrier down, timeout). `throttled` marks the carrier's
   * "too fast" answer, which lowers the sender's pace (app/pacing.ts).
   */
  | { outcome: 'transient'; reason: StatusReason; retryAfterMs?: number; throttled?: boolean }
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
  /** GET, POST (the default) or OPTIONS: some carriers call back with query strings (Kannel) or probe first (CloudEvents). */
  method?: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** The body exactly as received: signatures are computed over it. */
  rawBody: string;
  /** The absolute URL the carrier called, with its query string (some carriers sign it). */
  url: string;
  /**
   * The same path and query under PUBLIC_BASE_URL: the URL we told the carrier, which is what it
   * signs when a proxy sits in between. Absent or equal to `url` when no proxy rewrites the host.
   */
  publicUrl?: string;
}

/** Which carrier callback route was called. */
export type CallbackKind = 'status' | 'inbound';

/** An HTTP answer a carrier shapes itself (a handshake, TwiML, a retry request). */
export interface CarrierResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** What applying a status callback did, per carrier message id. */
export interface StatusCallbackOutcome {
  applied: string[];
  /** Late or repeated reports that changed nothing. */
  ignored: string[];
  /** No message has this carrier id (yet: a report can overtake the recording of the send). */
  unknown: string[];
}

export interface InboundCallbackOutcome {
  accepted: string[];
  unknownNumber: string[];
}

export type CallbackOutcome = ({ kind: 'status' } & StatusCallbackOutcome) | ({ kind: 'inbound' } & InboundCallbackOutcome);

/** How fast a carrier takes messages from one sender when no operator set a limit. */
export interface CarrierPacing {
  /** The published rate for this sender (messages, or segments, per second); null: no limit. */
  defaultRate(sender: string): number | null;
  /** True when the carrier counts segments against the rate rather than messages. */
  readonly countsSegments: boolean;
}

export interface Carrier {
  readonly name: string;
  /** Absent: no published limit (the simulator), only operator-set ones apply. */
  readonly pacing?: CarrierPacing;
  /**
   * Idempotent by messageId where the carrier allows it: a retried submit never sends the SMS twice.
   * Adapters say in their own comment where the carrier gives no way to (Twilio, Kannel).
   */
  submit(req: SubmitRequest): Promise<SubmitResult>;
  /** False for unsigned or forged callbacks. */
  verifySignature(req: CarrierRequest): boolean;
  /**
   * A protocol step the carrier answers itself, checked after the signature and before parsing
   * (Event Grid's subscription validation, the CloudEvents OPTIONS probe); null when the request is
   * an ordinary callback. Without it, only POST and GET callbacks are parsed.
   */
  handshake?(kind: CallbackKind, req: CarrierRequest): CarrierResponse | null;
  /** Throws CarrierPayloadError on a malformed body. */
  parseStatusCallback(req: CarrierRequest): StatusReport[];
  parseInbound(req: CarrierRequest): InboundSms[];
  /**
   * The answer the carrier expects once a callback was processed (TwiML, an empty 200, a 503 that
   * makes it retry reports that overtook their send). Without it the outcome is answered as JSON.
   */
  acknowledge?(outcome: CallbackOutcome): CarrierResponse;
}

export class CarrierPayloadError extends Error {
  readonly code = 'invalid_carrier_payload';
}

/** Carriers by name; the composition root registers the ones configured. */
export interface CarrierRegistry {
  get(name: string): Carrier | undefined;
  names(): string[];
}
