import { randomUUID } from 'node:crypto';
import { InvalidContinuationTokenError, type Page, type PageRequest } from '../../ports/stores';
import type { Db } from './database';

/** Row helpers shared by the SQLite stores that keep records as JSON documents beside an etag column. */

export const newEtag = (): string => randomUUID();

export type Row = { doc: string; etag: string };

export function parse<T extends { etag?: string }>(row: Row | undefined): T | null {
  if (!row) return null;
  const value = JSON.parse(row.doc) as T;
  value.etag = row.etag;
  return value;
}

/** The etag lives in its own column (the UPDATE compares it), never inside the document. */
export function docOf<T extends { etag?: string }>(value: T): string {
  const { etag: _etag, ...rest } = value;
  return JSON.stringify(rest);
}

/** Continuation tokens are the last item's sort key, base64url JSON, so they survive restarts. */
export function encodeToken(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

export function decodeToken(token: string): [string, string] | null {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' ? [v[0], v[1]] : null;
  } catch {
    return null;
  }
}

/**
 * One page of `table` newest first (created_at DESC, id DESC) under `where` (with its named
 * `params`), continuing after the page's token: the keyset paging of messages and campaigns.
 */
export function newestFirstPage<T extends { createdAt: string; id: string; etag?: string }>(
  db: Db,
  table: string,
  where: string[],
  params: Record<string, unknown>,
  page: PageRequest,
  // A table not stored as doc + etag names its columns and how a row reads back.
  read: { columns: string; item: (row: never) => T } = { columns: 'doc, etag', item: (r: Row) => parse<T>(r)! },
): Page<T> {
  const clauses = [...where];
  const values: Record<string, unknown> = { ...params, limit: page.limit + 1 };
  if (page.continuationToken !== undefined) {
    const key = decodeToken(page.continuationToken);
    if (!key) throw new InvalidContinuationTokenError();
    clauses.push('(created_at, id) < (@afterCreated, @afterId)');
    values.afterCreated = key[0];
    values.afterId = key[1];
  }
  const rows = db
    .prepare(`SELECT ${read.columns} FROM ${table} WHERE ${clauses.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT @limit`)
    .all(values) as never[];
  const items = rows.slice(0, page.limit).map(read.item);
  const last = items[items.length - 1];
  return { items, continuationToken: rows.length > page.limit && last ? encodeToken(last.createdAt, last.id) : null };
}

/** better-sqlite3 reports constraint violations (unique, primary key) with SQLITE_CONSTRAINT* codes. */
export const isUniqueViolation = (err: unknown): boolean => (err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT') ?? false;
