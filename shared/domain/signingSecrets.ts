/**
 * Rotation of Standard Webhooks signing secrets (subscriptions and the account's callback secret).
 * After a rotation the replaced secret keeps signing, beside the new one, until its expiry: a
 * receiver that still holds it keeps accepting deliveries while it switches over. Pure rules; the
 * use cases store the result.
 */

/** A secret replaced by a rotation, still signing until `expiresAt`. */
export interface PreviousSigningSecret {
  secret: string;
  /** ISO 8601; from this instant on only the current secret signs. */
  expiresAt: string;
}

export const DEFAULT_SECRET_OVERLAP_HOURS = 24;
/** Longest overlap a rotation may ask for (7 days): a leaked secret must not stay valid for long. */
export const MAX_SECRET_OVERLAP_HOURS = 168;

/**
 * The secrets that sign a delivery at `nowMs`: the current one first, then the previous one while
 * its overlap lasts. Records written before rotation existed have no previous secret.
 */
export function activeSigningSecrets(current: string, previous: PreviousSigningSecret | null | undefined, nowMs: number): string[] {
  return previous && nowMs < Date.parse(previous.expiresAt) ? [current, previous.secret] : [current];
}

/**
 * The state after rotating `current` to `next` at `nowMs`: the replaced secret overlaps for
 * `overlapHours` (0: it stops at once). Only one previous secret is kept: rotating again during an
 * overlap ends the older secret's overlap.
 */
export function rotateSigningSecret(
  current: string,
  next: string,
  nowMs: number,
  overlapHours: number,
): { secret: string; previous: PreviousSigningSecret | null } {
  if (overlapHours <= 0) return { secret: next, previous: null };
  return { secret: next, previous: { secret: current, expiresAt: new Date(nowMs + overlapHours * 3_600_000).toISOString() } };
}
