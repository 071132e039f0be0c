import type { SenderIdKind } from './types';
import { normalisePhone } from './phone';

export type SenderIdCheck = { ok: true; value: string; kind: SenderIdKind } | { ok: false; reason: string };

/**
 * Alphanumeric sender ids follow the GSM 03.38 / carrier rule: 1–11 characters of A–Z, a–z, 0–9
 * and space, at least one letter (an all-digit value is a number). Numbers must be valid phones.
 */
export function checkSenderId(raw: string, defaultCountry: string): SenderIdCheck {
  const value = raw.trim();
  if (/^\+?[\d\s-]+$/.test(value)) {
    const phone = normalisePhone(value, defaultCountry);
    return phone.ok ? { ok: true, value: phone.e164, kind: 'number' } : { ok: false, reason: `as a number ${phone.reason}` };
  }
  if (value.length < 1 || value.length > 11) return { ok: false, reason: 'must be 1 to 11 characters when alphanumeric' };
  if (!/^[A-Za-z0-9 ]+$/.test(value)) return { ok: false, reason: 'may contain only letters A-Z, digits and spaces' };
  if (!/[A-Za-z]/.test(value)) return { ok: false, reason: 'must contain at least one letter' };
  return { ok: true, value, kind: 'alphanumeric' };
}
