import { createHash } from 'node:crypto';
import type { SmsClientOptions } from '@azure/communication-sms';
import type { Clock } from '../../../ports';

type PipelinePolicy = NonNullable<SmsClientOptions['additionalPolicies']>[number]['policy'];

/**
 * ACS dedupes a send by the OASIS repeatable-request fields of each recipient
 * (`repeatabilityRequestId`, `repeatabilityFirstSent`) for five minutes, but the SDK fills them with
 * a fresh UUID and "now" on every call. This pipeline policy rewrites them before the request is
 * signed: the id is derived from our message id (the send's `tag`) and the recipient, and the
 * first-sent time is remembered per message while it is being retried, so a retry within ACS's
 * window returns the first result instead of sending again.
 */
export const ACS_REPEATABILITY_WINDOW_MS = 5 * 60_000;
/** Reuse a first-sent time only this long, so it is still inside ACS's window when the request lands. */
const REUSE_MS = ACS_REPEATABILITY_WINDOW_MS - 30_000;

export interface Repeatability {
  policy: PipelinePolicy;
  /** Drops what was remembered for a message once ACS took it (or refused it for good). */
  forget(messageId: string): void;
  /** For tests: the first-sent time remembered for a message. */
  firstSentOf(messageId: string): string | undefined;
}

export function createRepeatability(clock: Clock): Repeatability {
  const firstSent = new Map<string, { at: number; header: string }>();

  function firstSentFor(messageId: string): string {
    const now = clock.now();
    const known = firstSent.get(messageId);
    if (known && now - known.at < REUSE_MS) return known.header;
    // Entries are inserted in time order, so stale ones sit at the front.
    for (const [id, v] of firstSent) {
      if (now - v.at < REUSE_MS) break;
      firstSent.delete(id);
    }
    const entry = { at: now, header: new Date(now).toUTCString() };
    firstSent.delete(messageId);
    firstSent.set(messageId, entry);
    return entry.header;
  }

  return {
    policy: {
      name: 'dataflowsSmsRepeatability',
      async sendRequest(request, next) {
        if (request.method === 'POST' && typeof request.body === 'string') {
          const body = JSON.parse(request.body) as {
            smsRecipients?: { to: string; repeatabilityRequestId?: string; repeatabilityFirstSent?: string }[];
            smsSendOptions?: { tag?: string };
          };
          const tag = body.smsSendOptions?.tag;
          if (tag && Array.isArray(body.smsRecipients)) {
            const sent = firstSentFor(tag);
            for (const r of body.smsRecipients) {
              r.repeatabilityRequestId = requestIdFor(tag, r.to);
              r.repeatabilityFirstSent = sent;
            }
            request.body = JSON.stringify(body);
          }
        }
        return next(request);
      },
    },
    forget: (messageId) => void firstSent.delete(messageId),
    firstSentOf: (messageId) => firstSent.get(messageId)?.header,
  };
}

/** A stable GUID per message and recipient: SHA-256 shaped as an RFC 9562 version 8 (custom) UUID. */
export function requestIdFor(messageId: string, to: string): string {
  const h = createHash('sha256').update(`${messageId}\n${to}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
