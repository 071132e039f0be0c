import {
  CAMPAIGN_SKIPS_LISTED,
  type Campaign,
  type CampaignError,
  type CampaignResults,
  type CampaignSkip,
  type CampaignStatus,
} from '../domain/campaign';
import { templateValuesOf, type Contact } from '../domain/contact';
import { EVENT_TYPES } from '../domain/events';
import { costMinorOf, formatMinor } from '../domain/money';
import { isTooLong, tooLongReason } from '../domain/messageText';
import { renderTemplate, type TemplatePart } from '../domain/template';
import type { Account, Message } from '../domain/types';
import { InsufficientCreditsError, MAX_ACCEPT_MANY, type AcceptOutcome, type CampaignBatchTask, type MessageStatusCounts } from '../ports';
import { makeEvent, nowIso, type AppDeps } from './deps';
import { pagesOf } from './pages';
import { mapPooled } from './pool';
import { AppError, refused } from './errors';
import { batchDedupeId, batchTask, campaignStartedEvent, templateOf } from './campaigns';
import { retryOnConflict } from './retryOnConflict';
import {
  balanceLowEvents,
  enqueueSend,
  insufficientCredits,
  pickSender,
  prepareMessage,
  type PreparedMessage,
  type Sender,
} from './sendMessage';

/**
 * Bulk sending. Each batch task sends to the next page of the campaign's contacts, then saves the
 * cursor with the running totals and queues the next batch. Every message carries the idempotency
 * key campaign+contact, so a batch run twice (a crash, a duplicate task) charges and sends nobody
 * twice; a task whose batch number is behind the campaign's is a duplicate and is dropped.
 */

/** Refusals that stop the whole campaign: no later recipient could be sent to either. */
const FATAL_CODES = new Set(['insufficient_credits', 'sender_id_not_approved', 'no_sender_id']);

/** Refusals that concern one recipient only: the campaign skips them and goes on. */
const SKIP_CODES = new Set(['recipient_opted_out', 'validation_failed', 'text_too_long']);

interface BatchOutcome {
  accepted: number;
  skipped: number;
  /** Each skipped contact with its reason, in contact order. */
  skips: CampaignSkip[];
  costMinor: bigint;
  fatal: CampaignError | null;
}

export async function processCampaignBatch(deps: AppDeps, task: CampaignBatchTask): Promise<void> {
  let campaign = await deps.store.campaigns.get(task.accountId, task.campaignId);
  if (!campaign || campaign.batches !== task.batch) return;
  if (campaign.status === 'scheduled') campaign = await beginScheduled(deps, campaign);
  if (campaign.status !== 'sending') return;
  const account = await deps.store.accounts.get(task.accountId);
  if (!account) return;
  const page = await deps.store.contacts.list(
    account.id,
    { groupIds: campaign.groupIds },
    { limit: deps.settings.campaignBatchSize, ...(campaign.cursor ? { continuationToken: campaign.cursor } : {}) },
  );
  const outcome = await sendBatch(deps, account, campaign, templateOf(campaign), page.items);
  const saved = await retryOnConflict(async () => {
    const c = (await deps.store.campaigns.get(task.accountId, task.campaignId))!;
    // Another run of this batch saved first: its totals already include these recipients.
    if (c.batches !== task.batch) return null;
    const now = nowIso(deps);
    const progress = {
      recipients: c.progress.recipients,
      accepted: c.progress.accepted + outcome.accepted,
      skipped: c.progress.skipped + outcome.skipped,
      costMinor: c.progress.costMinor + outcome.costMinor,
      skippedByReason: countByReason(c.progress.skippedByReason ?? {}, outcome.skips),
    };
    const skips = [...(c.skips ?? []), ...outcome.skips].slice(0, CAMPAIGN_SKIPS_LISTED);
    const advanced: Campaign = { ...c, cursor: page.continuationToken, batches: c.batches + 1, progress, skips, updatedAt: now };
    // Cancelled meanwhile: keep the totals of what went out, send nothing more.
    if (c.status !== 'sending') return deps.store.campaigns.update(advanced, []);
    if (outcome.fatal) {
      const failed: Campaign = { ...advanced, status: 'failed', error: outcome.fatal, failedAt: now };
      return deps.store.campaigns.update(failed, [campaignFailedEvent(deps, failed, outcome.fatal, now)]);
    }
    if (page.continuationToken === null) return deps.store.campaigns.update({ ...advanced, status: 'sent', sendingFinishedAt: now }, []);
    return deps.store.campaigns.update(advanced, []);
  });
  if (saved?.status === 'sending') await deps.queue.send(batchTask(saved), { dedupeId: batchDedupeId(saved) });
}

