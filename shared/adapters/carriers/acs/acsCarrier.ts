import { SmsClient, type SmsSendResult } from '@azure/communication-sms';
import { retryAfter } from '../retryAfter';
import { ACS_PACING } from '../publishedRates';
import { REASONS } from '../../../domain/status';
import {
  CarrierPayloadError,
  type CallbackKind,
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
import { field, isoTime, queryParams, safeEqual, toE164 } from '../callbackParsing';
import { mapAcsDelivery } from './acsStatus';
import { eventGridHandshake, parseGridEvents } from './eventGrid';
import { createRepeatability, type Repeatability } from './repeatability';

export const ACS_CARRIER = 'acs';
export const DELIVERY_REPORT_EVENT = 'Microsoft.Communication.SMSDeliveryReportReceived';
export const SMS_RECEIVED_EVENT = 'Microsoft.Communication.SMSReceived';

export interface AcsCarrierOptions {
  /** `endpoint=https://<resource>.communication.azure.com/;accesskey=<key>` (tests point it at a local server). */
  connectionString: string;
  /**
   * Event Grid cannot sign its deliveries; the webhook URL given to the subscription carries this
   * secret as `?key=`, and callbacks without it are refused.
   */
  eventGridKey: string;
  clock: Clock;
  logger: Logger;
  timeoutMs?: number;
}

/** Our message ids travel as the ACS tag; reports with another tag belong to another sender on the same resource. */
const OUR_TAG = /^msg_[0-9A-Za-z]+$/;
const RETRY_AFTER_REPEATABILITY_MS = 60_000;

/**
 * Azure Communication Services SMS through the official SDK. Sends ask for a delivery report and
 * carry the message id as tag; reports and inbound SMS arrive through Event Grid (either schema).
 * Idempotent by message id within ACS's five-minute repeatability window (see repeatability.ts);
 * a retry later than that, or after a restart within it, may send again.
 */
export function createAcsCarrier(options: AcsCarrierOptions): Carrier & { repeatability: Repeatability } {
  const { clock, logger } = options;
  const repeatability = createRepeatability(clock);
  const client = new SmsClient(options.connectionString, {
    additionalPolicies: [{ policy: repeatability.policy, position: 'perCall' }],
    // The send queue retries with backoff; the SDK's own retries would hold a worker while sleeping.
    retryOptions: { maxRetries: 0 },
    allowInsecureConnection: /endpoint=http:\/\//i.test(options.connectionString),
  });

  return {
    name: ACS_CARRIER,
    pacing: ACS_PACING,
    repeatability,

    async submit(req: SubmitRequest): Promise<SubmitResult> {
      let outcome: SubmitResult;
      try {
        const [result] = await client.send(
          { from: req.from, to: [req.to], message: req.text },
          // An abort signal rather than requestOptions.timeout: the SDK leaves that timer running
          // when a request fails, which holds the process open for the whole timeout.
          { enableDeliveryReport: true, tag: req.messageId, abortSignal: AbortSignal.timeout(options.timeoutMs ?? 15_000) },
        );
        outcome = result ? fromResult(result) : { outcome: 'transient', reason: REASONS.carrierUnavailable };
      } catch (err) {
        outcome = fromError(err);
      }
      // While a message is being retried its first-sent time must stay the same; after that it is done with.
      if (outcome.outcome !== 'transient') repeatability.forget(req.messageId);
      return outcome;
    },

    verifySignature(req: CarrierRequest): boolean {
      return safeEqual(queryParams(req).key, options.eventGridKey);
    },

    handshake(_kind: CallbackKind, req: CarrierRequest): CarrierResponse | null {
      return eventGridHandshake(req);
    },

    parseStatusCallback(req: CarrierRequest): StatusReport[] {
      const reports: StatusReport[] = [];
      for (const [i, event] of parseGridEvents(req.rawBody).entries()) {
        if (event.type !== DELIVERY_REPORT_EVENT) {
          if (event.type === SMS_RECEIVED_EVENT)
            logger.warn('ACS inbound SMS delivered to the status route; subscribe SMSReceived to /inbound', { eventId: event.id });
          continue;
        }
        const tag = field(event.data, 'Tag');
        if (typeof tag !== 'string' || !OUR_TAG.test(tag)) continue;
        const messageId = field(event.data, 'MessageId');
        const status = field(event.data, 'DeliveryStatus');
        const details = field(event.data, 'DeliveryStatusDetails');
        if (typeof messageId !== 'string' || !messageId) throw new CarrierPayloadError(`event ${i} has no data.MessageId`);
        if (typeof status !== 'string') throw new CarrierPayloadError(`event ${i} has no data.DeliveryStatus`);
        const mapped = mapAcsDelivery(status, typeof details === 'string' ? details : undefined);
        if (!mapped) continue;
        const occurredAt = isoTime(field(event.data, 'ReceivedTimestamp') ?? event.time, clock.now(), `event ${i} data.ReceivedTimestamp`);
        reports.push({ carrierMessageId: messageId, occurredAt, ...mapped });
      }
      return reports;
    },

    parseInbound(req: CarrierRequest): InboundSms[] {
      const messages: InboundSms[] = [];
      for (const [i, event] of parseGridEvents(req.rawBody).entries()) {
        if (event.type !== SMS_RECEIVED_EVENT) continue;
        const [id, from, to, text] = ['MessageId', 'From', 'To', 'Message'].map((n) => field(event.data, n));
        if ([id, from, to].some((v) => typeof v !== 'string' || !v))
          throw new CarrierPayloadError(`event ${i} needs data.MessageId, data.From and data.To`);
        if (text !== undefined && typeof text !== 'string') throw new CarrierPayloadError(`event ${i} data.Message is not a string`);
        messages.push({
          carrierMessageId: id as string,
          from: toE164(from as string),
          to: toE164(to as string),
          text: (text as string | undefined) ?? '',
          receivedAt: isoTime(field(event.data, 'ReceivedTimestamp') ?? event.time, clock.now(), `event ${i} data.ReceivedTimestamp`),
        });
      }
      return messages;
    },

    acknowledge(outcome: CallbackOutcome): CarrierResponse {
      const { kind: _kind, ...body } = outcome;
      // A report can overtake the recording of its send; Event Grid retries a 503 later, and the
      // reports already applied are ignored the second time.
      const retry = outcome.kind === 'status' && outcome.unknown.length > 0;
      if (retry) logger.info('ACS reports for messages not recorded yet; asking Event Grid to retry', { count: outcome.unknown.length });
      return {
        status: retry ? 503 : 200,
        headers: { 'content-type': 'application/json; charset=utf-8', ...(retry ? { 'retry-after': '30' } : {}) },
        body: JSON.stringify(body),
      };
    },
  };
}

function fromResult(r: SmsSendResult): SubmitResult {
  if (r.successful && r.messageId) return { outcome: 'accepted', carrierMessageId: r.messageId };
  // The SDK's public type omits it, but the service returns it per recipient.
  const repeatability = (r as SmsSendResult & { repeatabilityResult?: string }).repeatabilityResult;
  if (repeatability === 'rejected')
    return { outcome: 'transient', reason: REASONS.carrierUnavailable, retryAfterMs: RETRY_AFTER_REPEATABILITY_MS };
  return byHttpStatus(r.httpStatusCode);
}

function fromError(err: unknown): SubmitResult {
  const { statusCode: status, response } = err as {
    statusCode?: unknown;
    response?: { headers?: { get?(name: string): string | undefined } };
  };
  // 429: the sender's rate was exceeded; slow it down, from Retry-After when the service gives one.
  if (status === 429)
    return {
      outcome: 'transient',
      reason: REASONS.carrierUnavailable,
      throttled: true,
      ...retryAfter(response?.headers?.get?.('retry-after')),
    };
  return byHttpStatus(typeof status === 'number' ? status : undefined);
}

/**
 * No status (network error, timeout), throttling and server errors are worth retrying; so are
 * 401/403, which mean our credentials are wrong and an operator can fix them before retries run out.
 * Any other 4xx refuses this message for good.
 */
function byHttpStatus(status: number | undefined): SubmitResult {
  if (status === undefined || status === 401 || status === 403 || status === 408 || status === 412 || status === 429 || status >= 500) {
    return {
      outcome: 'transient',
      reason: REASONS.carrierUnavailable,
      ...(status === 412 ? { retryAfterMs: RETRY_AFTER_REPEATABILITY_MS } : {}),
    };
  }
  return { outcome: 'permanent', reason: REASONS.rejected };
}
