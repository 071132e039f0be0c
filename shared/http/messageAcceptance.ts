import { invalid } from '../app/errors';
import type { SendOutcome } from '../app/sendMessage';
import { messageView } from '../app/views';
import type { ParamSpec, RouteRequest, RouteResult } from './route';
import { str } from '../schema/builders';

/*
 * What the routes that accept a message for sending share (Send an SMS, a trigger campaign's call):
 * the Idempotency-Key header and the 202 answer.
 */

/** The Idempotency-Key header of the routes that send a message; `what` is the request, e.g. "a request". */
export const idempotencyKeyHeader = (what: string): ParamSpec => ({
  name: 'Idempotency-Key',
  schema: str('Idempotency key', `Repeat ${what} with the same key to get the original message back instead of sending twice.`, {
    maxLength: 128,
    'x-ms-visibility': 'advanced',
  }),
});

/** The request's Idempotency-Key, or null; a 400 naming the header when it is not 1 to 128 characters. */
export function idempotencyKeyOf(req: Pick<RouteRequest, 'headers'>): string | null {
  const key = req.headers['idempotency-key'] ?? null;
  if (key !== null && (key.length < 1 || key.length > 128)) {
    throw invalid(
      [{ path: 'header/Idempotency-Key', message: 'must be 1 to 128 characters' }],
      'header Idempotency-Key must be 1 to 128 characters',
    );
  }
  return key;
}

/** 202 with an accepted message, its Location, and whether an earlier request with the key made it. */
export function acceptedMessage({ message, replayed }: SendOutcome): RouteResult {
  return {
    status: 202,
    body: messageView(message),
    headers: { location: `/api/messages/${message.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) },
  };
}
