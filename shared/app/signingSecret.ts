import { randomBytes } from 'node:crypto';

/**
 * A new Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. Subscriptions and
 * an account's own callbacks (per-message callback, default webhook) use the same format.
 */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