function countByReason(counts: Record<string, number>, skips: CampaignSkip[]): Record<string, number> {
  const out = { ...counts };
  for (const s of skips) out[s.code] = (out[s.code] ?? 0) + 1;
  return out;
}

async function beginScheduled(deps: AppDeps, scheduled: Campaign): Promise<Campaign> {
  return retryOnConflict(async () => {
    const c = (await deps.store.campaigns.get(scheduled.accountId, scheduled.id))!;
    if (c.status !== 'scheduled') return c;
    const recipients = await deps.store.contacts.count(c.accountId, { groupIds: c.groupIds });
    const now = nowIso(deps);
    const next: Campaign = {
      ...c,
      status: 'sending',
      startedAt: now,
      progress: { ...c.progress, recipients },
      taskRef: null,
      updatedAt: now,
    };
    return deps.store.campaigns.update(next, [campaignStartedEvent(deps, next, now)]);
  });
}

async function sendBatch(
  deps: AppDeps,
  account: Account,
  c: Campaign,
  template: TemplatePart[],
  contacts: Contact[],
): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { accepted: 0, skipped: 0, skips: [], costMinor: 0n, fatal: null };
  const prepared = await prepareBatch(deps, account, c, template, contacts, outcome);
  // Chunk after chunk, in contact order, so a shortage of credits stops at the same recipient
  // every run. Each chunk's messages go to the send queue while the next chunk is accepted.
  const enqueued: Promise<unknown>[] = [];
  for (let start = 0; start < prepared.length && !outcome.fatal; start += MAX_ACCEPT_MANY) {
    const accepted = await acceptChunk(deps, account, prepared.slice(start, start + MAX_ACCEPT_MANY), outcome);
    const sending = Promise.all(accepted.map((m) => enqueueSend(deps, m)));
    sending.catch(() => undefined); // awaited below; this only keeps a failure from counting as unhandled meanwhile
    enqueued.push(sending);
  }
  await Promise.all(enqueued);
  return outcome;
}

/** Preparation reads (opt-out, sender): worth overlapping on Cosmos DB, cheap on SQLite. */
const PREPARE_CONCURRENCY = 32;

/**
 * Each contact's message checked, priced and built (what a single send does before its write), in
 * contact order. Skipped contacts are counted and left out; a fatal refusal is recorded, and the
 * messages of the contacts after it are dropped (nobody after it can be sent to either).
 */
async function prepareBatch(
  deps: AppDeps,
  account: Account,
  c: Campaign,
  template: TemplatePart[],
  contacts: Contact[],
  outcome: BatchOutcome,
): Promise<PreparedMessage[]> {
  // Every message of the campaign goes out from the same sender: pick it once, when first needed.
  let sender: Promise<Sender> | undefined;
  const pick = () => (sender ??= pickSender(deps, account, c.from ?? undefined));
  const results = await mapPooled(contacts, PREPARE_CONCURRENCY, async (contact): Promise<PreparedMessage | AppError> => {
    const text = renderTemplate(template, templateValuesOf(contact));
    if (text === '') return refused('empty_message', 'the template rendered to an empty message for this contact', 'Skipped');
    // The template is within the limit, so the contact's values made it longer (prepareMessage would refuse it too).
    if (isTooLong(text))
      return refused('text_too_long', `the message rendered from this contact's fields ${tooLongReason(text)}`, 'Skipped');
    try {
      return await prepareMessage(
        deps,
        account,
        { to: contact.phone, text, ...(c.from ? { from: c.from } : {}), campaignId: c.id },
        `campaign:${c.id}:${contact.id}`,
        pick,
      );
    } catch (err) {
      if (err instanceof AppError && (SKIP_CODES.has(err.code) || FATAL_CODES.has(err.code))) return err;
      throw err;
    }
  });
  const prepared: PreparedMessage[] = [];
  for (const [i, result] of results.entries()) {
    if (result instanceof AppError && (SKIP_CODES.has(result.code) || result.code === 'empty_message')) {
      outcome.skipped++;
      outcome.skips.push({
        contactId: contacts[i]!.id,
        phone: contacts[i]!.phone,
        code: result.code,
        reason: result.errors?.[0]?.message ?? result.message,
      });
    } else if (result instanceof AppError) {
      outcome.fatal = { code: result.code, message: result.message };
      break;
    } else prepared.push(result);
  }
  return prepared;
}

