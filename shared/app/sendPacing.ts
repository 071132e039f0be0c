import { STALE_SLOT_MS } from '../domain/pacing';
import type { Message } from '../domain/types';
import type { Carrier, SmsSendTask } from '../ports';
import type { AppDeps } from './deps';

/**
 * Holds a send back until its sender's slot: true when the task was sent again for that slot (the
 * caller stops here), false when the message may go now. A task already carrying its slot goes when
 * it arrives (a little late is fine, see STALE_SLOT_MS); one that comes early or stale takes a fresh
 * slot. The new task is a fresh one (attempt 1 in both queues), so waiting never counts as a
 * delivery attempt. The caller still passes the instance's gate (Pacer.admit) right before submitting.
 */
export async function waitForSlot(
  deps: AppDeps,
  carrier: Pick<Carrier, 'name' | 'pacing'>,
  m: Message,
  task: SmsSendTask,
): Promise<boolean> {
  const now = deps.clock.now();
  if (task.slotAt !== undefined && now >= task.slotAt && now - task.slotAt <= STALE_SLOT_MS) return false;
  const slot = await deps.pacer.slotFor(carrier, m.from, m.segments);
  // Times have millisecond resolution: a slot within this millisecond is now (rates above 1,000/s).
  if (slot === null || slot < now + 1) return false;
  await sendForSlot(deps, m, slot);
  return true;
}

/** Sends the message's task again, due at `slot` and carrying it. */
export async function sendForSlot(deps: AppDeps, m: Message, slot: number): Promise<void> {
  const slotAt = Math.ceil(slot);
  // A slot past the message's validity: come back when it runs out instead, to fail it then.
  const expiresAt = m.validUntil ? Date.parse(m.validUntil) + 1 : Number.POSITIVE_INFINITY;
  const dueAt = Math.min(slotAt, expiresAt);
  await deps.queue.send(
    { type: 'sms.send.v1', accountId: m.accountId, messageId: m.id, slotAt },
    // Unique per slot: the task being handled still holds the attempt's own dedupe id.
    { delayMs: Math.max(0, dueAt - deps.clock.now()), dedupeId: `${m.id}:${m.attempts}:slot:${slotAt}` },
  );
}
