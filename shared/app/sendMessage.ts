import { analyseText } from '../domain/encoding';
import { crossesBelow, EVENT_TYPES, scheduledData, type EventData } from '../domain/events';
import { formatMinor } from '../domain/money';
import { isTooLong, tooLongReason } from '../domain/messageText';
import { uniqueArgsProblems } from '../domain/uniqueArgs';
import { normalisePhone } from '../domain/phone';
import { priceTableFor, unitPriceFor, type PriceTable } from '../domain/pricing';
import type { Account, DomainEvent, Message, SenderId } from '../domain/types';
import { InsufficientCreditsError, type BalanceChange, type TaskHandle } from '../ports';
import { makeEvent, type AppDeps } from './deps';
import { findOptOut } from './optOuts';
import { type AppError, conflict, invalid, notEnoughCredits, refused, unprocessable } from './errors';
import { checkSenderId } from '../domain/senderId';

export interface SendMessageInput {
  to: string;
  text: string;
  from?: string;
  sendAt?: string;
  callback?: { url: string };
  uniqueArgs?: Record<string, string>;
  /** Seconds (1-36,000) the message may wait to be handed to its carrier; default: the account's. */
  validityPeriod?: number;
  /** Internal (not part of the HTTP body): the campaign sending this message. */
  campaignId?: string;
}

export interface SendOutcome {
  message: Message;
  replayed: boolean;
}

/** A message ready to be accepted: checked, priced and built, nothing written yet. */
export interface PreparedMessage {
  message: Message;
  /** What accepting it debits, in minor units (its cost). */
  amount: bigint;
}

/**
 * Everything a send does before the store is written: normalise the phone, refuse an opted-out
 * recipient or a refused callback URL, check `sendAt`, pick the sender, count and price the text,
 * and build the message. Reads only. `sender` lets a bulk sender pick it once for many messages
 * that share `input.from`.
 */
export async function prepareMessage(
  deps: AppDeps,
  account: Account,
  input: SendMessageInput,
  idempotencyKey: string | null,
  sender: () => Promise<Sender> = () => pickSender(deps, account, input.from),
): Promise<PreparedMessage> {
  const argsProblems = input.uniqueArgs ? uniqueArgsProblems(input.uniqueArgs) : [];
  if (argsProblems.length > 0) throw invalid(argsProblems);
  const phone = normalisePhone(input.to, account.defaultCountry);
  if (!phone.ok) throw invalid([{ path: '/to', message: phone.reason }]);
  // POST /messages refuses longer texts in its schema; this holds for texts rendered from templates too.
  if (isTooLong(input.text)) throw unprocessable('text_too_long', '/text', tooLongReason(input.text));
  // Refused before any charge, as carriers require: the recipient asked this account to stop.
  if (await findOptOut(deps, account.id, phone.e164)) {
    throw unprocessable(
      'recipient_opted_out',
      '/to',
      `${phone.e164} has opted out of messages from this account; only the recipient can opt back in (by texting START)`,
    );
  }
  if (input.callback) {
    // Only what needs no DNS here; the full check (resolved addresses) runs when the callback is called.
    const refusal = deps.webhooks.urlPolicy.checkWithoutLookup(input.callback.url);
    if (refusal) throw unprocessable('callback_url_refused', '/callback/url', refusal);
  }
  const now = deps.clock.now();
  const scheduledFor = input.sendAt === undefined ? null : checkSendAt(deps, input.sendAt, now);
  const from = await sender();
  const shape = analyseText(input.text);
  const unitPrice = unitPriceFor(priceTableOf(deps, account), phone.country);
  const amount = unitPrice * BigInt(shape.segments);
  const at = new Date(now).toISOString();
  const message: Message = {
    id: deps.ids.next('msg'),
    accountId: account.id,
    to: phone.e164,
    from: from.value,
    text: input.text,
    status: scheduledFor ? 'scheduled' : 'queued',
    statusReason: null,
    ...shape,
    cost: { amount: formatMinor(amount), currency: account.currency, segments: shape.segments, unitPrice: formatMinor(unitPrice) },
    createdAt: at,
    updatedAt: at,
    scheduledFor,
    validUntil: validUntilOf(input.validityPeriod ?? account.validityPeriod ?? null, scheduledFor ?? at),
    sentAt: null,
    deliveredAt: null,
    attempts: 0,
    carrier: account.carrier ?? deps.settings.defaultCarrier,
    carrierMessageId: null,
    callbackUrl: input.callback?.url ?? null,
    uniqueArgs: input.uniqueArgs ?? null,
    idempotencyKey,
    campaignId: input.campaignId ?? null,
    history: [{ status: scheduledFor ? 'scheduled' : 'queued', at }],
    taskRef: null,
  };
  return { message, amount };
}

/**
 * Accepts one outbound SMS: prepare it (above), then debit and store it in one unit of work and
 * hand it to the send queue (delayed for `sendAt`).
 */
export async function sendMessage(
  deps: AppDeps,
  account: Account,
  input: SendMessageInput,
  idempotencyKey: string | null,
): Promise<SendOutcome> {
  const { message, amount } = await prepareMessage(deps, account, input, idempotencyKey);
  const events = (balance: BalanceChange): DomainEvent[] => {
    const out: DomainEvent[] = [];
    if (message.scheduledFor)
      out.push(makeEvent(deps, EVENT_TYPES.messageScheduled, account.id, scheduledData(message, message.scheduledFor)));
    out.push(...balanceLowEvents(deps, account, balance));
    return out;
  };
  let outcome: Awaited<ReturnType<typeof deps.store.messages.accept>>;
  try {
    outcome = await deps.store.messages.accept(message, amount, events);
  } catch (err) {
    if (err instanceof InsufficientCreditsError) throw insufficientCredits(account, err);
    throw err;
  }
  if (outcome.replayed) {
    const prior = outcome.message;
    if (prior.to !== message.to || prior.text !== message.text || prior.scheduledFor !== message.scheduledFor) {
      throw conflict('idempotency_key_reused', 'This Idempotency-Key was used for a different message; use a new key for a new message.');
    }
    return { message: prior, replayed: true };
  }
  return { message: await enqueueSend(deps, outcome.message), replayed: false };
}

