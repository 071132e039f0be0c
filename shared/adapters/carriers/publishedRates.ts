import { senderKind, type SenderKind } from '../../domain/pacing';
import type { CarrierPacing } from '../../ports/carrier';

/**
 * The carriers' published default throughput per sender, in units per second (docs/pacing.md).
 * Operators override them per carrier or per sender (PUT /api/operator/.../limits).
 */
const perMinute = (n: number): number => n / 60;

/**
 * Azure Communication Services: 200/min per toll-free number, 600/min per alphanumeric sender
 * (per resource), 6,000/min per short code; a long code gets the toll-free rate. Counts messages.
 */
export const ACS_PACING: CarrierPacing = {
  countsSegments: false,
  defaultRate: byKind({ tollFree: perMinute(200), alphanumeric: perMinute(600), shortCode: perMinute(6_000), longCode: perMinute(200) }),
};

/**
 * Twilio: 1 segment/s per US long code, 100/s per short code, 3/s per toll-free number; an
 * alphanumeric sender gets the long-code rate. Twilio's rates are in segments.
 */
export const TWILIO_PACING: CarrierPacing = {
  countsSegments: true,
  defaultRate: byKind({ longCode: 1, shortCode: 100, tollFree: 3, alphanumeric: 1 }),
};

/** Kannel: the SMSC's `throughput` (KANNEL_THROUGHPUT), null for none; each part is one PDU. */
export function kannelPacing(throughput: number | null): CarrierPacing {
  return { countsSegments: true, defaultRate: () => throughput };
}

function byKind(rates: Record<SenderKind, number>): (sender: string) => number {
  return (sender) => rates[senderKind(sender)];
}
