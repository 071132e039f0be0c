/** Settling a lease the broker no longer honours (lock expired, or the message was redelivered). */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A cancel of a sequence number the broker does not hold as scheduled (never existed, cancelled,
 * or already enqueued, which gives the message a new sequence number) is refused with
 * "Messages not found. Missing sequence numbers: …", which the SDK surfaces as code MessageNotFound.
 * The text match covers a 404 that arrives without the error condition and is mapped to another code.
 */
export function isScheduledMessageNotFound(err: unknown): boolean {
  if (errorCode(err) === 'MessageNotFound') return true;
  return /missing sequence numbers|message(s)? not found/i.test(errorText(err));
}

export function isLockLost(err: unknown): boolean {
  return errorCode(err) === 'MessageLockLost' || /already settled/i.test(errorText(err));
}