/**
 * The price table of the account's currency. Accounts are created only in a currency with a table;
 * one whose table was removed from the settings since cannot send (rather than pay another
 * currency's numbers).
 */
function priceTableOf(deps: AppDeps, account: Account): PriceTable {
  const table = priceTableFor(deps.settings.prices, account.currency);
  if (!table)
    throw refused(
      'unsupported_currency',
      `There is no price table for the account's currency ${account.currency}: an operator must configure PRICE_TABLE_${account.currency}.`,
    );
  return table;
}

/** Balance Low, when a debit takes the balance below the account's threshold. */
export function balanceLowEvents(deps: AppDeps, account: Account, balance: BalanceChange): DomainEvent[] {
  if (!crossesBelow(balance.before, balance.after, account.lowBalanceThreshold)) return [];
  return [makeEvent(deps, EVENT_TYPES.balanceLow, account.id, balanceLowData(account, balance.after))];
}

/** The 402 a send refused for credits answers with (what it cost and the balance). */
export function insufficientCredits(account: Account, err: InsufficientCreditsError): AppError {
  return notEnoughCredits(
    `This message costs ${formatMinor(err.required)} ${account.currency}; the balance is ${formatMinor(err.balance)}.`,
    {
      balance: formatMinor(err.balance),
      required: formatMinor(err.required),
    },
  );
}

/** Hands a stored message to the send queue; a scheduled one keeps its task handle so cancel can drop it. */
export async function enqueueSend(deps: AppDeps, message: Message): Promise<Message> {
  const scheduled = message.status === 'scheduled' && message.scheduledFor !== null;
  const delayMs = scheduled ? Math.max(0, Date.parse(message.scheduledFor!) - deps.clock.now()) : 0;
  const handle = await queueSendAttempt(deps, message, delayMs);
  if (!scheduled) return message;
  const { message: stored } = await deps.store.messages.transition({ ...message, taskRef: handle }, 0n, () => []);
  return stored;
}

/** Queues the message's next send attempt; the dedupe id is per attempt, so a retry is a new task. */
export function queueSendAttempt(deps: AppDeps, message: Message, delayMs: number): Promise<TaskHandle> {
  return deps.queue.send(
    { type: 'sms.send.v1', accountId: message.accountId, messageId: message.id },
    { delayMs, dedupeId: `${message.id}:${message.attempts}` },
  );
}

/** Validity counts from acceptance, or from `sendAt` for a scheduled message (when it becomes due). */
function validUntilOf(seconds: number | null, from: string): string | null {
  return seconds === null ? null : new Date(Date.parse(from) + seconds * 1000).toISOString();
}

export function checkSendAt(deps: AppDeps, sendAt: string, now: number): string {
  const at = Date.parse(sendAt);
  if (Number.isNaN(at)) throw invalid([{ path: '/sendAt', message: 'must be an ISO-8601 date-time, e.g. 2026-12-01T09:00:00Z' }]);
  const { minScheduleAheadMs: min, maxScheduleAheadMs: max } = deps.settings;
  if (at < now + min) throw invalid([{ path: '/sendAt', message: `must be at least ${min / 1000} seconds in the future` }]);
  if (at > now + max) throw invalid([{ path: '/sendAt', message: `must be at most ${Math.round(max / 86_400_000)} days ahead` }]);
  return new Date(at).toISOString();
}

/** Who a message goes out from: an approved sender ID, or one of the account's virtual numbers. */
export type Sender = Pick<SenderId, 'value'>;

/**
 * The seed's fallback rule: an explicit `from` must be one of the account's approved sender IDs,
 * or one of its own virtual numbers (two-way SMS: an answer comes from the number that was
 * texted); without one, the account's default is used if approved, else its oldest approved
 * sender ID.
 */
export async function pickSender(deps: AppDeps, account: Account, from: string | undefined): Promise<Sender> {
  if (from !== undefined) {
    const checked = checkSenderId(from, account.defaultCountry);
    if (!checked.ok) throw invalid([{ path: '/from', message: checked.reason }]);
    const found = await deps.store.senderIds.findByValue(account.id, checked.value);
    if (found?.status === 'approved') return found;
    if (checked.kind === 'number') {
      const own = await deps.store.virtualNumbers.findByNumber(checked.value);
      if (own?.accountId === account.id) return { value: own.number };
    }
    throw unprocessable(
      'sender_id_not_approved',
      '/from',
      `"${checked.value}" is not an approved sender ID or a virtual number of this account (see GET /api/sender-ids and GET /api/virtual-numbers)`,
    );
  }
  if (account.defaultSenderId) {
    const preferred = await deps.store.senderIds.get(account.id, account.defaultSenderId);
    if (preferred?.status === 'approved') return preferred;
  }
  const approved = await deps.store.senderIds.list(account.id, 'approved');
  const fallback = approved.sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  if (!fallback) throw unprocessable('no_sender_id', '/from', 'is missing and the account has no approved sender ID to fall back on');
  return fallback;
}

export function balanceLowData(account: Account, balance: bigint): EventData<'balance.low'> {
  return {
    accountId: account.id,
    accountName: account.name,
    balance: formatMinor(balance),
    threshold: formatMinor(account.lowBalanceThreshold),
    currency: account.currency,
  };
}
