import type { DeadLetterOptions } from '@azure/service-bus';
import { DEAD_LETTERED_AT_PROPERTY, DEAD_LETTER_ATTEMPTS_PROPERTY } from './taskMessage';

/** Keeps dead-letter reasons and descriptions well inside the broker's property size limits. */
const MAX_REASON = 1024;

export function clip(text: string): string {
  return text.length <= MAX_REASON ? text : `${text.slice(0, MAX_REASON - 1)}…`;
}

/** What `deadLetterMessage` takes: the broker's reason and description plus our own stamps. */
export type DeadLetterProperties = DeadLetterOptions & { [key: string]: number | string };

/**
 * Every dead-lettering the adapter does itself: reason and description clipped, the attempts made
 * (when known) and the time, which the broker does not record (read back by `toDeadLettered`).
 */
export function deadLetterProperties(now: number, reason: string, description: string, attempts?: number): DeadLetterProperties {
  return {
    deadLetterReason: clip(reason),
    deadLetterErrorDescription: clip(description),
    ...(attempts === undefined ? {} : { [DEAD_LETTER_ATTEMPTS_PROPERTY]: attempts }),
    [DEAD_LETTERED_AT_PROPERTY]: new Date(now).toISOString(),
  };
}

/** A task that used up its attempts: `attempts` were made, the last failing with `lastError`. */
export function maxAttemptsExceeded(now: number, attempts: number, lastError: string | undefined): DeadLetterProperties {
  const last = lastError === undefined ? '' : `; last error: ${lastError}`;
  return deadLetterProperties(now, 'MaxAttemptsExceeded', `not completed after ${attempts} attempts${last}`, attempts);
}
