import type { MessageStatus, StatusReason } from './types';

/**
 * The message status machine. Carrier reports arrive out of order and more than once, so a move
 * is accepted only when it goes forward: terminal states win, and a late "sent" never overwrites
 * "delivered".
 */
const RANK: Record<MessageStatus, number> = {
  scheduled: 0,
  queued: 1,
  sent: 2,
  delivered: 3,
  undelivered: 3,
  failed: 3,
  cancelled: 3,
};

export const TERMINAL: ReadonlySet<MessageStatus> = new Set(['delivered', 'undelivered', 'failed', 'cancelled']);

export function isTerminal(status: MessageStatus): boolean {
  return TERMINAL.has(status);
}

export type TransitionDecision = { accept: true } | { accept: false; why: 'terminal' | 'backwards' | 'same' | 'not_allowed' };

const ALLOWED: Record<MessageStatus, ReadonlySet<MessageStatus>> = {
  scheduled: new Set(['queued', 'sent', 'delivered', 'undelivered', 'failed', 'cancelled']),
  queued: new Set(['sent', 'delivered', 'undelivered', 'failed']),
  sent: new Set(['delivered', 'undelivered', 'failed']),
  delivered: new Set(),
  undelivered: new Set(),
  failed: new Set(),
  cancelled: new Set(),
};

export function decideTransition(from: MessageStatus, to: MessageStatus): TransitionDecision {
  if (from === to) return { accept: false, why: 'same' };
  if (isTerminal(from)) return { accept: false, why: 'terminal' };
  if (RANK[to] < RANK[from]) return { accept: false, why: 'backwards' };
  return ALLOWED[from].has(to) ? { accept: true } : { accept: false, why: 'not_allowed' };
}

/** Reason codes promised to users (seed 003), plus the ones failures need. */
export const REASONS = {
  hardBounce: { code: 1400, message: 'Hard Bounce' },
  softBounce: { code: 1404, message: 'Soft Bounce' },
  carrierViolation: { code: 1408, message: 'Carrier Violation' },
  unknown: { code: 1409, message: 'Unknown' },
  rejected: { code: 1410, message: 'Rejected by carrier' },
  retriesExhausted: { code: 1411, message: 'Carrier unavailable, retries exhausted' },
  /** Throttled, down or timed out: worth another try (a reason while retrying, or in a report). */
  carrierUnavailable: { code: 1412, message: 'Carrier temporarily unavailable' },
  /** The carrier refuses the recipient because they opted out there (Twilio 21610, ACS 4007). */
  optedOut: { code: 1413, message: 'Recipient opted out' },
  /** Not handed to the carrier within its validity period (`validityPeriod`): failed and refunded. */
  expired: { code: 1414, message: 'Expired' },
  cancelledByUser: { code: 1420, message: 'Cancelled by user' },
} as const satisfies Record<string, StatusReason>;

/** Every status at zero: the start of a tally by status, so statuses nothing matched still read 0. */
export function zeroStatusCounts(): Record<MessageStatus, number> {
  return { scheduled: 0, queued: 0, sent: 0, delivered: 0, undelivered: 0, failed: 0, cancelled: 0 };
}
