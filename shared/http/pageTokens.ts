import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Continuation tokens as the API hands them out: the store's own token followed by an HMAC of it,
 * bound to the route and the account that listed. The stores keep their plain keyset tokens
 * (SQLite and Cosmos DB alike); only the engine signs and opens them, so an edited token, or one
 * taken from another route or account, is refused before any store reads it.
 */

/** 128 bits of HMAC-SHA256: forging a token is as hard as guessing the secret. */
const MAC_BYTES = 16;
const SEPARATOR = '.';

function mac(secret: string, scope: string, inner: string): Buffer {
  return createHmac('sha256', secret).update(`${scope}\n${inner}`).digest().subarray(0, MAC_BYTES);
}

export function signPageToken(secret: string, scope: string, inner: string): string {
  return `${inner}${SEPARATOR}${mac(secret, scope, inner).toString('base64url')}`;
}

/** The store's token inside `token`, or null when the API did not issue it for this scope. */
export function openPageToken(secret: string, scope: string, token: string): string | null {
  const at = token.lastIndexOf(SEPARATOR);
  if (at <= 0) return null;
  const inner = token.slice(0, at);
  // Compared as text: decoding would ignore the spare bits of the last character, so two spellings would pass.
  const given = Buffer.from(token.slice(at + 1));
  const expected = Buffer.from(mac(secret, scope, inner).toString('base64url'));
  return given.length === expected.length && timingSafeEqual(given, expected) ? inner : null;
}
