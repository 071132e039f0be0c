/** Message documents of the Cosmos DB message store: their shape, filters, etags and batch steps. */
import type { JSONObject, SqlParameter } from '@azure/cosmos';
import type { Message } from '../../domain/types';
import type { AcceptOutcome, BalanceChange, MessageFilter } from '../../ports/stores';
import { fromDoc, hashKey, toDoc, type BatchStep, type Doc } from './internal';

/** The WHERE clause (and parameters) of a message filter, shared by list and countByStatus. */
export function messageWhere(accountId: string, filter: MessageFilter): { where: string[]; parameters: SqlParameter[] } {
  const where = ["c.docType = 'message'", 'c.accountId = @accountId'];
  const parameters: SqlParameter[] = [{ name: '@accountId', value: accountId }];
  const add = (clause: string, name: string, value: string): void => {
    where.push(clause);
    parameters.push({ name, value });
  };
  if (filter.status !== undefined) add('c.status = @status', '@status', filter.status);
  if (filter.to !== undefined) add('c["to"] = @to', '@to', filter.to);
  if (filter.from !== undefined) add('c["from"] = @from', '@from', filter.from);
  if (filter.since !== undefined) add('c.createdAt >= @since', '@since', filter.since);
  if (filter.until !== undefined) add('c.createdAt < @until', '@until', filter.until);
  if (filter.campaignId !== undefined) add('c.campaignId = @campaignId', '@campaignId', filter.campaignId);
  return { where, parameters };
}

export function messageDoc(message: Message): JSONObject {
  return toDoc(message, { docType: 'message' });
}

export function messageFromDoc(doc: Doc): Message {
  return fromDoc<Message>(doc, ['docType'], true);
}

/**
 * The idempotency marker's id is derived from the key, so two accepts with the same key in one
 * account collide on it (409) and the batch holding the loser rolls back. Hashing keeps arbitrary
 * client keys inside the id alphabet and length.
 */
export const idempotencyMarkerId = (idempotencyKey: string): string => `idem:${hashKey(idempotencyKey)}`;

export function etagOf(result: { eTag?: string; resourceBody?: Record<string, unknown> } | undefined): string {
  const etag = result?.eTag ?? result?.resourceBody?._etag;
  if (typeof etag !== 'string') throw new Error('Cosmos DB returned no etag for a write');
  return etag;
}

export function withEtag(message: Message, etag: string): Message {
  return { ...message, etag };
}

/**
 * acceptMany's results in order: the inserted ones by index, the others replaying the earlier
 * message of their key (stored before, or inserted by its first occurrence in the chunk).
 */
export function manyResults(
  markerOf: readonly string[],
  firstOf: ReadonlyMap<string, number>,
  priors: ReadonlyMap<string, Message>,
  inserted: ReadonlyMap<number, Message>,
  balance: BalanceChange,
): AcceptOutcome[] {
  const unchanged = { before: balance.after, after: balance.after };
  return markerOf.map((markerId, i) => {
    const mine = inserted.get(i);
    if (mine) return { message: mine, balance, replayed: false };
    const message = priors.get(markerId) ?? inserted.get(firstOf.get(markerId)!);
    if (!message) throw new Error(`acceptMany found no message for marker ${markerId}`);
    return { message, balance: unchanged, replayed: true };
  });
}

export const createMessageStep = (message: Message): BatchStep => ({
  op: { operationType: 'Create', resourceBody: messageDoc(message) },
  undo: { kind: 'delete', id: message.id },
});
