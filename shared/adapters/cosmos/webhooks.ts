import type { DeliveryAttempt, Subscription } from '../../domain/webhooks';
import {
  ConcurrencyError,
  DuplicateError,
  type DeliveryAttemptFilter,
  type DeliveryAttemptStore,
  type SubscriptionStore,
} from '../../ports/stores';
import type { CosmosContext } from './context';
import {
  BatchFailure,
  assertValidId,
  fromDoc,
  hashKey,
  pageLimit,
  queryDocs,
  readDoc,
  runBatch,
  statusOf,
  toDoc,
  type Doc,
} from './internal';

/**
 * Webhook subscriptions and delivery attempts, in their account's partition of `tenants`.
 *
 * Subscribing is an upsert by (event type, callback URL): a marker document
 * `subkey_<hash(type, url)>` (docType `subscriptionKey`) is created in the same transactional batch
 * as the subscription, so two concurrent subscribes collide on it. Deleting leaves the subscription
 * as a tombstone (status `deleted`, with a ttl) and removes the marker afterwards; a marker left
 * behind by a crash in between points at a tombstone, and the next subscribe takes it over.
 *
 * Attempts are one document each (docType `deliveryAttempt`) with a ttl; the list query uses the
 * composite index (targetId, at desc, id desc).
 */

const RETENTION_SECONDS = 30 * 24 * 60 * 60;

const markerId = (eventType: string, callbackUrl: string) => `subkey_${hashKey(eventType, callbackUrl)}`;

function subscriptionFromDoc(doc: Doc): Subscription {
  return fromDoc<Subscription>(doc, ['docType'], true);
}

function subscriptionDoc(s: Subscription) {
  return toDoc(s, { docType: 'subscription', ...(s.status === 'deleted' ? { ttl: RETENTION_SECONDS } : {}) });
}

export class CosmosSubscriptionStore implements SubscriptionStore {
  constructor(private readonly ctx: CosmosContext) {}

  async create(s: Subscription): Promise<Subscription> {
    assertValidId(s.id, 'subscription');
    const marker = { id: markerId(s.eventType, s.callbackUrl), accountId: s.accountId, docType: 'subscriptionKey', subscriptionId: s.id };
    const subStep = {
      op: { operationType: 'Create' as const, resourceBody: subscriptionDoc(s) },
      undo: { kind: 'delete' as const, id: s.id },
    };
    try {
      const results = await runBatch(this.ctx.tenants, s.accountId, [
        { op: { operationType: 'Create', resourceBody: marker }, undo: { kind: 'delete', id: marker.id } },
        subStep,
      ]);
      return { ...s, etag: String(results[1]?.eTag ?? results[1]?.resourceBody?._etag) };
    } catch (err) {
      if (!(err instanceof BatchFailure)) throw err;
      if (err.index === 1 && err.status === 409) throw new DuplicateError(`subscription ${s.id}`);
      if (err.index !== 0 || err.status !== 409) throw err;
    }
    // The marker exists: a live subscription owns the URL, or a stale marker is left from a delete.
    const existing = await readDoc(this.ctx.tenants, marker.id, s.accountId);
    if (!existing) throw new DuplicateError(`subscription to ${s.eventType} at ${s.callbackUrl}`); // gone meanwhile: let the caller retry
    const owner = await this.get(s.accountId, String(existing.subscriptionId));
    if (owner && owner.status !== 'deleted') throw new DuplicateError(`subscription to ${s.eventType} at ${s.callbackUrl}`);
    try {
      const results = await runBatch(this.ctx.tenants, s.accountId, [
        { op: { operationType: 'Replace', id: marker.id, resourceBody: marker, ifMatch: String(existing._etag) } },
        subStep,
      ]);
      return { ...s, etag: String(results[1]?.eTag ?? results[1]?.resourceBody?._etag) };
    } catch (err) {
      if (err instanceof BatchFailure && (err.status === 412 || err.status === 409 || err.status === 404))
        throw new DuplicateError(`subscription to ${s.eventType} at ${s.callbackUrl}`);
      throw err;
    }
  }

  async get(accountId: string, id: string): Promise<Subscription | null> {
    const doc = await readDoc(this.ctx.tenants, id, accountId);
    return doc && doc.docType === 'subscription' && doc.accountId === accountId ? subscriptionFromDoc(doc) : null;
  }

