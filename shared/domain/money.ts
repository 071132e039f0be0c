/**
 * Money as integers of 1/10,000 of the currency unit ("minor units" here): enough for carrier prices
 * such as 0.0079 USD. Minor units are bigints end to end, so every amount the API accepts, and any
 * sum of them, is exact (a double is exact only to 2^53 ≈ 9.0e15 minor units).
 */
export const MINOR_PER_UNIT = 10_000n;
const SCALE_DIGITS = 4;
const DECIMAL = /^(-)?(\d{1,30})(?:\.(\d{1,4}))?$/;
const API_WHOLE_DIGITS = 12;

/**
 * The largest amount the API accepts in one field (12 whole digits, 4 decimals), and the largest
 * balance an operator credit may reach: 999,999,999,999.9999 of the currency.
 */
export const MAX_AMOUNT_MINOR = 9_999_999_999_999_999n;
export const MAX_BALANCE_MINOR = MAX_AMOUNT_MINOR;

/** The pattern of an amount field: what parseDecimal takes, so a value past MAX_AMOUNT_MINOR is a 400. */
export const AMOUNT_PATTERN = '^\\d{1,12}(\\.\\d{1,4})?$';
export const SIGNED_AMOUNT_PATTERN = '^-?\\d{1,12}(\\.\\d{1,4})?$';

/** An amount as the API returns it (formatMinor's output), as a schema's pattern and example. */
export const FORMATTED_AMOUNT = { pattern: '^-?\\d+\\.\\d{2,4}$', example: '0.75' } as const;

/** "0.0079" → 79n; null for anything but up to 12 whole digits (`maxWholeDigits`) and 4 decimals. */
export function parseDecimal(value: string, maxWholeDigits = API_WHOLE_DIGITS): bigint | null {
  const m = DECIMAL.exec(value.trim());
  if (!m || m[2]!.length > maxWholeDigits) return null;
  const minor = BigInt(m[2]!) * MINOR_PER_UNIT + BigInt((m[3] ?? '').padEnd(SCALE_DIGITS, '0'));
  return m[1] ? -minor : minor;
}

/** 7500n → "0.75"; keeps at least two decimals so amounts read as money. */
export function formatMinor(minor: bigint): string {
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  const whole = abs / MINOR_PER_UNIT;
  let frac = String(abs % MINOR_PER_UNIT)
    .padStart(SCALE_DIGITS, '0')
    .replace(/0+$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  return `${sign}${whole}.${frac}`;
}

/** Minor units as stored in JSON documents: an integer string, since a JSON number is a double. */
export function minorToStored(minor: bigint): string {
  return minor.toString();
}

/**
 * Reads stored minor units: the integer string written now, or the JSON number documents held
 * before amounts were stored as strings (exact, as they never exceeded 2^53). Anything else throws.
 */
export function minorFromStored(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d{1,30}$/.test(value)) return BigInt(value);
  throw new RangeError(`stored amount ${JSON.stringify(value)} is not an integer of minor units`);
}

/**
 * A stored cost (`Message.cost.amount`, written by formatMinor) in minor units. Not bounded like an
 * API amount: a long message at a high price may cost more than 12 whole digits. Throws on
 * anything else, so a corrupt cost is never refunded or totalled as zero.
 */
export function costMinorOf(amount: string): bigint {
  const minor = parseDecimal(amount, 30);
  if (minor === null) throw new RangeError(`cost ${JSON.stringify(amount)} is not a decimal amount`);
  return minor;
}
