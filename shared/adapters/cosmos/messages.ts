import type { SqlParameter } from '@azure/cosmos';
import { zeroStatusCounts } from '../../domain/status';
import type { DomainEvent, Message, MessageStatus } from '../../domain/types';
import {
  ConcurrencyError,
  DuplicateError,
  InsufficientCreditsError,
  acceptManyDebits,
  checkAcceptManyEvents,
  type AcceptManyOutcome,
  type AcceptOutcome,
  type BalanceChange,
  type MessageFilter,
  type MessageStatusCounts,
  type MessageStore,
  type Page,
  type PageRequest,
  type TransitionOutcome,
} from '../../ports/stores';
import { AccountNotFoundError, balanceStep, readAccountDoc, storedBalanceOf } from './accounts';
import type { CosmosContext } from './context';
import {
  BatchFailure,
  assertValidId,
  backoff,
  decodeToken,
  pageLimit,
  queryDocs,
  queryValues,
  readDoc,
  runBatch,
  toPage,
  type BatchStep,
} from './internal';
import { carrierLookupId, readLookup, upsertLookup } from './lookups';
import { duplicateEventError, eventSteps } from './outbox';

import {
  createMessageStep,
  etagOf,
  idempotencyMarkerId,
  manyResults,
  messageDoc,
  messageFromDoc,
  messageWhere,
  withEtag,
} from './messageDocs';

export { messageDoc, messageFromDoc } from './messageDocs';

export class CosmosMessageStore implements MessageStore {
  constructor(private readonly ctx: CosmosContext) {}

  /** The batch step creating a message's idempotency marker (it collides, 409, when the key was used). */
  private markerStep(markerId: string, message: Message): BatchStep {
    return {
      op: {
        operationType: 'Create',
        resourceBody: {
          id: markerId,
          accountId: message.accountId,
          docType: 'idempotency',
          messageId: message.id,
          ttl: this.ctx.settings.idempotencyTtlSeconds,
        },
      },
      undo: { kind: 'delete', id: markerId },
    };
  }

  /**
   * Read the account, then one transactional batch in the account's partition:
   *   0. replace the account with the debited balance, if-match the etag read (412 -> re-read, retry)
   *   1. create the idempotency marker, when there is a key (409 -> someone else won: replay theirs)
   *   2. create the message
   *   3+ create the events built from the balance change
   * All or nothing in Cosmos DB, and the etag on the account serialises concurrent accepts of one
   * account, so the balance can never be overdrawn.
   */
  async accept(message: Message, debit: bigint, events: (balance: BalanceChange) => DomainEvent[]): Promise<AcceptOutcome> {
    assertValidId(message.id, 'message');
    assertValidId(message.accountId, 'account');
    if (debit < 0n) throw new RangeError(`debit must be a non-negative integer, got ${debit}`);
    const accountId = message.accountId;
    const markerId =
      message.idempotencyKey === null || message.idempotencyKey === undefined ? null : idempotencyMarkerId(message.idempotencyKey);
    await this.pointCarrierId(message);

    for (let attempt = 0; attempt < this.ctx.settings.maxConcurrencyRetries; attempt += 1) {
      if (markerId !== null) {
        const replay = await this.replay(accountId, markerId);
        if (replay) return replay;
      }
      const account = await readAccountDoc(this.ctx, accountId);
      if (!account) throw new AccountNotFoundError(accountId);
      const before = storedBalanceOf(account);
      if (before < debit) throw new InsufficientCreditsError(before, debit);
      const balance: BalanceChange = { before, after: before - debit };
      const raised = events(balance);

      const steps: BatchStep[] = [balanceStep(account, balance)];
      if (markerId !== null) steps.push(this.markerStep(markerId, message));
      const messageIndex = steps.length;
      steps.push(createMessageStep(message));
      steps.push(...eventSteps(raised, accountId));

      try {
        const results = await runBatch(this.ctx.tenants, accountId, steps);
        return { message: withEtag(message, etagOf(results[messageIndex])), balance, replayed: false };
      } catch (err) {
        if (!(err instanceof BatchFailure)) throw err;
        if (err.index === 0 && (err.status === 412 || err.status === 404)) {
          await backoff(attempt); // the balance moved under us: read it again
          continue;
        }
        if (markerId !== null && err.index === 1 && err.status === 409) continue; // replay the winner
        if (err.status === 409) {
          throw err.index === messageIndex
            ? new DuplicateError(`message ${message.id}`)
            : duplicateEventError(raised, err.index - messageIndex - 1);
        }
        throw err;
      }
    }
    throw new ConcurrencyError(`account ${accountId}`);
  }

