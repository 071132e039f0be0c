import { createHash } from 'node:crypto';
import type { Container, JSONObject, OperationInput, OperationResponse, SqlParameter } from '@azure/cosmos';
import { InvalidContinuationTokenError, type Page } from '../../ports/stores';

/** A stored document as it comes back from Cosmos DB (system properties included). */
export type Doc = Record<string, unknown>;

export type DocType =
  | 'account'
  | 'message'
  | 'idempotency'
  | 'senderId'
  | 'virtualNumber'
  | 'event'
  | 'subscription'
  | 'subscriptionKey'
  | 'deliveryAttempt'
  | 'campaign'
  | 'contact'
  | 'contactPhone'
  | 'group'
  | 'groupName'
  | 'apiKey'
  | 'audit';

/** Properties Cosmos DB adds to every document; never part of a domain record. */
const SYSTEM_PROPERTIES = ['_rid', '_self', '_etag', '_ts', '_attachments', '_lsn'];

/** HTTP status of an error thrown by @azure/cosmos (ErrorResponse.code), if there is one. */
export function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  if (typeof statusCode === 'number') return statusCode;
  return undefined;
}

/**
 * Cosmos DB ids may not contain '/', '\\', '?' or '#' and are limited to 255 characters. Record ids
 * come from the id generator (`msg_01J...`), so this only guards against misuse.
 */
export function assertValidId(id: string, what: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > 255 || /[/\\?#]/.test(id)) {
    throw new TypeError(`${what} id ${JSON.stringify(id)} cannot be stored in Cosmos DB`);
  }
}

/** A fixed-length, id-safe key for user-supplied values (idempotency keys, phone numbers...). */
export function hashKey(...parts: string[]): string {
  const h = createHash('sha256');
  for (const part of parts) {
    h.update(part);
    h.update('\u0000');
  }
  return h.digest('base64url');
}

/** The document for a record: the record minus its etag (owned by Cosmos DB) plus internal fields. */
export function toDoc(record: object, extra: Doc): JSONObject {
  const { etag: _ignored, ...rest } = record as Doc;
  void _ignored;
  return { ...rest, ...extra } as JSONObject;
}

/**
 * The record stored in a document: drops the system properties and the named internal fields, and
 * sets `etag` from `_etag` when the record type carries one.
 */
export function fromDoc<T>(doc: Doc, internal: readonly string[], withEtag: boolean): T {
  const out: Doc = {};
  for (const [key, value] of Object.entries(doc)) {
    if (SYSTEM_PROPERTIES.includes(key) || internal.includes(key) || key === 'ttl') continue;
    out[key] = value;
  }
  if (withEtag) out.etag = doc._etag;
  return out as T;
}

export async function readDoc(container: Container, id: string, partitionKey: string): Promise<Doc | null> {
  try {
    const { resource } = await container.item(id, partitionKey).read<Doc>();
    return resource ?? null;
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

/** Runs a query to completion; the queries here all carry TOP or a small natural bound. */
export async function queryDocs(container: Container, query: string, parameters: SqlParameter[], partitionKey?: string): Promise<Doc[]> {
  const iterator = container.items.query<Doc>({ query, parameters }, partitionKey === undefined ? {} : { partitionKey });
  const { resources } = await iterator.fetchAll();
  return resources;
}

/** Runs a `SELECT VALUE ...` query (aggregates, scalars): the results are not documents. */
export async function queryValues(
  container: Container,
  query: string,
  parameters: SqlParameter[],
  partitionKey?: string,
): Promise<unknown[]> {
  const iterator = container.items.query<unknown>({ query, parameters }, partitionKey === undefined ? {} : { partitionKey });
  const { resources } = await iterator.fetchAll();
  return resources;
}

/** Validates a page size and caps it; Cosmos DB pages are cheap but not free. */
export function pageLimit(limit: number, max = 1000): number {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`page limit must be a positive integer, got ${limit}`);
  return Math.min(limit, max);
}

/** Continuation tokens are keyset positions, base64url-encoded so callers treat them as opaque. */
export function encodeToken(position: readonly string[]): string {
  return Buffer.from(JSON.stringify({ v: 1, k: position }), 'utf8').toString('base64url');
}

export function decodeToken(token: string, length: number): string[] {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; k?: unknown };
    if (parsed.v === 1 && Array.isArray(parsed.k) && parsed.k.length === length && parsed.k.every((x) => typeof x === 'string')) {
      return parsed.k as string[];
    }
  } catch {
    // fall through
  }
  throw new InvalidContinuationTokenError();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Jittered exponential back-off for optimistic-concurrency retries. */
export function backoff(attempt: number): Promise<void> {
  return sleep(Math.random() * Math.min(50, 2 ** attempt));
}

