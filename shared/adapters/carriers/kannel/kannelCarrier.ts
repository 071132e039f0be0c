import { retryAfter } from '../retryAfter';
import { kannelPacing } from '../publishedRates';
import { REASONS } from '../../../domain/status';
import {
  CarrierPayloadError,
  type CallbackOutcome,
  type Carrier,
  type CarrierRequest,
  type CarrierResponse,
  type Clock,
  type HttpClient,
  type InboundSms,
  type Logger,
  type StatusReport,
  type SubmitRequest,
  type SubmitResult,
} from '../../../ports';
import { callbackKindOf, hmacBase64Url, queryParams, rawQueryBytes, safeEqual, toE164 } from '../callbackParsing';
import { DLR_MASK, mapKannelDlr } from './kannelDlr';

export const KANNEL_CARRIER = 'kannel';

export interface KannelCarrierOptions {
  /** smsbox's send-sms URL, e.g. http://kannel:13013/cgi-bin/sendsms */
  sendsmsUrl: string;
  /** A sendsms-user of smsbox. */
  username: string;
  password: string;
  /** Signs the dlr-url of each message and authenticates the sms-service URL (`?key=`). */
  callbackSecret: string;
  /** Optional smsc id to route through (smsbox `smsc` parameter). */
  smsc?: string | null;
  /** The SMSC's throughput, messages per second (KANNEL_THROUGHPUT); null or absent: no default limit. */
  throughput?: number | null;
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  timeoutMs?: number;
}

/**
 * Kannel's smsbox over HTTP, for operators who reach their SMSCs over SMPP (or any protocol Kannel
 * speaks). Sends are `GET /cgi-bin/sendsms` with a dlr-mask and a dlr-url back to our status route;
 * Kannel calls that URL (GET, query string) for every report, and an smsbox `sms-service` calls our
 * inbound route for SMS sent to our numbers.
 *
 * The message id is its own carrier id: it travels in the dlr-url, signed so a report can only
 * name the message it was issued for. Not idempotent by message id: sendsms has no idempotency key,
 * so a send whose answer is lost (a timeout after smsbox took it) is sent again on retry.
 */
export function createKannelCarrier(options: KannelCarrierOptions): Carrier {
  const { http, clock, logger } = options;
  const dlrSignature = (messageId: string) => hmacBase64Url(options.callbackSecret, `dlr:${messageId}`);

  return {
    name: KANNEL_CARRIER,
    pacing: kannelPacing(options.throughput ?? null),

    async submit(req: SubmitRequest): Promise<SubmitResult> {
      // Kannel substitutes %d (type), %A (SMSC answer) and %T (time) when it calls back.
      const dlrUrl = `${req.statusCallbackUrl}?id=${encodeURIComponent(req.messageId)}&sig=${dlrSignature(req.messageId)}&type=%d&answer=%A&ts=%T`;
      const query = new URLSearchParams({
        username: options.username,
        password: options.password,
        from: req.from,
        to: req.to,
        text: req.text,
        charset: 'UTF-8',
        coding: req.encoding === 'UCS-2' ? '2' : '0',
        'dlr-mask': String(DLR_MASK),
        'dlr-url': dlrUrl,
        ...(options.smsc ? { smsc: options.smsc } : {}),
      });
      const separator = options.sendsmsUrl.includes('?') ? '&' : '?';
      try {
        const res = await http.request({
          url: `${options.sendsmsUrl}${separator}${query}`,
          method: 'GET',
          timeoutMs: options.timeoutMs ?? 15_000,
        });
        // 202 "0: Accepted for delivery" or "3: Queued for later delivery" (no SMSC connected yet).
        if (res.status === 202 || res.status === 200) return { outcome: 'accepted', carrierMessageId: req.messageId };
        logger.warn('Kannel refused a send', { messageId: req.messageId, status: res.status, answer: res.body.slice(0, 200) });
        // Queue full (smsbox answers 503 "Queue full", a proxy may answer 429): slow the sender down.
        if (res.status === 429 || (res.status === 503 && /queue full/i.test(res.body))) {
          return { outcome: 'transient', reason: REASONS.carrierUnavailable, throttled: true, ...retryAfter(res.headers['retry-after']) };
        }
        // 403 is a wrong sendsms-user: fixable by the operator before retries run out.
        if (res.status === 403 || res.status === 429 || res.status >= 500)
          return { outcome: 'transient', reason: REASONS.carrierUnavailable };
        return { outcome: 'permanent', reason: REASONS.rejected };
      } catch (err) {
        logger.warn('Kannel did not answer a send', { messageId: req.messageId, error: (err as Error).message });
        return { outcome: 'transient', reason: REASONS.carrierUnavailable };
      }
    },

    verifySignature(req: CarrierRequest): boolean {
      const q = queryParams(req);
      const kind = callbackKindOf(req);
      if (kind === 'status') return !!q.id && safeEqual(q.sig, dlrSignature(q.id));
      if (kind === 'inbound') return safeEqual(q.key, options.callbackSecret);
      return false;
    },

    parseStatusCallback(req: CarrierRequest): StatusReport[] {
      const q = queryParams(req);
      const type = Number(q.type);
      if (!q.id || !q.type || !Number.isInteger(type)) throw new CarrierPayloadError('a delivery report needs id and a numeric type');
      const mapped = mapKannelDlr(type, q.answer);
      return mapped ? [{ carrierMessageId: q.id, occurredAt: epochSeconds(q.ts, clock.now()), ...mapped }] : [];
    },

    parseInbound(req: CarrierRequest): InboundSms[] {
      const q = queryParams(req);
      if (!q.id || !q.from || !q.to) throw new CarrierPayloadError('an inbound message needs id, from and to');
      return [
        {
          carrierMessageId: q.id,
          from: toE164(q.from),
          to: toE164(q.to),
          text: decodeText(rawQueryBytes(req, 'text'), q.coding, q.charset),
          receivedAt: epochSeconds(q.ts, clock.now()),
        },
      ];
    },

    acknowledge(outcome: CallbackOutcome): CarrierResponse {
      // smsbox retries a failed request (http-request-retry); a report that overtook the recording
      // of its send is asked for again. The body stays empty: an sms-service would send it as a reply.
      if (outcome.kind === 'status' && outcome.unknown.length > 0) {
        return { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' }, body: '' };
      }
      return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '' };
    },
  };
}

/** `%T` is a Unix time in seconds; absent or malformed falls back to now (it is informational). */
function epochSeconds(value: string | undefined, nowMs: number): string {
  const s = Number(value);
  return new Date(value && Number.isFinite(s) && s > 0 ? s * 1000 : nowMs).toISOString();
}

/**
 * `%b` is the message as the handset sent it: UTF-8 when smsbox recoded it (`mo-recode`), UCS-2
 * (UTF-16BE) for coding 2 otherwise, and Kannel's 8-bit default (Windows-1252) for GSM text.
 */
export function decodeText(bytes: Buffer | null, coding: string | undefined, charset: string | undefined): string {
  if (!bytes || bytes.length === 0) return '';
  const cs = (charset ?? '').toLowerCase();
  if (cs === 'utf-8' || cs === 'utf8') return bytes.toString('utf8');
  if (cs === 'utf-16be' || cs === 'ucs-2' || cs === 'ucs2' || (!cs && coding === '2')) return new TextDecoder('utf-16be').decode(bytes);
  if (cs === 'windows-1252' || cs === 'iso-8859-1' || cs === 'latin1') return new TextDecoder('windows-1252').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}