  /**
   * A chunk as one transactional batch, so a campaign pays one account read and one batch per
   * chunk instead of per message. Read the account and the chunk's idempotency markers (one
   * single-partition query on their ids) together; messages whose marker exists are replayed
   * (their messages read by id). Then one batch in the account's partition:
   *   0. replace the account, debited by the sum of the new messages' costs, if-match its etag
   *   then, per new message, create its marker, then the message (the marker first: it can collide)
   *   then create the events built from the chunk's balance change
   * A 412 on the account (another write moved the balance) re-reads and retries with back-off, as
   * accept does (a concurrent accept moves the account too, so it usually fails the batch there);
   * a 409 on a marker the query did not see re-reads and retries at once, and that message then
   * replays. Nothing new to insert: nothing is written.
   */
  async acceptMany(messages: Message[], events: (balance: BalanceChange) => DomainEvent[]): Promise<AcceptManyOutcome> {
    const debits = acceptManyDebits(messages);
    const accountId = messages[0]!.accountId;
    assertValidId(accountId, 'account');
    for (const m of messages) assertValidId(m.id, 'message');
    await Promise.all(messages.map((m) => this.pointCarrierId(m)));
    const markerOf = messages.map((m) => idempotencyMarkerId(m.idempotencyKey!));
    // The first message of each key decides; a later one with the same key replays it.
    const firstOf = new Map<string, number>();
    markerOf.forEach((markerId, i) => {
      if (!firstOf.has(markerId)) firstOf.set(markerId, i);
    });
    const markerIds = [...firstOf.keys()];

    for (let attempt = 0; attempt < this.ctx.settings.maxConcurrencyRetries; attempt += 1) {
      const [account, priors] = await Promise.all([readAccountDoc(this.ctx, accountId), this.priorMessages(accountId, markerIds)]);
      if (!account) throw new AccountNotFoundError(accountId);
      const before = storedBalanceOf(account);
      const fresh = markerOf.flatMap((markerId, i) => (firstOf.get(markerId) === i && !priors.has(markerId) ? [i] : []));
      const required = fresh.reduce((sum, i) => sum + debits[i]!, 0n);
      if (before < required) throw new InsufficientCreditsError(before, required);
      const balance: BalanceChange = { before, after: before - required };
      if (fresh.length === 0) return { results: manyResults(markerOf, firstOf, priors, new Map(), balance), balance };
      const raised = checkAcceptManyEvents(events(balance));

      const steps: BatchStep[] = [balanceStep(account, balance)];
      for (const i of fresh) {
        const message = messages[i]!;
        const markerId = markerOf[i]!;
        steps.push(this.markerStep(markerId, message), createMessageStep(message));
      }
      const eventsAt = steps.length;
      steps.push(...eventSteps(raised, accountId));

      try {
        const written = await runBatch(this.ctx.tenants, accountId, steps);
        // Step 2 + 2k is the k-th fresh message's create.
        const inserted = new Map(fresh.map((i, k) => [i, withEtag(messages[i]!, etagOf(written[2 + 2 * k]))]));
        return { results: manyResults(markerOf, firstOf, priors, inserted, balance), balance };
      } catch (err) {
        if (!(err instanceof BatchFailure)) throw err;
        if (err.index === 0 && (err.status === 412 || err.status === 404)) {
          await backoff(attempt);
          continue;
        }
        if (err.status === 409 && err.index < eventsAt) {
          if (err.index % 2 === 1) continue; // a marker: that key was accepted meanwhile; it replays now
          throw new DuplicateError(`message ${messages[fresh[(err.index - 2) / 2]!]!.id}`);
        }
        if (err.status === 409) throw duplicateEventError(raised, err.index - eventsAt);
        throw err;
      }
    }
    throw new ConcurrencyError(`account ${accountId}`);
  }

  async get(accountId: string, messageId: string): Promise<Message | null> {
    const doc = await readDoc(this.ctx.tenants, messageId, accountId);
    return doc && doc.docType === 'message' && doc.accountId === accountId ? messageFromDoc(doc) : null;
  }

