import { createHash } from 'node:crypto';
import { EVENT_TYPES, eventOf } from '../domain/events';
import { pickKeywordRule, type KeywordRule } from '../domain/keywordRule';
import { complianceKeyword } from '../domain/optOut';
import { parseTemplate, renderTemplate } from '../domain/template';
import { templateValuesOf, type Contact } from '../domain/contact';
import type { DomainEvent, Message, VirtualNumber } from '../domain/types';
import { DuplicateError, type InboundSms } from '../ports';
import { nowIso, type AppDeps } from './deps';
import { AppError } from './errors';
import { findOptOut, optOutKeyOf } from './optOuts';
import { sendMessage } from './sendMessage';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** An event id (`evt_` + 26 Crockford characters) that is a pure function of `input`. */
function eventIdOf(input: string): string {
  const digest = createHash('sha256').update(input).digest();
  let id = '';
  for (let i = 0; i < 26; i++) id += CROCKFORD[digest[i]! % 32];
  return `evt_${id}`;
}

/**
 * The event id of an inbound SMS, derived from what identifies it at the carrier: a carrier that
 * delivers the same SMS again (a retry after a lost answer) produces the same id, and the outbox
 * refuses it, so a flow is not triggered twice.
 */
export function inboundEventId(carrier: string, sms: InboundSms): string {
  return eventIdOf(`${carrier}\n${sms.to}\n${sms.carrierMessageId}`);
}

/** The id of an event an inbound SMS causes (`keyword`, `auto-reply`): the same on every redelivery. */
export function derivedEventId(inboundId: string, what: 'keyword' | 'auto-reply'): string {
  return eventIdOf(`${inboundId}:${what}`);
}

/** The idempotency key of the auto reply to an inbound SMS: a redelivery finds the reply sent already. */
export const autoReplyKey = (inboundId: string) => `auto-reply:${inboundId}`;

/**
 * Routes inbound SMS to the account owning the virtual number and processes each once per carrier
 * message: compliance keywords, keyword rules and auto replies, then the `sms.received` event.
 */
export async function receiveInbound(
  deps: AppDeps,
  carrier: string,
  messages: InboundSms[],
): Promise<{ accepted: string[]; unknownNumber: string[] }> {
  const out = { accepted: [] as string[], unknownNumber: [] as string[] };
  for (const sms of messages) {
    const vn = await deps.store.virtualNumbers.findByNumber(sms.to);
    if (!vn) {
      out.unknownNumber.push(sms.carrierMessageId);
      continue;
    }
    await processInbound(deps, vn, sms, inboundEventId(carrier, sms));
    out.accepted.push(sms.carrierMessageId);
  }
  return out;
}

/**
 * One inbound SMS. Appending `sms.received` is the last step and the commit point: a carrier
 * re-delivers an SMS we did not acknowledge (a crash, a store error answered 500), so every step
 * before it must be safe to run again. The opt-out is an upsert or a delete; the rule's events have
 * ids derived from the inbound event's (the outbox refuses a second copy); the reply is sent under
 * an idempotency key derived from it (a second send returns the first message, charged once).
 */
async function processInbound(deps: AppDeps, vn: VirtualNumber, sms: InboundSms, id: string): Promise<void> {
  // Committed before: every step ran to its end; only acknowledge again. This also keeps a late
  // redelivery of a STOP from undoing a START the sender texted since.
  if (await deps.store.outbox.get(vn.accountId, id)) return;
  const at = nowIso(deps);
  // Compliance first, and never matched by rules: carriers own STOP and START.
  if (!(await applyComplianceKeyword(deps, vn.accountId, sms, at))) {
    const rule = pickKeywordRule(await deps.store.keywordRules.list(vn.accountId), sms.text, vn.number);
    if (rule) await answerKeyword(deps, vn, sms, id, rule, at);
  }
  await appendOnce(
    deps,
    eventOf({
      id,
      type: EVENT_TYPES.smsReceived,
      occurredAt: at,
      accountId: vn.accountId,
      data: {
        from: sms.from,
        text: sms.text,
        timestamp: sms.receivedAt,
        virtualNumber: vn.number,
        virtualNumberId: vn.id,
        carrierMessageId: sms.carrierMessageId,
      },
    }),
  );
}

/** Appends an event whose id is derived from the inbound SMS; already there means done before. */
async function appendOnce(deps: AppDeps, event: DomainEvent): Promise<void> {
  try {
    await deps.store.outbox.append([event]);
  } catch (err) {
    if (!(err instanceof DuplicateError)) throw err;
  }
}

