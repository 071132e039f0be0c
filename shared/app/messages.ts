import type { Account, Message } from '../domain/types';
import type { MessageFilter, Page, PageRequest } from '../ports';
import type { AppDeps } from './deps';
import { notFound } from './errors';
import { e164 } from './phoneInput';

/** Reads of an account's messages (sending and cancelling are in sendMessage.ts and messageLifecycle.ts). */

export async function getMessage(deps: AppDeps, accountId: string, id: string): Promise<Message> {
  const m = await deps.store.messages.get(accountId, id);
  if (!m) throw notFound(`Message ${id}`);
  return m;
}

/** The list filters as the caller gives them: any phone number form, any ISO 8601 time. */
export type MessageQuery = MessageFilter;

export async function listMessages(deps: AppDeps, account: Account, q: MessageQuery, page: PageRequest): Promise<Page<Message>> {
  // Read like any number the account gives (E.164, international digits, national numbers).
  const to = q.to === undefined ? undefined : e164(account, q.to, 'query/to');
  const since = q.since && new Date(q.since).toISOString();
  const until = q.until && new Date(q.until).toISOString();
  return deps.store.messages.list(account.id, { status: q.status, to, from: q.from, since, until, campaignId: q.campaignId }, page);
}
