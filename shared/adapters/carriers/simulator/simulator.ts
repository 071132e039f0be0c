import { createHmac, timingSafeEqual } from 'node:crypto';
import { REASONS } from '../../../domain/status';
import type { StatusReason } from '../../../domain/types';
import {
  CarrierPayloadError,
  type Carrier,
  type CarrierRequest,
  type Clock,
  type InboundSms,
  type StatusReport,
  type SubmitRequest,
  type SubmitResult,
  type TaskQueue,
} from '../../../ports';

/** What the simulator remembers per message id, so a retried submit never "sends" twice. */
export interface SimulatorLog {
  /** Counts a submit attempt; returns its number (1 first) and the carrier id if already accepted. */
  recordAttempt(messageId: string): Promise<{ attempt: number; carrierMessageId: string | null }>;
  markAccepted(messageId: string, carrierMessageId: string): Promise<void>;
  /**
   * For tests and introspection: submit attempts, whether accepted, and how many times the
   * simulated network took the message (must never exceed one).
   */
  get(messageId: string): Promise<{ attempts: number; accepted: boolean; acceptedCount: number } | null>;
}

export interface SimulatorOptions {
  log: SimulatorLog;
  queue: TaskQueue;
  clock: Clock;
  /** HMAC secret the simulated carrier signs its callbacks with. */
  secret: string;
  dlrDelayMs: number;
}

export const SIGNATURE_HEADER = 'x-simulator-signature';
const TOLERANCE_MS = 5 * 60_000;

/** The simulator's own delivery vocabulary, SMPP-like, mapped to ours on the way in. */
type SimOutcome = 'DELIVRD' | 'UNDELIV:1400' | 'UNDELIV:1404' | 'UNDELIV:1408' | 'UNDELIV:1409';

const OUTCOME_BY_SUFFIX: Record<string, SimOutcome> = {
  '1400': 'UNDELIV:1400',
  '1404': 'UNDELIV:1404',
  '1408': 'UNDELIV:1408',
  '1409': 'UNDELIV:1409',
};

const REASON_BY_CODE: Record<string, StatusReason> = {
  '1400': REASONS.hardBounce,
  '1404': REASONS.softBounce,
  '1408': REASONS.carrierViolation,
  '1409': REASONS.unknown,
};

/**
 * Deterministic carrier for development and tests, keyed on the destination's last four digits:
 * 1400/1404/1408/1409 end undelivered with that reason, 0503 fails transiently twice then succeeds,
 * 0400 is rejected outright, anything else is delivered. Reports come back signed, through the
 * same callback route a real carrier uses, after `dlrDelayMs`.
 */
export function createSimulatorCarrier(options: SimulatorOptions): Carrier {
  const { log, queue, clock, secret } = options;
  return {
    name: 'simulator',
    async submit(req: SubmitRequest): Promise<SubmitResult> {
      const suffix = req.to.slice(-4);
      const { attempt, carrierMessageId: known } = await log.recordAttempt(req.messageId);
      if (known) {
        await scheduleReport(known, suffix);
        return { outcome: 'accepted', carrierMessageId: known };
      }
      if (suffix === '0400') return { outcome: 'permanent', reason: REASONS.rejected };
      if (suffix === '0503' && attempt <= 2) return { outcome: 'transient', reason: REASONS.carrierUnavailable };
      const carrierMessageId = `sim-${req.messageId}`;
      await log.markAccepted(req.messageId, carrierMessageId);
      await scheduleReport(carrierMessageId, suffix);
      return { outcome: 'accepted', carrierMessageId };
    },
    verifySignature(req: CarrierRequest): boolean {
      return verifySimulatorSignature(secret, req.headers[SIGNATURE_HEADER], req.rawBody, clock.now());
    },
    parseStatusCallback(req: CarrierRequest): StatusReport[] {
      const body = parseJson(req.rawBody) as { reports?: unknown };
      if (!Array.isArray(body.reports)) throw new CarrierPayloadError('reports must be an array');
      return body.reports.map((r: unknown, i) => {
        const { id, outcome, at } = (r ?? {}) as Record<string, unknown>;
        if (typeof id !== 'string' || typeof outcome !== 'string' || typeof at !== 'string') {
          throw new CarrierPayloadError(`reports[${i}] needs string id, outcome and at`);
        }
        if (outcome === 'DELIVRD') return { carrierMessageId: id, status: 'delivered' as const, occurredAt: at };
        const code = /^UNDELIV:(\d{4})$/.exec(outcome)?.[1];
        const reason = code ? REASON_BY_CODE[code] : undefined;
        if (!reason) throw new CarrierPayloadError(`reports[${i}].outcome ${outcome} is not a simulator outcome`);
        return { carrierMessageId: id, status: 'undelivered' as const, reason, occurredAt: at };
      });
    },
    parseInbound(req: CarrierRequest): InboundSms[] {
      const body = parseJson(req.rawBody) as { messages?: unknown };
      if (!Array.isArray(body.messages)) throw new CarrierPayloadError('messages must be an array');
      return body.messages.map((m: unknown, i) => {
        const { id, from, to, text, at } = (m ?? {}) as Record<string, unknown>;
        if ([id, from, to, text, at].some((v) => typeof v !== 'string'))
          throw new CarrierPayloadError(`messages[${i}] needs string id, from, to, text and at`);
        return { carrierMessageId: id as string, from: from as string, to: to as string, text: text as string, receivedAt: at as string };
      });
    },
  };

  async function scheduleReport(carrierMessageId: string, suffix: string): Promise<void> {
    const outcome = OUTCOME_BY_SUFFIX[suffix] ?? 'DELIVRD';
    await queue.send({ type: 'simulator.dlr.v1', carrierMessageId, outcome }, { delayMs: options.dlrDelayMs, dedupeId: carrierMessageId });
  }
}

function parseJson(raw: string): unknown {
  try {
    const v = JSON.parse(raw) as unknown;
    if (!v || typeof v !== 'object') throw new Error('not an object');
    return v;
  } catch (err) {
    throw new CarrierPayloadError(`body is not a JSON object: ${(err as Error).message}`);
  }
}

/** `t=<unix ms>,v1=<hex HMAC-SHA256 of "t.body">`, Stripe-style, with a replay window. */
export function signSimulatorPayload(secret: string, body: string, nowMs: number): string {
  return `t=${nowMs},v1=${createHmac('sha256', secret).update(`${nowMs}.${body}`).digest('hex')}`;
}

export function verifySimulatorSignature(secret: string, header: string | undefined, body: string, nowMs: number): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isFinite(t) || Math.abs(nowMs - t) > TOLERANCE_MS || !parts.v1) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const given = Buffer.from(parts.v1);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