/**
 * STOP and its synonyms opt the sender out of this account's messages; START and its synonyms opt
 * back in. Resolves true when the text was one of those words (HELP and INFO are left to rules).
 */
async function applyComplianceKeyword(deps: AppDeps, accountId: string, sms: InboundSms, at: string): Promise<boolean> {
  const match = complianceKeyword(sms.text);
  if (!match || match.action === 'help') return false;
  if (match.action === 'opt_out')
    await deps.store.optOuts.add({ accountId, phone: sms.from, source: 'keyword', keyword: match.keyword, createdAt: at });
  // START lifts an opt-out kept under the number's keyed hash (erased) as well.
  else
    await Promise.all([
      deps.store.optOuts.remove(accountId, sms.from),
      deps.store.optOuts.remove(accountId, optOutKeyOf(deps, accountId, sms.from)),
    ]);
  return true;
}

/**
 * Keyword Matched fires for every match, also when the sender opted out (the account sees the SMS
 * as sms.received anyway, and a flow may act on it by other channels); the auto reply goes only to
 * a sender who has not opted out.
 */
async function answerKeyword(
  deps: AppDeps,
  vn: VirtualNumber,
  sms: InboundSms,
  inboundId: string,
  rule: KeywordRule,
  at: string,
): Promise<void> {
  const contact = await deps.store.contacts.findByPhone(vn.accountId, sms.from);
  await appendOnce(
    deps,
    eventOf({
      id: derivedEventId(inboundId, 'keyword'),
      type: EVENT_TYPES.keywordMatched,
      occurredAt: at,
      accountId: vn.accountId,
      data: {
        keyword: rule.keyword,
        matchType: rule.matchType,
        from: sms.from,
        text: sms.text,
        virtualNumber: vn.number,
        contactId: contact?.id ?? null,
        timestamp: sms.receivedAt,
      },
    }),
  );
  if (rule.reply === null) return;
  const reply = await sendAutoReply(deps, vn, sms, inboundId, rule, contact);
  if (!reply) return;
  await appendOnce(
    deps,
    eventOf({
      id: derivedEventId(inboundId, 'auto-reply'),
      type: EVENT_TYPES.autoReplySent,
      occurredAt: at,
      accountId: vn.accountId,
      data: {
        originalMessage: { text: sms.text, receivedAt: sms.receivedAt },
        // Accepted for sending now; its delivery shows in When an SMS status changes.
        reply: { messageId: reply.id, text: reply.text, sentAt: reply.createdAt },
        sender: { phone: sms.from, contactId: contact?.id ?? null },
        virtualNumber: vn.number,
        keyword: rule.keyword,
      },
    }),
  );
}

/**
 * Sends the rule's reply from the number that received the SMS; null when there is nothing to send
 * or it cannot be sent. A refusal (no credits, an opted-out or unusable sender number) is logged and
 * the SMS still processed: an error here would make the carrier re-deliver it for nothing.
 */
async function sendAutoReply(
  deps: AppDeps,
  vn: VirtualNumber,
  sms: InboundSms,
  inboundId: string,
  rule: KeywordRule,
  contact: Contact | null,
): Promise<Message | null> {
  const fields = { rule: rule.id, virtualNumber: vn.number };
  if (await findOptOut(deps, vn.accountId, sms.from)) return null;
  // Two numbers of the platform answering each other would never stop.
  if (await deps.store.virtualNumbers.findByNumber(sms.from)) {
    deps.logger.info('no auto reply to another virtual number', fields);
    return null;
  }
  const parsed = parseTemplate(rule.reply!);
  if (!parsed.ok) throw new Error(`keyword rule ${rule.id} has an invalid reply template: ${parsed.reason}`);
  const values = contact ? templateValuesOf(contact) : { phone: sms.from };
  const text = renderTemplate(parsed.parts, values);
  if (text === '') {
    deps.logger.info('auto reply skipped: the template rendered empty', fields);
    return null;
  }
  const account = await deps.store.accounts.get(vn.accountId);
  if (!account) return null;
  try {
    return (await sendMessage(deps, account, { to: sms.from, text, from: vn.number }, autoReplyKey(inboundId))).message;
  } catch (err) {
    // Also idempotency_key_reused: the rule's reply was edited between a first try and the
    // carrier's redelivery; the first reply went out, the event for it is not recorded.
    if (!(err instanceof AppError)) throw err;
    deps.logger.warn('auto reply not sent', { ...fields, code: err.code, reason: err.message });
    return null;
  }
}
