import { REASONS } from '../../../domain/status';
import type { StatusReason } from '../../../domain/types';
import type { StatusReport } from '../../../ports';

/**
 * Kannel's delivery report vocabulary. `%d` in the dlr-url is the report type: 1 delivered to the
 * phone, 2 not delivered to the phone, 4 queued on the SMSC, 8 accepted by the SMSC, 16 rejected by
 * the SMSC. `%A` is the SMSC's own answer: for SMPP the receipt text
 * (`id:... stat:UNDELIV err:001 ...`), for a rejection `NACK/0x0000000b/...`.
 */
export const DLR_DELIVERED = 1;
export const DLR_UNDELIVERED = 2;
export const DLR_BUFFERED = 4;
export const DLR_SMSC_ACCEPTED = 8;
export const DLR_SMSC_REJECTED = 16;
/** The reports we ask for: every type but "buffered", which would tell us nothing `sent` does not. */
export const DLR_MASK = DLR_DELIVERED | DLR_UNDELIVERED | DLR_SMSC_ACCEPTED | DLR_SMSC_REJECTED;

/**
 * GSM MAP error causes (3GPP TS 29.002), which many SMSCs put in the receipt's `err:` field.
 * Others use their own numbering; then only `stat:` decides.
 */
const MAP_ERROR_REASON: Record<number, StatusReason> = {
  1: REASONS.hardBounce, // unknown subscriber
  5: REASONS.hardBounce, // unidentified subscriber
  9: REASONS.hardBounce, // illegal subscriber
  11: REASONS.hardBounce, // teleservice not provisioned
  12: REASONS.hardBounce, // illegal equipment
  13: REASONS.carrierViolation, // call barred
  27: REASONS.softBounce, // absent subscriber
  31: REASONS.softBounce, // subscriber busy for MT SMS
  32: REASONS.softBounce, // SM delivery failure (memory full and the like)
  33: REASONS.softBounce, // message waiting list full
};

const STAT_REASON: Record<string, StatusReason> = {
  EXPIRED: REASONS.softBounce,
  REJECTD: REASONS.rejected,
  DELETED: REASONS.unknown,
  UNKNOWN: REASONS.unknown,
  UNDELIV: REASONS.unknown,
};

type Mapped = Omit<StatusReport, 'carrierMessageId' | 'occurredAt'>;

/** Null for types we do not track (buffered, or a value Kannel does not define). */
export function mapKannelDlr(type: number, answer: string | undefined): Mapped | null {
  switch (type) {
    case DLR_DELIVERED:
      return { status: 'delivered' };
    case DLR_SMSC_ACCEPTED:
      return { status: 'sent' };
    case DLR_UNDELIVERED:
      return { status: 'undelivered', reason: undeliveredReason(answer) };
    case DLR_SMSC_REJECTED:
      return { status: 'failed', reason: REASONS.rejected };
    default:
      return null;
  }
}

function undeliveredReason(answer: string | undefined): StatusReason {
  const receipt = parseReceipt(answer ?? '');
  const err = receipt.err !== undefined ? Number.parseInt(receipt.err, 10) : NaN;
  const byErr = Number.isFinite(err) ? MAP_ERROR_REASON[err] : undefined;
  if (byErr && receipt.stat !== 'EXPIRED') return byErr;
  return (receipt.stat && STAT_REASON[receipt.stat]) || REASONS.unknown;
}

/** `id:123 sub:001 dlvrd:000 submit date:2603011200 done date:2603011201 stat:UNDELIV err:001 text:...` */
export function parseReceipt(text: string): { stat?: string; err?: string } {
  const stat = /\bstat:([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase();
  const err = /\berr:([0-9A-Fa-f]+)/.exec(text)?.[1];
  return { ...(stat ? { stat } : {}), ...(err ? { err } : {}) };
}
