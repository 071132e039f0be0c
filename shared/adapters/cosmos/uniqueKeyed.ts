import type { JSONObject } from '@azure/cosmos';
import { ConcurrencyError, DuplicateError } from '../../ports/stores';
import type { CosmosContext } from './context';
import {
  BatchFailure,
  assertValidId,
  backoff,
  deleteIfMatch,
  etagOf,
  isStale,
  readDoc,
  runBatch,
  withoutSystem,
  type BatchStep,
  type Doc,
} from './internal';

/** A kind of record kept unique on one key by a marker document (groups by name, keyword rules by their key). */
export interface UniqueKeyedKind<T extends { id: string; accountId: string; etag?: string }> {
  /** docType of the records, and of their markers. */
  docType: string;
  markerDocType: string;
  /** The marker's field that names the record, e.g. groupId. */
  ownerField: string;
  /** What ConcurrencyError and DuplicateError call a record: `${what} ${id}`. */
  what: string;
  markerId(record: T): string;
  /** The DuplicateError of a record whose key another record holds. */
  duplicate(record: T): DuplicateError;
  toDoc(record: T): JSONObject;
  fromDoc(doc: Doc): T;
}

/**
 * Records in their account's partition of `tenants` whose unique key rides on a marker document,
 * written in the same transactional batch as the record: two creates with the same key collide on
 * the marker id and the loser writes nothing; a change of the key moves the marker in the same
 * batch, so a marker never outlives its record.
 */
export class UniqueKeyedRecords<T extends { id: string; accountId: string; etag?: string }> {
  constructor(
    private readonly ctx: CosmosContext,
    private readonly kind: UniqueKeyedKind<T>,
  ) {}

  private marker(record: T, id = this.kind.markerId(record)): JSONObject {
    return { id, accountId: record.accountId, docType: this.kind.markerDocType, [this.kind.ownerField]: record.id };
  }

  /** One batch: [create key marker, create record]. */
  async create(record: T): Promise<T> {
    assertValidId(record.id, this.kind.what);
    assertValidId(record.accountId, 'account');
    const marker = this.marker(record);
    try {
      const results = await runBatch(this.ctx.tenants, record.accountId, [
        { op: { operationType: 'Create', resourceBody: marker }, undo: { kind: 'delete', id: String(marker.id) } },
        { op: { operationType: 'Create', resourceBody: this.kind.toDoc(record) }, undo: { kind: 'delete', id: record.id } },
      ]);
      return { ...record, etag: etagOf(results[1]) };
    } catch (err) {
      if (err instanceof BatchFailure && err.status === 409)
        throw err.index === 0 ? this.kind.duplicate(record) : new DuplicateError(`${this.kind.what} ${record.id}`);
      throw err;
    }
  }

  async get(accountId: string, id: string): Promise<T | null> {
    const doc = await readDoc(this.ctx.tenants, id, accountId);
    return doc && doc.docType === this.kind.docType && doc.accountId === accountId ? this.kind.fromDoc(doc) : null;
  }

  /** A change of the key moves the marker in the same batch: [create new marker, replace if-match, delete old marker]. */
  async update(record: T): Promise<T> {
    if (!record.etag) throw new ConcurrencyError(`${this.kind.what} ${record.id}`); // never read, so never current
    const stored = await readDoc(this.ctx.tenants, record.id, record.accountId);
    if (!stored || stored.docType !== this.kind.docType || stored._etag !== record.etag)
      throw new ConcurrencyError(`${this.kind.what} ${record.id}`);
    const oldMarker = this.kind.markerId(this.kind.fromDoc(stored));
    const newMarker = this.kind.markerId(record);
    const moves = oldMarker !== newMarker;
    const steps: BatchStep[] = [];
    if (moves)
      steps.push({
        op: { operationType: 'Create', resourceBody: this.marker(record, newMarker) },
        undo: { kind: 'delete', id: newMarker },
      });
    const replaceIndex = steps.length;
    steps.push({
      op: { operationType: 'Replace', id: record.id, resourceBody: this.kind.toDoc(record), ifMatch: record.etag },
      undo: { kind: 'restore', id: record.id, body: withoutSystem(stored) },
    });
    // Last: it cannot be undone on the test server, and nothing after it can fail.
    if (moves) steps.push({ op: { operationType: 'Delete', id: oldMarker } });
    try {
      const results = await runBatch(this.ctx.tenants, record.accountId, steps);
      return { ...record, etag: etagOf(results[replaceIndex]) };
    } catch (err) {
      if (!(err instanceof BatchFailure)) throw err;
      if (moves && err.index === 0 && err.status === 409) throw this.kind.duplicate(record);
      if (isStale(err, replaceIndex)) throw new ConcurrencyError(`${this.kind.what} ${record.id}`);
      throw err;
    }
  }

  /** One batch: [delete the record if-match what was read, delete its key marker]; re-read on a race with an update. */
  async delete(accountId: string, id: string): Promise<boolean> {
    for (let attempt = 0; attempt < this.ctx.settings.maxConcurrencyRetries; attempt += 1) {
      const stored = await readDoc(this.ctx.tenants, id, accountId);
      if (!stored || stored.docType !== this.kind.docType) return false;
      try {
        await runBatch(this.ctx.tenants, accountId, [
          { op: deleteIfMatch(id, String(stored._etag)) },
          { op: { operationType: 'Delete', id: this.kind.markerId(this.kind.fromDoc(stored)) } },
        ]);
        return true;
      } catch (err) {
        if (!(err instanceof BatchFailure) || !isStale(err, 0)) throw err;
        await backoff(attempt);
      }
    }
    throw new ConcurrencyError(`${this.kind.what} ${id}`);
  }
}
