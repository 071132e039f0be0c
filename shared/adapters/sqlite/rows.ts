import { randomUUID } from 'node:crypto';

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

/** better-sqlite3 reports constraint violations (unique, primary key) with SQLITE_CONSTRAINT* codes. */
export const isUniqueViolation = (err: unknown): boolean => (err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT') ?? false;
