import { mentions, noErasures, phoneFormsOf, type ErasureCounts, type ErasureTarget } from '../domain/erasure';
import { EVENT_TYPES } from '../domain/events';
import type { Account } from '../domain/types';
import { ERASURE_REASON, contactViews, deleteContact } from './contacts';
import { nowIso, type AppDeps } from './deps';
import { AppError } from './errors';
import { findOptOut, optOutKeyOf } from './optOuts';
import { e164 } from './phoneInput';
import { retryOnConflict } from './retryOnConflict';
import { deliveryView, eventView, messageView, optOutView, type ContactView } from './views';

/**
 * GDPR/CCPA requests about one person, by phone number, within one account: erasure (the contact
 * deleted, the number and the texts redacted wherever stored, the opt-out kept under a keyed hash)
 * and export (everything held about the number). Ids, statuses, costs and times stay: accounting.
 */

const targetOf = (phone: string): ErasureTarget => ({ phoneForms: phoneFormsOf(phone), texts: new Set() });

/** Erases the person's data; counts per kind what was erased (all zeros when nothing was left). */
export async function erasePerson(deps: AppDeps, account: Account, rawPhone: string): Promise<{ phone: string; erased: ErasureCounts }> {
  const phone = e164(account, rawPhone, '/phone');
  const erased = noErasures();
  const contact = await deps.store.contacts.findByPhone(account.id, phone);
  if (contact) {
    try {
      await deleteContact(deps, account.id, contact.id, ERASURE_REASON);
      erased.contacts = 1;
    } catch (err) {
      // Deleted meanwhile by another request: nothing of it is left to erase.
      if (!(err instanceof AppError && err.status === 404)) throw err;
    }
  }
  // After the contact: its Contact Deleted event holds no number, its earlier events are redacted here.
  const counts = await deps.store.privacy.erase(account.id, phone, targetOf(phone), optOutKeyOf(deps, account.id, phone));
  deps.logger.info('personal data erased', { accountId: account.id, ...erased, ...counts });
  return { phone, erased: { ...erased, ...counts } };
}

/** Everything the account holds about the number, as JSON. */
export async function exportPerson(deps: AppDeps, account: Account, rawPhone: string) {
  const phone = e164(account, rawPhone, 'query/phone');
  const target = targetOf(phone);
  const [contact, optOut, records] = await Promise.all([
    deps.store.contacts.findByPhone(account.id, phone),
    findOptOut(deps, account.id, phone),
    deps.store.privacy.find(account.id, target),
  ]);
  const [contactShown]: (ContactView | undefined)[] = contact ? await contactViews(deps, account.id, [contact]) : [];
  const inbound = records.events.filter((e) => e.type === EVENT_TYPES.smsReceived);
  return {
    phone,
    exportedAt: nowIso(deps),
    contact: contactShown ?? null,
    optOut: optOut ? { ...optOutView(optOut), phone } : null,
    messagesSent: records.messages.map(messageView),
    messagesReceived: inbound.map((e) => e.data),
    keywordMatches: records.events.filter((e) => e.type === EVENT_TYPES.keywordMatched).map((e) => e.data),
    events: records.events.map(eventView),
    deliveryAttempts: records.deliveryAttempts.map(deliveryView),
    campaignSkips: records.campaigns.flatMap((c) =>
      (c.skips ?? []).filter((s) => mentions(s, target)).map((s) => ({ campaignId: c.id, campaignName: c.name, ...s })),
    ),
  };
}

/** Messages one retention run reads per account at most (the rest on the next run). */
export const RETENTION_BATCH = 5_000;

/**
 * Message-body retention: for each account with `messageRetentionDays`, the texts of its messages
 * older than that are erased (the message stays: ids, status, cost, times). Each account keeps how
 * far it got (`messageTextsErasedBefore`), so a run reads only the messages that aged out since the
 * last one. Returns how many texts were erased.
 */
export async function redactExpiredMessageTexts(deps: AppDeps): Promise<number> {
  let total = 0;
  let continuationToken: string | undefined;
  do {
    const page = await deps.store.accounts.list({ limit: 100, ...(continuationToken ? { continuationToken } : {}) });
    for (const account of page.items) total += await redactAccountTexts(deps, account);
    continuationToken = page.continuationToken ?? undefined;
  } while (continuationToken);
  if (total > 0) deps.logger.info('message texts past retention erased', { messages: total });
  return total;
}

async function redactAccountTexts(deps: AppDeps, account: Account): Promise<number> {
  const days = account.messageRetentionDays;
  if (!days) return 0;
  const before = new Date(deps.clock.now() - days * 86_400_000).toISOString();
  const from = account.messageTextsErasedBefore ?? '';
  if (from >= before) return 0;
  const { redacted, resumeFrom } = await deps.store.privacy.redactTexts(account.id, from, before, RETENTION_BATCH);
  const reached = resumeFrom ?? before;
  // The monitor job writes accounts too: a lost race re-reads the account and records the point again.
  let first = true;
  await retryOnConflict(async () => {
    const current = first ? account : await deps.store.accounts.get(account.id);
    first = false;
    if (!current || (current.messageTextsErasedBefore ?? '') >= reached) return;
    await deps.store.accounts.update({ ...current, messageTextsErasedBefore: reached });
  });
  return redacted;
}
