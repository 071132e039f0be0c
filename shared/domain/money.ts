/**
 * Money as integers of 1/10,000 of the currency unit ("minor units" here): enough for carrier prices
 * such as 0.0079 USD, exact in a double up to ~900 billion units, and never summed as floats.
 */
export const MINOR_PER_UNIT = 10_000;
const SCALE_DIGITS = 4;
const DECIMAL = /^(-)?(\d{1,12})(?:\.(\d{1,4}))?$/;

export function parseDecimal(value: string): number | null {
  const m = DECIMAL.exec(value.trim());
  if (!m) return null;
  const whole = Number(m[2]);
  const frac = Number((m[3] ?? '').padEnd(SCALE_DIGITS, '0'));
  const minor = whole * MINOR_PER_UNIT + frac;
  return m[1] ? -minor : minor;
}

/** 7500 → "0.75"; keeps at least two decimals so amounts read as money. */
export function formatMinor(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const whole = Math.floor(abs / MINOR_PER_UNIT);
  let frac = String(abs % MINOR_PER_UNIT).padStart(SCALE_DIGITS, '0').replace(/0+$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  return `${sign}${whole}.${frac}`;
}
