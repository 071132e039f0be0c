import { createHash } from 'node:crypto';
import { EVENT_TYPES } from '../domain/events';
import { complianceKeyword } from '../domain/optOut';
import { DuplicateError, type InboundSms } from '../ports';
import { nowIso, type AppDeps } from './deps';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The event id of an inbound SMS, derived from what identifies it at the carrier: a carrier that
 * delivers the same SMS again (a retry after a lost answer) produces the same id, and the outbox
 * refuses it, so a flow is not triggered twice.
 */
export function inboundEventId(carrier: string, sms: InboundSms): string {
  const digest = createHash('sha256').update(`${carrier}\n${sms.to}\n${sms.carrierMessageId}`).digest();
  let id = '';
  for (let i = 0; i < 26; i++) id += CROCKFORD[digest[i]! % 32];
  return `evt_${id}`;
}

/**
 * Routes inbound SMS to the account owning the virtual number and records an `sms.received` event,
 * once per carrier message. Keyword rules and auto replies build on this event.
 */
export async function receiveInbound(deps: AppDeps, carrier: string, messages: InboundSms[]): Promise<{ accepted: string[]; unknownNumber: string[] }> {
  const out = { accepted: [] as string[], unknownNumber: [] as string[] };
  for (const sms of messages) {
    const vn = await deps.store.virtualNumbers.findByNumber(sms.to);
    if (!vn) {
      out.unknownNumber.push(sms.carrierMessageId);
      continue;
    }
    const event = {
      id: inboundEventId(carrier, sms),
      type: EVENT_TYPES.smsReceived,
      occurredAt: nowIso(deps),
      accountId: vn.accountId,
      data: {
        from: sms.from,
        text: sms.text,
        timestamp: sms.receivedAt,
        virtualNumber: vn.number,
        virtualNumberId: vn.id,
        carrierMessageId: sms.carrierMessageId,
      },
    };
    try {
      await deps.store.outbox.append([event]);
      await applyComplianceKeyword(deps, vn.accountId, sms, event.occurredAt);
    } catch (err) {
      // Received before: acknowledged again (the carrier stops retrying), recorded once.
      if (!(err instanceof DuplicateError)) throw err;
    }
    out.accepted.push(sms.carrierMessageId);
  }
  return out;
}

/** STOP and its synonyms opt the sender out of this account's messages; START and its synonyms opt back in. */
async function applyComplianceKeyword(deps: AppDeps, accountId: string, sms: InboundSms, at: string): Promise<void> {
  const match = complianceKeyword(sms.text);
  if (!match || match.action === 'help') return;
  if (match.action === 'opt_out') await deps.store.optOuts.add({ accountId, phone: sms.from, source: 'keyword', keyword: match.keyword, createdAt: at });
  else await deps.store.optOuts.remove(accountId, sms.from);
}