  async findByCarrierMessageId(carrier: string, carrierMessageId: string): Promise<Message | null> {
    const pointer = await readLookup(this.ctx, carrierLookupId(carrier, carrierMessageId));
    if (!pointer || pointer.recordId === undefined) return null;
    const message = await this.get(pointer.accountId, pointer.recordId);
    // The pointer is written before the message; it only counts if the message carries the id.
    return message && message.carrier === carrier && message.carrierMessageId === carrierMessageId ? message : null;
  }

  /**
   * One transactional batch: [account refund, if-match] + message replace (if-match `next.etag`) +
   * events. A stale message etag fails the batch and nothing is written.
   */
  async transition(
    next: Message,
    refund: bigint,
    events: (balance: BalanceChange | undefined) => DomainEvent[],
  ): Promise<TransitionOutcome> {
    if (!next.etag) throw new ConcurrencyError(`message ${next.id}`); // never read, so never current
    if (refund < 0n) throw new RangeError(`refund must be a non-negative integer, got ${refund}`);
    assertValidId(next.id, 'message');
    const accountId = next.accountId;
    await this.pointCarrierId(next);

    for (let attempt = 0; attempt < this.ctx.settings.maxConcurrencyRetries; attempt += 1) {
      const steps: BatchStep[] = [];
      let balance: BalanceChange | undefined;
      if (refund > 0n) {
        const account = await readAccountDoc(this.ctx, accountId);
        if (!account) throw new AccountNotFoundError(accountId);
        const before = storedBalanceOf(account);
        balance = { before, after: before + refund };
        steps.push(balanceStep(account, balance));
      }
      const raised = events(balance);
      const messageIndex = steps.length;
      // No undo: the original message was never read. Only duplicate event ids can fail after it.
      steps.push({ op: { operationType: 'Replace', id: next.id, resourceBody: messageDoc(next), ifMatch: next.etag } });
      steps.push(...eventSteps(raised, accountId));

      try {
        const results = await runBatch(this.ctx.tenants, accountId, steps);
        const message = withEtag(next, etagOf(results[messageIndex]));
        return balance ? { message, balance } : { message };
      } catch (err) {
        if (!(err instanceof BatchFailure)) throw err;
        if (err.index === messageIndex && (err.status === 412 || err.status === 404)) throw new ConcurrencyError(`message ${next.id}`);
        if (err.index === 0 && refund > 0n && (err.status === 412 || err.status === 404)) {
          await backoff(attempt);
          continue;
        }
        if (err.status === 409) throw duplicateEventError(raised, err.index - messageIndex - 1);
        throw err;
      }
    }
    throw new ConcurrencyError(`account ${accountId}`);
  }

  /**
   * Single-partition, keyset-paged on (createdAt, id) descending. With a campaign or status filter
   * the ORDER BY leads with that field (constant within the result) so the (campaignId, createdAt,
   * id) or (status, createdAt, id) composite serves it; with both, the campaign leads (the narrower
   * range) and status is a range-index filter within it.
   */
  async list(accountId: string, filter: MessageFilter, page: PageRequest): Promise<Page<Message>> {
    const limit = pageLimit(page.limit);
    const { where, parameters } = messageWhere(accountId, filter);
    if (page.continuationToken !== undefined) {
      const [createdAt, id] = decodeToken(page.continuationToken, 2) as [string, string];
      where.push('(c.createdAt < @afterCreatedAt OR (c.createdAt = @afterCreatedAt AND c.id < @afterId))');
      parameters.push({ name: '@afterCreatedAt', value: createdAt }, { name: '@afterId', value: id });
    }
    const lead = filter.campaignId !== undefined ? 'c.campaignId ASC, ' : filter.status !== undefined ? 'c.status ASC, ' : '';
    const order = `${lead}c.createdAt DESC, c.id DESC`;
    const docs = await queryDocs(
      this.ctx.tenants,
      `SELECT TOP ${limit + 1} * FROM c WHERE ${where.join(' AND ')} ORDER BY ${order}`,
      parameters,
      accountId,
    );
    return toPage(docs, limit, messageFromDoc, (m) => [m.createdAt, m.id]);
  }

