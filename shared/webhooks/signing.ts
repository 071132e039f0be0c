import { Webhook } from 'standardwebhooks';

// Building a Webhook decodes the secret; deliveries to one endpoint reuse it.
const signers = new Map<string, Webhook>();
const MAX_CACHED = 10_000;

function signerFor(secret: string): Webhook {
  let w = signers.get(secret);
  if (!w) {
    if (signers.size >= MAX_CACHED) signers.clear();
    w = new Webhook(secret);
    signers.set(secret, w);
  }
  return w;
}

/**
 * The Standard Webhooks headers of one attempt: `webhook-id` (the same on every retry),
 * `webhook-timestamp` (seconds, this attempt) and `webhook-signature` (`v1,` + base64
 * HMAC-SHA256 of `{id}.{timestamp}.{body}`), computed by the `standardwebhooks` package. With
 * several secrets (a rotation's overlap) the header holds one signature per secret, space
 * separated, as the standard allows: a receiver holding any one of them accepts the delivery.
 */
export function signatureHeaders(
  secrets: string | readonly string[],
  webhookId: string,
  nowMs: number,
  body: string,
): Record<string, string> {
  const at = new Date(Math.floor(nowMs / 1000) * 1000);
  const all = typeof secrets === 'string' ? [secrets] : secrets;
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(nowMs / 1000)),
    'webhook-signature': all.map((secret) => signerFor(secret).sign(webhookId, at, body)).join(' '),
  };
}
