import type { JSONObject } from '@azure/cosmos';
import type { DomainEvent } from '../../domain/types';
import { DuplicateError, type OutboxStore } from '../../ports/stores';
import type { CosmosContext } from './context';
import {
  BatchFailure,
  fromDoc,
  pageLimit,
  queryDocs,
  readDoc,
  runBatch,
  statusOf,
  toDoc,
  assertValidId,
  type BatchStep,
  type Doc,
} from './internal';

/**
 * Outbox events live in their account's partition of `tenants`, so they can be written in the same
 * transactional batch as the state change that raised them. `dispatched` is false until the
 * dispatcher marks them; then they get a `ttl` and expire after the retention period.
 */

export function eventDoc(event: DomainEvent): JSONObject {
  return toDoc(event, { docType: 'event', dispatched: false });
}

export function eventFromDoc(doc: Doc): DomainEvent {
  return fromDoc<DomainEvent>(doc, ['docType', 'dispatched'], false);
}

/**
 * The undispatched outbox events among documents of the `tenants` change feed (which carries every
 * kind of document, and events again when they are marked dispatched). Anything else is skipped.
 */
export function pendingEventsFromChangeFeed(documents: readonly unknown[]): DomainEvent[] {
  return documents
    .filter((d): d is Doc => typeof d === 'object' && d !== null && (d as Doc).docType === 'event' && (d as Doc).dispatched === false)
    .map(eventFromDoc);
}

/** Batch steps creating the events; each carries its undo for backends without atomic batches. */
export function eventSteps(events: readonly DomainEvent[], accountId: string): BatchStep[] {
  return events.map((event) => {
    assertValidId(event.id, 'event');
    if (event.accountId !== accountId) {
      throw new Error(`event ${event.id} belongs to account ${event.accountId}, not ${accountId}: it cannot share the unit of work`);
    }
    return { op: { operationType: 'Create', resourceBody: eventDoc(event) }, undo: { kind: 'delete', id: event.id } };
  });
}

/** Maps a failed batch's operation index back to the event it created, for the error message. */
export function duplicateEventError(events: readonly DomainEvent[], index: number): DuplicateError {
  return new DuplicateError(`event ${events[index]?.id ?? '?'}`);
}

export class CosmosOutboxStore implements OutboxStore {
  constructor(private readonly ctx: CosmosContext) {}

  async append(events: DomainEvent[]): Promise<void> {
    const byAccount = new Map<string, DomainEvent[]>();
    for (const event of events) {
      const group = byAccount.get(event.accountId) ?? [];
      group.push(event);
      byAccount.set(event.accountId, group);
    }
    for (const [accountId, group] of byAccount) {
      for (let start = 0; start < group.length; start += 100) {
        const chunk = group.slice(start, start + 100);
        try {
          await runBatch(this.ctx.tenants, accountId, eventSteps(chunk, accountId));
        } catch (err) {
          if (err instanceof BatchFailure && err.status === 409) throw duplicateEventError(chunk, err.index);
          throw err;
        }
      }
    }
  }

  /**
   * Cross-partition, oldest first. The composite index (dispatched, occurredAt, id) lets the query
   * seek straight to the undispatched events instead of walking the retained dispatched ones.
   */
  async pending(limit: number): Promise<DomainEvent[]> {
    const top = pageLimit(limit);
    const docs = await queryDocs(
      this.ctx.tenants,
      `SELECT TOP ${top} * FROM c WHERE c.docType = 'event' AND c.dispatched = false ORDER BY c.dispatched ASC, c.occurredAt ASC, c.id ASC`,
      [],
    );
    return docs.map(eventFromDoc);
  }

  /**
   * The port gives only event ids, so one cross-partition query finds their partitions; each event is
   * then patched (dispatched, ttl). Unknown and already dispatched ids are ignored.
   */
  async markDispatched(eventIds: string[]): Promise<void> {
    const ids = [...new Set(eventIds)];
    for (let start = 0; start < ids.length; start += 50) {
      const chunk = ids.slice(start, start + 50);
      const names = chunk.map((_, i) => `@id${i}`);
      const found = await queryDocs(
        this.ctx.tenants,
        `SELECT c.id, c.accountId FROM c WHERE c.docType = 'event' AND c.dispatched = false AND c.id IN (${names.join(', ')})`,
        chunk.map((value, i) => ({ name: names[i] as string, value })),
      );
      await Promise.all(
        found.map(async (doc) => {
          try {
            await this.ctx.tenants.item(String(doc.id), String(doc.accountId)).patch([
              { op: 'set', path: '/dispatched', value: true },
              { op: 'set', path: '/ttl', value: this.ctx.settings.dispatchedEventTtlSeconds },
            ]);
          } catch (err) {
            if (statusOf(err) !== 404) throw err; // expired or gone: nothing left to mark
          }
        }),
      );
    }
  }

  async listForAccount(accountId: string, filter: { type?: string; since?: string }, limit: number): Promise<DomainEvent[]> {
    const top = pageLimit(limit);
    const where = ["c.docType = 'event'", 'c.accountId = @accountId'];
    const parameters = [{ name: '@accountId', value: accountId }];
    if (filter.type !== undefined) {
      where.push('c["type"] = @type');
      parameters.push({ name: '@type', value: filter.type });
    }
    if (filter.since !== undefined) {
      where.push('c.occurredAt >= @since');
      parameters.push({ name: '@since', value: filter.since });
    }
    const docs = await queryDocs(
      this.ctx.tenants,
      `SELECT TOP ${top} * FROM c WHERE ${where.join(' AND ')} ORDER BY c.occurredAt ASC, c.id ASC`,
      parameters,
      accountId,
    );
    return docs.map(eventFromDoc);
  }

  async get(accountId: string, eventId: string): Promise<DomainEvent | null> {
    const doc = await readDoc(this.ctx.tenants, eventId, accountId);
    return doc && doc.docType === 'event' && doc.accountId === accountId ? eventFromDoc(doc) : null;
  }
}