  /**
   * One `SELECT VALUE COUNT(1)` per status, in parallel, all single-partition. Every predicate is an
   * equality or range on an indexed path, so each count is answered from the index without loading
   * a document: each costs about the minimum query charge (a few RU) plus a little per matching
   * index entry, so the seven stay cheap however large the campaign. Reading the matching
   * documents (or only their `status`) to count in memory would cost RU per document, i.e. per
   * campaign recipient. GROUP BY would be one round trip on Cosmos DB, but the in-process test
   * server has no GROUP BY, and the contract suite must run the code that production runs.
   */
  async countByStatus(accountId: string, filter: MessageFilter): Promise<MessageStatusCounts> {
    const counts = zeroStatusCounts();
    const statuses = filter.status !== undefined ? [filter.status] : (Object.keys(counts) as MessageStatus[]);
    const { where, parameters } = messageWhere(accountId, { ...filter, status: undefined });
    await Promise.all(
      statuses.map(async (status) => {
        const [n] = await queryValues(
          this.ctx.tenants,
          `SELECT VALUE COUNT(1) FROM c WHERE ${where.join(' AND ')} AND c.status = @status`,
          [...parameters, { name: '@status', value: status }],
          accountId,
        );
        counts[status] = typeof n === 'number' ? n : 0;
      }),
    );
    return counts;
  }

  /**
   * Cross-partition by nature (the reconciler sweeps every account). Queued messages count from their
   * last change (`updatedAt`), scheduled ones from when they were due (`scheduledFor`), as in the
   * SQLite store; oldest first.
   */
  async listStale(status: 'queued' | 'scheduled', olderThan: string, limit: number): Promise<Message[]> {
    const top = pageLimit(limit);
    const field = status === 'scheduled' ? 'scheduledFor' : 'updatedAt';
    const docs = await queryDocs(
      this.ctx.tenants,
      `SELECT TOP ${top} * FROM c WHERE c.docType = 'message' AND c.status = @status AND c.${field} < @olderThan ORDER BY c.${field} ASC`,
      [
        { name: '@status', value: status },
        { name: '@olderThan', value: olderThan },
      ],
    );
    return docs.map(messageFromDoc);
  }

  /**
   * The earlier messages of the chunk's keys, by marker id: one single-partition query on the marker
   * ids (index on `id`), then a point read per marker found (none, in the usual case).
   */
  private async priorMessages(accountId: string, markerIds: readonly string[]): Promise<Map<string, Message>> {
    const parameters: SqlParameter[] = [
      { name: '@accountId', value: accountId },
      ...markerIds.map((id, i) => ({ name: `@m${i}`, value: id })),
    ];
    const markers = await queryDocs(
      this.ctx.tenants,
      `SELECT c.id, c.messageId FROM c WHERE c.accountId = @accountId AND c.docType = 'idempotency' AND c.id IN (${markerIds.map((_, i) => `@m${i}`).join(', ')})`,
      parameters,
      accountId,
    );
    const found = await Promise.all(
      markers.map(async (marker) => {
        const message = await this.get(accountId, String(marker.messageId));
        if (!message) throw new Error(`idempotency marker ${String(marker.id)} of account ${accountId} points to a missing message`);
        return [String(marker.id), message] as const;
      }),
    );
    return new Map(found);
  }

  private async replay(accountId: string, markerId: string): Promise<AcceptOutcome | null> {
    const marker = await readDoc(this.ctx.tenants, markerId, accountId);
    if (marker?.docType !== 'idempotency') return null;
    const [message, account] = await Promise.all([this.get(accountId, String(marker.messageId)), readAccountDoc(this.ctx, accountId)]);
    if (!message) throw new Error(`idempotency marker ${markerId} of account ${accountId} points to a missing message`);
    const current = account ? storedBalanceOf(account) : 0n;
    // Nothing was debited by this call: the balance change is empty.
    return { message, balance: { before: current, after: current }, replayed: true };
  }

  /** Writes the carrier-id pointer ahead of the message (see lookups.ts: pointers are verified hints). */
  private async pointCarrierId(message: Message): Promise<void> {
    if (message.carrierMessageId === null || message.carrierMessageId === undefined) return;
    const id = carrierLookupId(message.carrier, message.carrierMessageId);
    // Every later status change carries the same id: a 1-RU read spares rewriting the pointer.
    const existing = await readLookup(this.ctx, id);
    if (existing && existing.accountId === message.accountId && existing.recordId === message.id) return;
    await upsertLookup(this.ctx, {
      id,
      accountId: message.accountId,
      recordId: message.id,
      ttl: this.ctx.settings.carrierLookupTtlSeconds,
    });
  }
}
