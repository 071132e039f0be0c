import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import { TWILIO_PACING } from '../publishedRates';
import { REASONS } from '../../../domain/status';
import {
  CarrierPayloadError,
  type CallbackOutcome,
  type Carrier,
  type CarrierRequest,
  type CarrierResponse,
  type Clock,
  type InboundSms,
  type Logger,
  type StatusReport,
  type SubmitRequest,
  type SubmitResult,
} from '../../../ports';
import { formParams, queryParams } from '../callbackParsing';
import { TWILIO_API_BASE_URL } from './twilioApi';
import { classifyTwilioError, mapTwilioStatus } from './twilioStatus';

export const TWILIO_CARRIER = 'twilio';

export interface TwilioCarrierOptions {
  accountSid: string;
  authToken: string;
  /** Sends through a Messaging Service (its sender pool) instead of a single From. */
  messagingServiceSid?: string | null;
  /** Where the REST API lives; tests and egress proxies point it elsewhere. */
  apiBaseUrl?: string;
  clock: Clock;
  logger: Logger;
  timeoutMs?: number;
}

/**
 * The SDK addresses https://api.twilio.com directly and has no base-URL option; it does take an
 * HTTP client, so this one moves requests to the configured base and otherwise is Twilio's own.
 */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(
    private readonly base: string,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs, keepAlive: true });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = opts.uri.startsWith(TWILIO_API_BASE_URL) ? `${this.base}${opts.uri.slice(TWILIO_API_BASE_URL.length)}` : opts.uri;
    return super.request<TData>({ ...opts, uri });
  }
}

/**
 * Twilio Programmable Messaging through the official SDK. Each send names our status route as its
 * StatusCallback; callbacks and inbound webhooks must carry a valid X-Twilio-Signature.
 *
 * Not idempotent by message id: Twilio's Messages API has no idempotency key, so a send whose
 * answer is lost (a timeout after Twilio took it) is sent again when the queue retries it.
 */
export function createTwilioCarrier(options: TwilioCarrierOptions): Carrier {
  const { clock, logger } = options;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const base = (options.apiBaseUrl ?? TWILIO_API_BASE_URL).replace(/\/$/, '');
  const client = twilio(options.accountSid, options.authToken, {
    httpClient:
      base === TWILIO_API_BASE_URL
        ? new twilio.RequestClient({ timeout: timeoutMs, keepAlive: true })
        : new RebasedRequestClient(base, timeoutMs),
    autoRetry: false,
  });
  const emptyTwiml = new twilio.twiml.MessagingResponse().toString();

  return {
    name: TWILIO_CARRIER,
    pacing: TWILIO_PACING,

    async submit(req: SubmitRequest): Promise<SubmitResult> {
      try {
        const message = await client.messages.create({
          to: req.to,
          body: req.text,
          statusCallback: req.statusCallbackUrl,
          ...(options.messagingServiceSid ? { messagingServiceSid: options.messagingServiceSid } : { from: req.from }),
        });
        return { outcome: 'accepted', carrierMessageId: message.sid };
      } catch (err) {
        return fromError(err);
      }
    },

    verifySignature(req: CarrierRequest): boolean {
      const signature = req.headers['x-twilio-signature'];
      if (!signature) return false;
      const params = req.method === 'GET' ? {} : signedParams(req.rawBody);
      const urls = req.publicUrl && req.publicUrl !== req.url ? [req.url, req.publicUrl] : [req.url];
      return urls.some((url) => twilio.validateRequest(options.authToken, signature, url, params));
    },

    parseStatusCallback(req: CarrierRequest): StatusReport[] {
      const p = params(req);
      const sid = p.MessageSid ?? p.SmsSid;
      const status = p.MessageStatus ?? p.SmsStatus;
      if (!sid || !status) throw new CarrierPayloadError('a status callback needs MessageSid and MessageStatus');
      const errorCode = p.ErrorCode ? Number(p.ErrorCode) : undefined;
      if (errorCode !== undefined && !Number.isInteger(errorCode))
        throw new CarrierPayloadError(`ErrorCode ${p.ErrorCode} is not a number`);
      const mapped = mapTwilioStatus(status, errorCode);
      // Twilio's status callbacks carry no time of their own.
      return mapped ? [{ carrierMessageId: sid, occurredAt: new Date(clock.now()).toISOString(), ...mapped }] : [];
    },

    parseInbound(req: CarrierRequest): InboundSms[] {
      const p = params(req);
      const sid = p.MessageSid ?? p.SmsMessageSid ?? p.SmsSid;
      if (!sid || !p.From || !p.To) throw new CarrierPayloadError('an inbound message needs MessageSid, From and To');
      return [{ carrierMessageId: sid, from: p.From, to: p.To, text: p.Body ?? '', receivedAt: new Date(clock.now()).toISOString() }];
    },

    acknowledge(outcome: CallbackOutcome): CarrierResponse {
      // Twilio does not retry status callbacks, so a report for an unknown message is only logged.
      if (outcome.kind === 'status') {
        if (outcome.unknown.length) logger.warn('Twilio status callback for an unknown message', { sid: outcome.unknown.join(',') });
        return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '' };
      }
      // An empty TwiML response: reply rules are ours to run, not Twilio's.
      return { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: emptyTwiml };
    },
  };
}

/** Twilio signs POST form fields (every value of a repeated name) or, for GET webhooks, the URL alone. */
function signedParams(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function params(req: CarrierRequest): Record<string, string> {
  return req.method === 'GET' ? queryParams(req) : formParams(req.rawBody);
}

function fromError(err: unknown): SubmitResult {
  const e = err as { status?: unknown; code?: unknown };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const code = typeof e.code === 'number' ? e.code : undefined;
  const known = classifyTwilioError(code);
  // 20429 (too many requests) and 30022 (10DLC throughput exceeded) slow the sender down.
  const throttled = status === 429 || code === 20429 || code === 30022;
  if (known)
    return known.transient
      ? { outcome: 'transient', reason: known.reason, ...(throttled ? { throttled } : {}) }
      : { outcome: 'permanent', reason: known.reason };
  // No HTTP status: the request never got an answer (refused, reset, timed out).
  if (status === undefined || status === 401 || status === 429 || status >= 500)
    return { outcome: 'transient', reason: REASONS.carrierUnavailable, ...(throttled ? { throttled } : {}) };
  return { outcome: 'permanent', reason: REASONS.rejected };
}
