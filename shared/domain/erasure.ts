import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Campaign } from './campaign';
import type { DomainEvent, Message } from './types';
import type { DeliveryAttempt } from './webhooks';

/**
 * Erasure of one person's data (GDPR/CCPA): what marks a stored value as theirs and how it is
 * redacted. Both stores run the same rules over their rows and documents, so they erase alike.
 */

/** What replaces an erased phone number, text or personal field. */
export const ERASED = '[erased]';

/** Fields that hold a person's words or identity: erased in a record that mentions them. */
const PERSONAL_KEYS = new Set([
  'text',
  'body',
  'firstName',
  'lastName',
  'email',
  'customFields',
  'responseExcerpt',
  'requestBody',
  'error',
  'uniqueArgs',
  'keyword',
  'matchedText',
]);

export interface ErasureTarget {
  /** The number as it may be written: E.164, international digits, national significant digits. */
  phoneForms: readonly string[];
  /** Texts of the person's messages: a string equal to one of them is erased wherever it is. */
  texts: Set<string>;
}

/** The forms of an E.164 number a record may hold: `+14155551234`, `14155551234`, `4155551234`. */
export function phoneFormsOf(e164: string): string[] {
  const forms = new Set([e164, e164.replace(/^\+/, '')]);
  const national = parsePhoneNumberFromString(e164)?.nationalNumber;
  if (national && national.length >= 6) forms.add(national);
  return [...forms];
}

/**
 * A text this long marks a record as the person's wherever it is; a shorter one ("STOP", "Yes")
 * others send too, so it is erased only inside records that are the person's already.
 */
export const DISTINCTIVE_TEXT_CHARS = 16;

/**
 * True when the string contains the number in one of its forms, or is one of the person's texts
 * (a distinctive one, or any when `anyText`: inside a record known to be theirs).
 */
export function mentionsString(s: string, t: ErasureTarget, anyText = false): boolean {
  if ((anyText || s.length >= DISTINCTIVE_TEXT_CHARS) && t.texts.has(s)) return true;
  const digits = s.replace(/[\s().-]/g, '');
  return t.phoneForms.some((f) => s.includes(f) || digits.includes(f));
}

/** True when any string in the value (keys aside) mentions the person. */
export function mentions(value: unknown, t: ErasureTarget): boolean {
  if (typeof value === 'string') return mentionsString(value, t);
  if (Array.isArray(value)) return value.some((v) => mentions(v, t));
  if (value !== null && typeof value === 'object') return Object.values(value).some((v) => mentions(v, t));
  return false;
}

/**
 * The whole value redacted: every string that mentions the person becomes ERASED, and so does every
 * personal field (text, names, email, custom fields, response excerpts...). Ids, statuses, numbers
 * (costs, counts) and times stay.
 */
export function redactDeep(value: unknown, t: ErasureTarget): unknown {
  if (typeof value === 'string') return mentionsString(value, t, true) ? ERASED : value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, t));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        PERSONAL_KEYS.has(k) && v !== null && v !== undefined
          ? typeof v === 'object'
            ? {}
            : typeof v === 'string'
              ? ERASED
              : v
          : redactDeep(v, t),
      ]),
    );
  }
  return value;
}

/**
 * Only the objects that mention the person themselves are redacted (redactDeep); the rest of the
 * value stays. For records about many people, e.g. a campaign and its list of skipped numbers.
 */
export function redactWhereMentioned(value: unknown, t: ErasureTarget): unknown {
  if (Array.isArray(value)) return value.map((v) => redactWhereMentioned(v, t));
  if (value !== null && typeof value === 'object') {
    const direct = Object.values(value).some((v) => typeof v === 'string' && mentionsString(v, t));
    if (direct) return redactDeep(value, t);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactWhereMentioned(v, t)]));
  }
  return typeof value === 'string' && mentionsString(value, t) ? ERASED : value;
}

/** What one erasure changed, per kind of record (a second erasure of the same number counts zeros). */
export interface ErasureCounts {
  contacts: number;
  messages: number;
  events: number;
  deliveryAttempts: number;
  optOuts: number;
  campaigns: number;
}

export const noErasures = (): ErasureCounts => ({ contacts: 0, messages: 0, events: 0, deliveryAttempts: 0, optOuts: 0, campaigns: 0 });

/** Everything stored about one number in one account (contacts and opt-outs aside: their stores find them). */
export interface PersonalRecords {
  /** Sent to the number, oldest first. */
  messages: Message[];
  /** Events whose data mentions the number (received messages, status changes, keyword matches...), oldest first. */
  events: DomainEvent[];
  /** Webhook delivery attempts of those events. */
  deliveryAttempts: DeliveryAttempt[];
  /** Campaigns that mention the number (their skips list). */
  campaigns: Campaign[];
}
