import { REASONS } from '../../../domain/status';
import type { StatusReason } from '../../../domain/types';
import type { StatusReport } from '../../../ports';

/**
 * Twilio's message vocabulary mapped to ours. Statuses: queued, accepted, scheduled, sending and
 * sent mean the message is on its way (our `sent`); delivered and read are `delivered`;
 * undelivered is `undelivered`; failed and canceled are `failed`. Error codes pick the reason, and
 * whether a refusal at submit time is worth retrying.
 */
export type TwilioErrorClass = { reason: StatusReason; transient: boolean };

const ERRORS: Record<number, TwilioErrorClass> = {
  20003: { reason: REASONS.carrierUnavailable, transient: true }, // authentication failed: fixable by the operator
  20429: { reason: REASONS.carrierUnavailable, transient: true }, // too many requests
  21211: { reason: REASONS.hardBounce, transient: false }, // invalid To number
  21408: { reason: REASONS.rejected, transient: false }, // sending to this region not enabled
  21606: { reason: REASONS.rejected, transient: false }, // From is not a number of this account
  21610: { reason: REASONS.optedOut, transient: false }, // recipient replied STOP
  21612: { reason: REASONS.hardBounce, transient: false }, // To cannot be reached by SMS
  21614: { reason: REASONS.hardBounce, transient: false }, // To is not a mobile number
  21617: { reason: REASONS.rejected, transient: false }, // body too long
  30001: { reason: REASONS.carrierUnavailable, transient: true }, // queue overflow
  30002: { reason: REASONS.rejected, transient: false }, // account suspended
  30003: { reason: REASONS.softBounce, transient: true }, // handset unreachable (off, no signal)
  30004: { reason: REASONS.carrierViolation, transient: false }, // message blocked
  30005: { reason: REASONS.hardBounce, transient: false }, // unknown destination handset
  30006: { reason: REASONS.hardBounce, transient: false }, // landline or unreachable carrier
  30007: { reason: REASONS.carrierViolation, transient: false }, // filtered as spam / carrier violation
  30008: { reason: REASONS.unknown, transient: false }, // unknown error
  30009: { reason: REASONS.unknown, transient: false }, // missing segment
  30010: { reason: REASONS.rejected, transient: false }, // price exceeds max price
  30022: { reason: REASONS.carrierUnavailable, transient: true }, // 10DLC throughput exceeded
  30023: { reason: REASONS.carrierUnavailable, transient: true }, // daily cap reached
  30034: { reason: REASONS.carrierViolation, transient: false }, // unregistered 10DLC number
};

export function classifyTwilioError(code: number | undefined): TwilioErrorClass | undefined {
  return code === undefined ? undefined : ERRORS[code];
}

type Mapped = Omit<StatusReport, 'carrierMessageId' | 'occurredAt'>;

/** Null for statuses that are not ours to track (inbound `receiving`/`received`, anything new). */
export function mapTwilioStatus(status: string, errorCode: number | undefined): Mapped | null {
  switch (status) {
    case 'queued':
    case 'accepted':
    case 'scheduled':
    case 'sending':
    case 'sent':
      return { status: 'sent' };
    case 'delivered':
    case 'read':
      return { status: 'delivered' };
    case 'undelivered':
      return { status: 'undelivered', reason: classifyTwilioError(errorCode)?.reason ?? REASONS.unknown };
    case 'failed':
    case 'canceled':
      return { status: 'failed', reason: classifyTwilioError(errorCode)?.reason ?? REASONS.rejected };
    default:
      return null;
  }
}
