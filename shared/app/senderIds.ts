import { EVENT_TYPES, senderIdDecisionData } from '../domain/events';
import { checkSenderId } from '../domain/senderId';
import type { Account, SenderId, SenderIdStatus } from '../domain/types';
import { makeEvent, nowIso, type AppDeps } from './deps';
import { conflict, invalid, notFound } from './errors';

export async function requestSenderId(deps: AppDeps, account: Account, input: { value: string; purpose?: string }): Promise<SenderId> {
  const checked = checkSenderId(input.value, account.defaultCountry);
  if (!checked.ok) throw invalid([{ path: '/value', message: checked.reason }]);
  const existing = await deps.store.senderIds.findByValue(account.id, checked.value);
  if (existing && existing.status !== 'rejected') {
    throw conflict('sender_id_exists', `Sender ID "${checked.value}" is already ${existing.status} (${existing.id}).`);
  }
  return deps.store.senderIds.create({
    id: deps.ids.next('sid'),
    accountId: account.id,
    value: checked.value,
    kind: checked.kind,
    status: 'pending',
    purpose: input.purpose ?? null,
    reason: null,
    createdAt: nowIso(deps),
    decidedAt: null,
  });
}

/** Operators approve or reject pending requests; the decision emits its event in the same write. */
export async function decideSenderId(
  deps: AppDeps,
  id: string,
  decision: 'approved' | 'rejected',
  reason: string | undefined,
): Promise<SenderId> {
  const current = await deps.store.senderIds.getForAdmin(id);
  if (!current) throw notFound(`Sender ID ${id}`);
  if (current.status !== 'pending') throw conflict('sender_id_decided', `Sender ID ${id} is already ${current.status}.`);
  const decidedAt = nowIso(deps);
  const next: SenderId = { ...current, status: decision, reason: reason ?? null, decidedAt };
  const type = decision === 'approved' ? EVENT_TYPES.senderIdApproved : EVENT_TYPES.senderIdRejected;
  return deps.store.senderIds.update(next, [makeEvent(deps, type, next.accountId, senderIdDecisionData(next, decision, decidedAt))]);
}

export async function listSenderIds(deps: AppDeps, accountId: string, status: SenderIdStatus): Promise<SenderId[]> {
  return deps.store.senderIds.list(accountId, status);
}
