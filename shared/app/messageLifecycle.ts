import { cancelledData, EVENT_TYPES, statusChangedData } from '../domain/events';
import { costMinorOf } from '../domain/money';
import { decideTransition, REASONS } from '../domain/status';
import { DEFAULT_RETRY_POLICY, type Message, type MessageStatus, type StatusReason } from '../domain/types';
import type { StatusReport, SmsSendTask } from '../ports';
import { makeEvent, nowIso, type AppDeps } from './deps';
import { retryOnConflict } from './retryOnConflict';
import { sendForSlot, waitForSlot } from './sendPacing';
import { AIMD } from '../domain/pacing';
import { conflict, notFound } from './errors';
import { enqueueSend, queueSendAttempt } from './sendMessage';

/** Builds the next version of a message after a status change, with its history entry. */
export function withStatus(m: Message, status: MessageStatus, at: string, reason: StatusReason | null): Message {
  return {
    ...m,
    status,
    statusReason: reason,
    updatedAt: at,
    sentAt: status === 'sent' && !m.sentAt ? at : m.sentAt,
    deliveredAt: status === 'delivered' ? at : m.deliveredAt,
    history: [...m.history, reason ? { status, at, reason } : { status, at }],
  };
}

function costMinor(m: Message): bigint {
  return costMinorOf(m.cost.amount);
}

/** Saves a status change with its event (and a refund when given), retrying on concurrent edits. */
async function saveTransition(deps: AppDeps, next: Message, previous: MessageStatus, refund: bigint): Promise<Message> {
  const { message } = await deps.store.messages.transition(next, refund, () => [
    makeEvent(deps, EVENT_TYPES.smsStatusChanged, next.accountId, statusChangedData(next, previous, next.statusReason)),
  ]);
  return message;
}

/**
 * Handles one `sms.send.v1` delivery. At-least-once safe: a message no longer waiting to be sent is
 * left alone, and carriers dedupe submissions by message id.
 */
export async function processSendTask(deps: AppDeps, task: SmsSendTask): Promise<void> {
  await retryOnConflict(async () => {
    const m = await deps.store.messages.get(task.accountId, task.messageId);
    if (!m) {
      deps.logger.warn('send task for a message that does not exist', { messageId: task.messageId });
      return;
    }
    if (m.status !== 'queued' && m.status !== 'scheduled') return;
    const carrier = deps.carriers.get(m.carrier);
    const at = nowIso(deps);
    if (!carrier) {
      await saveTransition(deps, { ...withStatus(m, 'failed', at, REASONS.rejected), attempts: m.attempts }, m.status, costMinor(m));
      deps.logger.error('no such carrier configured', { messageId: m.id, carrier: m.carrier });
      return;
    }
    // Its validity ran out before it could be handed over (waiting for a slot, retries, a stalled queue).
    if (m.validUntil && deps.clock.now() > Date.parse(m.validUntil)) {
      await saveTransition(deps, withStatus(m, 'failed', at, REASONS.expired), m.status, costMinor(m));
      return;
    }
    // Over the sender's limit: the task comes back at the sender's next free slot (no attempt spent).
    if (await waitForSlot(deps, carrier, m, task)) return;
    const limit = await deps.pacer.limitOf(carrier, m.from);
    // No await from the gate to the submit: tasks that waited can still arrive bunched, and the gate
    // counts this submit at the moment it starts (sentAt is that moment too).
    const submitMs = deps.clock.now();
    const later = deps.pacer.admit(carrier.name, m.from, limit, m.segments, submitMs);
    if (later !== null) {
      await sendForSlot(deps, m, later);
      return;
    }
    const submittedAt = new Date(submitMs).toISOString();
    const result = await carrier.submit({
      messageId: m.id,
      accountId: m.accountId,
      to: m.to,
      from: m.from,
      text: m.text,
      encoding: m.encoding,
      statusCallbackUrl: `${deps.settings.publicBaseUrl}/api/carriers/${carrier.name}/status`,
    });
    const attempts = m.attempts + 1;
    if (result.outcome === 'accepted') {
      await saveTransition(
        deps,
        { ...withStatus(m, 'sent', submittedAt, null), attempts, carrierMessageId: result.carrierMessageId },
        m.status,
        0n,
      );
      return;
    }
    if (result.outcome === 'permanent') {
      await saveTransition(deps, { ...withStatus(m, 'failed', at, result.reason), attempts }, m.status, costMinor(m));
      return;
    }
    if (result.throttled) {
      // The carrier's "too fast" is not the message's fault: slow the sender down and send it again
      // at its next slot, without spending an attempt.
      await deps.pacer.throttled(carrier.name, m.from, result.retryAfterMs);
      const waiting: Message = { ...m, status: 'queued', statusReason: result.reason, updatedAt: at };
      const { message: saved } = await deps.store.messages.transition(waiting, 0n, () => []);
      if (await waitForSlot(deps, carrier, saved, { type: task.type, accountId: task.accountId, messageId: task.messageId })) return;
      // A sender without a limit has no timeline to push: wait out Retry-After (the task being handled holds the attempt's dedupe id).
      const delayMs = result.retryAfterMs ?? AIMD.defaultRetryAfterMs;
      await deps.queue.send(
        { type: 'sms.send.v1', accountId: saved.accountId, messageId: saved.id },
        { delayMs, dedupeId: `${saved.id}:${saved.attempts}:throttled:${deps.clock.now()}` },
      );
      return;
    }
    const account = await deps.store.accounts.get(m.accountId);
    const policy = account?.retryPolicy ?? DEFAULT_RETRY_POLICY;
    if (attempts >= policy.maxAttempts) {
      const reason = { ...REASONS.retriesExhausted, message: `${REASONS.retriesExhausted.message}: ${result.reason.message}` };
      await saveTransition(deps, { ...withStatus(m, 'failed', at, reason), attempts }, m.status, costMinor(m));
      return;
    }
    // Transient: record the attempt, then come back later through a fresh delayed task.
    const waiting: Message = { ...m, status: 'queued', attempts, statusReason: result.reason, updatedAt: at };
    const { message: saved } = await deps.store.messages.transition(waiting, 0n, () => []);
    const delay = result.retryAfterMs ?? backoffMs(policy, attempts);
    await queueSendAttempt(deps, saved, delay);
  });
}