// ---------------------------------------------------------------------------------------------
// Transactional batches

/** How to take an operation back if the backend applied it although the batch failed. */
export type Undo = { kind: 'delete'; id: string } | { kind: 'restore'; id: string; body: JSONObject };

export interface BatchStep {
  op: OperationInput;
  /** Omitted for operations that cannot be undone; see runBatch. */
  undo?: Undo;
}

/** A batch failed at `index` with `status` (the first operation that was not a 424). */
export class BatchFailure extends Error {
  constructor(
    readonly index: number,
    readonly status: number,
  ) {
    super(`transactional batch failed at operation ${index} with status ${status}`);
  }
}

/**
 * Runs operations as one transactional batch in one logical partition. On failure throws
 * BatchFailure naming the operation that failed.
 *
 * Cosmos DB rolls a failed batch back and reports 424 for every operation but the failing one.
 * @vercel/cosmosdb-server (the in-process test server) applies the operations one by one and keeps
 * those before the failure; its results show them as successful. When that happens this function
 * takes them back, in reverse order, using each step's `undo`, so the store behaves the same on both.
 * Against Cosmos DB this path never runs. Callers order operations so that the ones that can
 * legitimately fail (etag checks, unique ids) come first and carry an undo. Residual window, on the
 * test server only: a crash between the failed batch and its undo keeps the partial write.
 */
export async function runBatch(container: Container, partitionKey: string, steps: BatchStep[]): Promise<OperationResponse[]> {
  if (steps.length > 100) throw new RangeError('a transactional batch holds at most 100 operations');
  // The client rewrites `partitionKey` on the objects it is given, so pass fresh copies. The
  // per-operation partition key is required by cosmosdb-server and accepted by Cosmos DB.
  const ops = steps.map((s) => ({ ...s.op, partitionKey }) as OperationInput);
  const response = await container.items.batch(ops, partitionKey);
  const results = response.result ?? [];
  const failed = results.findIndex((r) => r.statusCode >= 400 && r.statusCode !== 424);
  if (failed < 0) {
    if (results.length !== steps.length || response.code === undefined || response.code >= 400) {
      throw new Error(`transactional batch returned status ${response.code} with ${results.length} results`);
    }
    return results;
  }
  const applied = results.slice(0, failed).flatMap((r, i) => (r.statusCode < 400 ? [{ r, step: steps[i] as BatchStep }] : []));
  for (const { r, step } of applied.reverse()) {
    await undo(container, partitionKey, step, r);
  }
  throw new BatchFailure(failed, (results[failed] as OperationResponse).statusCode);
}

async function undo(container: Container, partitionKey: string, step: BatchStep, result: OperationResponse): Promise<void> {
  const action = step.undo;
  if (!action) {
    throw new Error(`non-atomic batch left a partial write (operation ${step.op.operationType}) that cannot be undone`);
  }
  const item = container.item(action.id, partitionKey);
  const accessCondition = result.eTag ? { type: 'IfMatch', condition: result.eTag } : undefined;
  if (action.kind === 'delete') {
    await item.delete({ accessCondition });
  } else {
    await item.replace(action.body, { accessCondition });
  }
}

/** The new `_etag` of a document a batch operation wrote. */
export function etagOf(result: { eTag?: string; resourceBody?: Record<string, unknown> } | undefined): string {
  const etag = result?.eTag ?? result?.resourceBody?._etag;
  if (typeof etag !== 'string') throw new Error('Cosmos DB returned no etag for a write');
  return etag;
}

/**
 * A conditional delete inside a batch. The batch wire format takes `ifMatch` on every operation (the
 * .NET SDK offers it on deletes, and cosmosdb-server honours it); the JS SDK's type omits it on
 * Delete only, so the operation is built untyped here.
 */
export const deleteIfMatch = (id: string, etag: string): OperationInput =>
  ({ operationType: 'Delete', id, ifMatch: etag }) as OperationInput;

/** Whether a batch failed because the record at `index` changed or went away (an etag race). */
export const isStale = (err: BatchFailure, index: number): boolean => err.index === index && (err.status === 412 || err.status === 404);

/** The system properties stripped, for writing a read document back (the restore undo). */
export function withoutSystem(doc: Doc): JSONObject {
  const out: Doc = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!SYSTEM_PROPERTIES.includes(key)) out[key] = value;
  }
  return out as JSONObject;
}

/** A page of at most `limit` items from `limit + 1` fetched: the extra one proves a next page exists. */
export function toPage<T>(docs: Doc[], limit: number, map: (doc: Doc) => T, position: (item: T) => string[]): Page<T> {
  const items = docs.slice(0, limit).map(map);
  const last = items[items.length - 1];
  return { items, continuationToken: docs.length > limit && last !== undefined ? encodeToken(position(last)) : null };
}
