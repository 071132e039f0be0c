import { parseDecimal } from './money';

/** Unit price per segment by destination country, in minor units; `default` covers the rest. */
export interface PriceTable {
  currency: string;
  perSegment: Record<string, bigint>;
}

/**
 * One price table per currency an account may hold: an account is charged from the table of its
 * own currency (never another currency's numbers relabelled). `defaultCurrency` is what an account
 * created without a currency gets (PRICE_CURRENCY).
 */
export interface PriceBook {
  defaultCurrency: string;
  tables: Record<string, PriceTable>;
}

/** Built-in tables (USD, and EUR at about 0.92 EUR to the dollar), used unless configured. */
export const DEFAULT_PRICE_TABLES: Readonly<Record<string, string>> = {
  USD: 'default=0.05,US=0.0079,GB=0.04,IN=0.0075',
  EUR: 'default=0.046,US=0.0073,GB=0.037,IN=0.0069',
};

export function unitPriceFor(table: PriceTable, country: string | null): bigint {
  return (country ? table.perSegment[country] : undefined) ?? table.perSegment.default ?? 0n;
}

/** The table of `currency`, or null when the book has none (the account's currency is not sold). */
export function priceTableFor(book: PriceBook, currency: string): PriceTable | null {
  return Object.hasOwn(book.tables, currency) ? book.tables[currency]! : null;
}

/** True for an ISO 4217 currency code this runtime knows (Intl's list), e.g. EUR; false for XYZ. */
export function isIsoCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && Intl.supportedValuesOf('currency').includes(code);
}

/** Parses `IN=0.75,US=0.0079,default=0.05` (the PRICE_TABLE setting). */
export function parsePriceTable(currency: string, spec: string): PriceTable | { error: string } {
  if (!isIsoCurrency(currency)) return { error: `${currency} is not an ISO 4217 currency code` };
  const perSegment: Record<string, bigint> = {};
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, price] = part.split('=').map((s) => s?.trim() ?? '');
    const minor = parseDecimal(price ?? '');
    if (!key || minor === null || minor < 0n || !/^([A-Z]{2}|default)$/.test(key)) {
      return { error: `bad entry "${part}": expected CC=decimal, e.g. IN=0.75` };
    }
    perSegment[key] = minor;
  }
  if (perSegment.default === undefined) return { error: 'needs a default=price entry' };
  return { currency, perSegment };
}