/** Exponential backoff with full jitter, capped. */
export function backoffMs(policy: { baseDelayMs: number; maxDelayMs: number }, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface ReportOutcome {
  applied: string[];
  ignored: string[];
  unknown: string[];
}

/** Applies carrier delivery reports through the status machine: late or repeated reports change nothing. */
export async function applyStatusReports(deps: AppDeps, carrier: string, reports: StatusReport[]): Promise<ReportOutcome> {
  // Reports of one batch concern different messages, so they are applied side by side; two reports
  // for the same message meet at the etag check and the later one is re-read and re-decided.
  const results = await Promise.all(
    reports.map((report) =>
      retryOnConflict(async () => {
        const m = await deps.store.messages.findByCarrierMessageId(carrier, report.carrierMessageId);
        if (!m) return 'unknown' as const;
        if (!decideTransition(m.status, report.status).accept) return 'ignored' as const;
        await saveTransition(deps, withStatus(m, report.status, report.occurredAt, report.reason ?? null), m.status, 0n);
        return 'applied' as const;
      }),
    ),
  );
  const out: ReportOutcome = { applied: [], ignored: [], unknown: [] };
  results.forEach((r, i) => out[r].push(reports[i]!.carrierMessageId));
  return out;
}

/** Cancels a scheduled message, refunds it and drops its queue task. */
export async function cancelMessage(deps: AppDeps, accountId: string, messageId: string, reason: string | undefined): Promise<Message> {
  return retryOnConflict(async () => {
    const m = await deps.store.messages.get(accountId, messageId);
    if (!m) throw notFound(`Message ${messageId}`);
    if (m.status !== 'scheduled') {
      throw conflict('not_cancellable', `Only scheduled messages can be cancelled; this one is ${m.status}.`);
    }
    const at = nowIso(deps);
    const next = withStatus(m, 'cancelled', at, REASONS.cancelledByUser);
    const why = reason ?? 'Cancelled by user';
    const { message } = await deps.store.messages.transition(next, costMinor(m), () => [
      makeEvent(deps, EVENT_TYPES.smsStatusChanged, accountId, statusChangedData(next, m.status, next.statusReason)),
      makeEvent(deps, EVENT_TYPES.messageCancelled, accountId, cancelledData(next, why)),
    ]);
    if (m.taskRef)
      await deps.queue
        .cancel(m.taskRef)
        .catch((err: Error) => deps.logger.warn('could not cancel task', { messageId, error: err.message }));
    return message;
  });
}

/**
 * Crash recovery between "stored" and "enqueued": re-sends tasks for queued messages nobody touched
 * for a while. Safe because send tasks dedupe by message id and attempt, and handlers are idempotent.
 */
export async function requeueStale(deps: AppDeps, limit = 500): Promise<number> {
  const olderThan = new Date(deps.clock.now() - deps.settings.staleAfterMs).toISOString();
  const stale = [
    ...(await deps.store.messages.listStale('queued', olderThan, limit)),
    ...(await deps.store.messages.listStale('scheduled', olderThan, limit)),
  ];
  // A paced message waits untouched for its slot; while its sender's timeline runs ahead of now its
  // task is still due, so it is looked at again once the sender has caught up.
  const backlog = new Map<string, Promise<boolean>>();
  const waitsForSlot = (m: Message): Promise<boolean> => {
    const key = `${m.carrier}|${m.from}`;
    if (!backlog.has(key)) backlog.set(key, deps.pacer.backlogged(m.carrier, m.from));
    return backlog.get(key)!;
  };
  let requeued = 0;
  for (const m of stale) {
    if (m.status === 'queued' && (await waitsForSlot(m))) continue;
    await enqueueSend(deps, m);
    requeued++;
  }
  return requeued;
}