  async findByCallback(accountId: string, eventType: string, callbackUrl: string): Promise<Subscription | null> {
    const marker = await readDoc(this.ctx.tenants, markerId(eventType, callbackUrl), accountId);
    if (marker?.docType !== 'subscriptionKey') return null;
    const s = await this.get(accountId, String(marker.subscriptionId));
    return s && s.status !== 'deleted' && s.eventType === eventType && s.callbackUrl === callbackUrl ? s : null;
  }

  async list(accountId: string): Promise<Subscription[]> {
    const docs = await queryDocs(
      this.ctx.tenants,
      "SELECT * FROM c WHERE c.docType = 'subscription' AND c.accountId = @accountId AND c.status != 'deleted'",
      [{ name: '@accountId', value: accountId }],
      accountId,
    );
    return docs.map(subscriptionFromDoc).sort(byCreation);
  }

  async listActive(accountId: string, eventType: string): Promise<Subscription[]> {
    const docs = await queryDocs(
      this.ctx.tenants,
      "SELECT * FROM c WHERE c.docType = 'subscription' AND c.accountId = @accountId AND c.eventType = @eventType AND c.status = 'active'",
      [
        { name: '@accountId', value: accountId },
        { name: '@eventType', value: eventType },
      ],
      accountId,
    );
    return docs.map(subscriptionFromDoc).sort(byCreation);
  }

  async update(s: Subscription): Promise<Subscription> {
    if (!s.etag) throw new ConcurrencyError(`subscription ${s.id}`);
    let etag: string;
    try {
      const { resource } = await this.ctx.tenants
        .item(s.id, s.accountId)
        .replace<Doc>(subscriptionDoc(s), { accessCondition: { type: 'IfMatch', condition: s.etag } });
      etag = String(resource?._etag);
    } catch (err) {
      if (statusOf(err) === 412 || statusOf(err) === 404) throw new ConcurrencyError(`subscription ${s.id}`);
      throw err;
    }
    if (s.status === 'deleted') await this.releaseMarker(s);
    return { ...s, etag };
  }

  /** Best effort: a marker left behind is taken over by the next subscribe (see create). */
  private async releaseMarker(s: Subscription): Promise<void> {
    const id = markerId(s.eventType, s.callbackUrl);
    const marker = await readDoc(this.ctx.tenants, id, s.accountId);
    if (!marker || marker.subscriptionId !== s.id) return;
    try {
      await this.ctx.tenants.item(id, s.accountId).delete({ accessCondition: { type: 'IfMatch', condition: String(marker._etag) } });
    } catch (err) {
      if (statusOf(err) !== 404 && statusOf(err) !== 412) throw err;
    }
  }
}

function byCreation(a: Subscription, b: Subscription): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export class CosmosDeliveryAttemptStore implements DeliveryAttemptStore {
  constructor(private readonly ctx: CosmosContext) {}

  async record(attempts: DeliveryAttempt[]): Promise<void> {
    await Promise.all(
      attempts.map(async (a) => {
        assertValidId(a.id, 'delivery attempt');
        try {
          await this.ctx.tenants.items.create(toDoc(a, { docType: 'deliveryAttempt', ttl: RETENTION_SECONDS }));
        } catch (err) {
          if (statusOf(err) !== 409) throw err; // recorded already (a redelivered task)
        }
      }),
    );
  }

  async list(accountId: string, targetId: string, filter: DeliveryAttemptFilter, limit: number): Promise<DeliveryAttempt[]> {
    const top = pageLimit(limit, 10_000);
    const where = ["c.docType = 'deliveryAttempt'", 'c.accountId = @accountId', 'c.targetId = @targetId'];
    const parameters = [
      { name: '@accountId', value: accountId },
      { name: '@targetId', value: targetId },
    ];
    if (filter.since !== undefined) {
      where.push('c.at >= @since');
      parameters.push({ name: '@since', value: filter.since });
    }
    if (filter.eventId !== undefined) {
      where.push('c.eventId = @eventId');
      parameters.push({ name: '@eventId', value: filter.eventId });
    }
    const docs = await queryDocs(
      this.ctx.tenants,
      `SELECT TOP ${top} * FROM c WHERE ${where.join(' AND ')} ORDER BY c.at DESC, c.id DESC`,
      parameters,
      accountId,
    );
    return docs.map((d) => fromDoc<DeliveryAttempt>(d, ['docType'], false));
  }
}