/**
 * Accepts one chunk in one unit of work (one account read and one write on Cosmos DB). When the
 * credits cannot pay for the whole chunk, its messages are accepted one by one, so the campaign
 * sends as many as the credits allow before it fails. Returns the messages to hand to the send
 * queue: the ones accepted now, not the replays of an earlier run of this batch.
 */
async function acceptChunk(deps: AppDeps, account: Account, chunk: PreparedMessage[], outcome: BatchOutcome): Promise<Message[]> {
  let results: AcceptOutcome[];
  try {
    // One Balance Low for the chunk, when its debit crosses the threshold (campaign messages are never scheduled).
    ({ results } = await deps.store.messages.acceptMany(
      chunk.map((p) => p.message),
      (balance) => balanceLowEvents(deps, account, balance),
    ));
  } catch (err) {
    if (!(err instanceof InsufficientCreditsError)) throw err;
    results = [];
    for (const { message, amount } of chunk) {
      try {
        results.push(await deps.store.messages.accept(message, amount, (balance) => balanceLowEvents(deps, account, balance)));
      } catch (single) {
        if (!(single instanceof InsufficientCreditsError)) throw single;
        outcome.fatal = { code: 'insufficient_credits', message: insufficientCredits(account, single).message };
        break;
      }
    }
  }
  const fresh: Message[] = [];
  for (const { message, replayed } of results) {
    // A replay is a message an earlier run of this batch accepted (and queued), under the same key;
    // its cost is what the campaign was charged for that recipient, whatever the contact says now.
    outcome.accepted++;
    outcome.costMinor += costMinorOf(message.cost.amount);
    if (!replayed) fresh.push(message);
  }
  return fresh;
}

function campaignFailedEvent(deps: AppDeps, c: Campaign, error: CampaignError, failedAt: string) {
  return makeEvent(deps, EVENT_TYPES.campaignFailed, c.accountId, {
    campaignId: c.id,
    name: c.name,
    error,
    affectedRecipients: Math.max(0, c.progress.recipients - c.progress.accepted - c.progress.skipped),
    sentBeforeFailure: c.progress.accepted,
    failedAt,
  });
}

/** Results as counted from the campaign's messages (live while it is under way). */
export async function countResults(deps: AppDeps, c: Campaign): Promise<{ results: CampaignResults; inFlight: number }> {
  const n: MessageStatusCounts = await deps.store.messages.countByStatus(c.accountId, { campaignId: c.id });
  return {
    results: { sent: n.sent, delivered: n.delivered, undelivered: n.undelivered, failed: n.failed, cancelled: n.cancelled },
    inFlight: n.queued + n.scheduled + n.sent,
  };
}

const PAGE = 100;
/** Pages of one status a round reads at most: 1,000 campaigns; the rest wait for the next round. */
const MAX_PAGES = 10;

/**
 * The campaigns in `status` updated before `before`, oldest first, page after page. Pages go on
 * from the last update time seen (inclusive, ids already seen skipped), so campaigns that stay in
 * their status, waiting for delivery reports, do not hide the ones behind them.
 */
async function* campaignsInStatus(deps: AppDeps, status: CampaignStatus, before: string): AsyncGenerator<Campaign> {
  const seen = new Set<string>();
  let from: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const items = await deps.store.campaigns.listInStatus(status, before, PAGE, from);
    const fresh = items.filter((c) => !seen.has(c.id));
    for (const c of fresh) {
      seen.add(c.id);
      yield c;
    }
    // A full page of one update time would repeat itself: the next round goes on.
    if (items.length < PAGE || fresh.length === 0) return;
    from = items[items.length - 1]!.updatedAt;
  }
}

