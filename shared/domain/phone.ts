import { parsePhoneNumberFromString, isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';

export type PhoneResult = { ok: true; e164: string; country: string | null } | { ok: false; reason: string };

/**
 * Normalises a destination to E.164. Accepts E.164 (`+919999999999`), international digits without
 * the plus as the product's payloads carry them (`919999999999`, also `00` prefixed), and national
 * numbers of `defaultCountry`. A bare digit string is tried as international first only when it is
 * long enough to carry a country code and does not read as a valid national number.
 */
/** A default country no number belongs to: normalisePhone then reads international numbers only. */
export const INTERNATIONAL_ONLY = '';

/** An ISO 3166-1 alpha-2 region libphonenumber knows (getCountries()): what a default country may be. */
export function isKnownRegion(code: string): boolean {
  return isSupportedCountry(code);
}

/**
 * Results by (default country, input): parsing with full metadata is a measurable share of a send,
 * and senders repeat their numbers. Bounded; the oldest entry goes first. Results are frozen.
 */
const CACHE_SIZE = 20_000;
const cache = new Map<string, PhoneResult>();

export function normalisePhone(input: string, defaultCountry: string): PhoneResult {
  const key = `${defaultCountry}\u0000${input}`;
  let result = cache.get(key);
  if (result) return result;
  result = Object.freeze(parsePhone(input, defaultCountry));
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, result);
  return result;
}

function parsePhone(input: string, defaultCountry: string): PhoneResult {
  const raw = input.trim();
  if (!/^\+?[\d\s().-]+$/.test(raw) || !/\d/.test(raw))
    return { ok: false, reason: 'must contain only digits, spaces, dashes, dots, parentheses and a leading +' };
  const digits = raw.replace(/[\s().-]/g, '');
  const country = isSupportedCountry(defaultCountry) ? (defaultCountry as CountryCode) : undefined;
  const candidates: string[] = [];
  if (digits.startsWith('+')) candidates.push(digits);
  else if (digits.startsWith('00')) candidates.push(`+${digits.slice(2)}`);
  else {
    const national = country ? parsePhoneNumberFromString(digits, country) : undefined;
    if (national?.isValid() && !(digits.length >= 11 && !digits.startsWith('0'))) return ok(national);
    candidates.push(`+${digits}`);
    if (national?.isValid()) return ok(national);
  }
  for (const c of candidates) {
    const parsed = parsePhoneNumberFromString(c);
    if (parsed?.isValid()) return ok(parsed);
  }
  return { ok: false, reason: 'is not a valid phone number (use E.164, e.g. +14155550123)' };
}

function ok(p: { number: string; country?: string }): PhoneResult {
  return { ok: true, e164: p.number, country: p.country ?? null };
}
