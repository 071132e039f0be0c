import { createHash, randomBytes } from 'node:crypto';

/**
 * API keys are 192-bit random secrets shown once; only their SHA-256 is stored. A slow password hash
 * is unnecessary for keys of this entropy and would cost every request.
 */
export function newApiKey(prefix = 'dfs'): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