/**
 * The campaign job, run on a timer: re-queues the batch of a campaign whose chain of batch tasks
 * broke (a crash between saving a batch and queuing the next), and completes a campaign once its
 * messages have final statuses, or once CAMPAIGN_COMPLETION_TIMEOUT_HOURS passed since it finished
 * sending (messages still without a delivery report count as sent). Returns what it did.
 */
export async function advanceCampaigns(deps: AppDeps): Promise<number> {
  const now = deps.clock.now();
  const staleBefore = new Date(now - deps.settings.staleAfterMs).toISOString();
  let handled = 0;
  for await (const c of campaignsInStatus(deps, 'sending', staleBefore)) {
    await deps.queue.send(batchTask(c), { dedupeId: batchDedupeId(c) });
    handled++;
  }
  for await (const c of campaignsInStatus(deps, 'scheduled', staleBefore)) {
    if (c.scheduledFor === null || c.scheduledFor >= staleBefore) continue;
    await deps.queue.send(batchTask(c), { dedupeId: batchDedupeId(c) });
    handled++;
  }
  for await (const c of campaignsInStatus(deps, 'sent', new Date(now).toISOString())) {
    if (await completeIfDone(deps, c, now)) handled++;
  }
  return handled;
}

async function completeIfDone(deps: AppDeps, sent: Campaign, now: number): Promise<boolean> {
  const { results, inFlight } = await countResults(deps, sent);
  const timedOut = sent.sendingFinishedAt !== null && now - Date.parse(sent.sendingFinishedAt) >= deps.settings.campaignCompletionTimeoutMs;
  if (inFlight > 0 && !timedOut) return false;
  // Read once: a lost etag race re-reads the campaign, not its failed messages.
  const refunded = await refundedMinor(deps, sent);
  await retryOnConflict(async () => {
    const c = (await deps.store.campaigns.get(sent.accountId, sent.id))!;
    if (c.status !== 'sent') return;
    const at = new Date(now).toISOString();
    const net = { ...c.progress, costMinor: c.progress.costMinor - refunded };
    const done: Campaign = { ...c, status: 'completed', results, progress: net, completedAt: at, updatedAt: at };
    await deps.store.campaigns.update(done, [campaignCompletedEvent(deps, done, results, at)]);
  });
  return true;
}

/**
 * What was given back for the campaign's messages that failed before a carrier took them (those
 * are refunded like any message; a failure the carrier reports later is not). Failures are few, so
 * reading them is cheap.
 */
async function refundedMinor(deps: AppDeps, c: Campaign): Promise<bigint> {
  let total = 0n;
  for await (const failed of pagesOf((page) => deps.store.messages.list(c.accountId, { campaignId: c.id, status: 'failed' }, page), 200)) {
    for (const m of failed) if (m.sentAt === null) total += costMinorOf(m.cost.amount);
  }
  return total;
}

function campaignCompletedEvent(deps: AppDeps, c: Campaign, r: CampaignResults, completedAt: string) {
  const { accepted, recipients } = c.progress;
  return makeEvent(deps, EVENT_TYPES.campaignCompleted, c.accountId, {
    campaignId: c.id,
    name: c.name,
    totalSent: accepted,
    delivered: r.delivered,
    undelivered: r.undelivered,
    failed: r.failed,
    deliveryRate: accepted === 0 ? 0 : r.delivered / accepted,
    failureRate: recipients === 0 ? 0 : Math.min(1, (r.undelivered + r.failed) / recipients),
    totalCost: formatMinor(c.progress.costMinor),
    // Set when the campaign began sending, so always there by now; the schema has no null for it.
    ...(c.startedAt === null ? {} : { startedAt: c.startedAt }),
    completedAt,
  });
}

/** The campaign with its results counted from its messages while it is not completed (stored totals once it is). */
export async function withLiveResults(deps: AppDeps, c: Campaign): Promise<Campaign> {
  if (c.status === 'completed' || c.status === 'draft') return c;
  return { ...c, results: (await countResults(deps, c)).results };
}
