import { EVENT_TYPES } from '../domain/events';
import type { InboundSms } from '../ports';
import { makeEvent, type AppDeps } from './deps';

/**
 * Routes inbound SMS to the account owning the virtual number and records an `sms.received` event.
 * Keyword rules and auto replies build on this event.
 */
export async function receiveInbound(deps: AppDeps, messages: InboundSms[]): Promise<{ accepted: string[]; unknownNumber: string[] }> {
  const out = { accepted: [] as string[], unknownNumber: [] as string[] };
  for (const sms of messages) {
    const vn = await deps.store.virtualNumbers.findByNumber(sms.to);
    if (!vn) {
      out.unknownNumber.push(sms.carrierMessageId);
      continue;
    }
    await deps.store.outbox.append([
      makeEvent(deps, EVENT_TYPES.smsReceived, vn.accountId, {
        from: sms.from,
        text: sms.text,
        timestamp: sms.receivedAt,
        virtualNumber: vn.number,
        virtualNumberId: vn.id,
        carrierMessageId: sms.carrierMessageId,
      }),
    ]);
    out.accepted.push(sms.carrierMessageId);
  }
  return out;
}
