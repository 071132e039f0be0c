import { normalisePhone } from '../domain/phone';
import type { Account } from '../domain/types';
import { invalid } from './errors';

/** A phone number the account gave, in E.164 (national numbers read in its default country); a 400 naming `path` otherwise. */
export function e164(account: Account, raw: string, path: string): string {
  const phone = normalisePhone(raw, account.defaultCountry);
  if (!phone.ok) throw invalid([{ path, message: phone.reason }]);
  return phone.e164;
}
