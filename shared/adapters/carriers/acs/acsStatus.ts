import { REASONS } from '../../../domain/status';
import type { StatusReason } from '../../../domain/types';

/**
 * Azure Communication Services delivery vocabulary. A delivery report says `Delivered` or `Failed`;
 * a failure carries `DeliveryStatusDetails` such as "ErrorCode: 4006. ErrorMessage: ...", whose
 * code (ACS's SMS error codes) picks our reason. Codes we do not know fall back to Unknown (1409).
 * Reasons keep their canonical messages (seed 003): subscribers match on them.
 */
const REASON_BY_ERROR_CODE: Record<number, StatusReason> = {
  4000: REASONS.carrierViolation, // rejected by fraud detection
  4001: REASONS.rejected, // invalid From number
  4002: REASONS.hardBounce, // invalid To number
  4003: REASONS.rejected, // unsupported destination
  4004: REASONS.hardBounce, // To number does not exist
  4005: REASONS.carrierViolation, // blocked by the destination carrier
  4006: REASONS.softBounce, // To number not reachable
  4007: REASONS.optedOut, // recipient opted out
  4008: REASONS.carrierUnavailable, // sending limit of the profile exceeded
  4009: REASONS.rejected, // refused by Microsoft's entitlement system
  4010: REASONS.carrierViolation, // toll-free number not verified
  5000: REASONS.unknown, // failed, reason not given
  5001: REASONS.carrierUnavailable, // temporarily unavailable
  5002: REASONS.unknown, // no delivery report from the carrier (delivery timeout)
  9999: REASONS.unknown,
};

export type AcsDelivery = { status: 'delivered' } | { status: 'undelivered'; reason: StatusReason } | null;

/** Maps one report; null for a status that is not final (ACS documents only Delivered and Failed). */
export function mapAcsDelivery(deliveryStatus: string, details: string | undefined): AcsDelivery {
  const status = deliveryStatus.toLowerCase();
  if (status === 'delivered') return { status: 'delivered' };
  if (status !== 'failed') return null;
  const code = acsErrorCode(details);
  const reason = (code !== null ? REASON_BY_ERROR_CODE[code] : undefined) ?? REASONS.unknown;
  return { status: 'undelivered', reason };
}

export function acsErrorCode(details: string | undefined): number | null {
  const m = details ? (/ErrorCode\s*:?\s*(\d{3,5})/i.exec(details) ?? /^\s*(\d{4})\b/.exec(details)) : null;
  return m ? Number(m[1]) : null;
}
