import { parseDecimal } from './money';

/** Unit price per segment by destination country, in minor units; `default` covers the rest. */
export interface PriceTable {
  currency: string;
  perSegment: Record<string, number>;
}

export function unitPriceFor(table: PriceTable, country: string | null): number {
  return (country ? table.perSegment[country] : undefined) ?? table.perSegment.default ?? 0;
}

/** Parses `IN=0.75,US=0.0079,default=0.05` (the PRICE_TABLE setting). */
export function parsePriceTable(currency: string, spec: string): PriceTable | { error: string } {
  const perSegment: Record<string, number> = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, price] = part.split('=').map((s) => s?.trim() ?? '');
    const minor = parseDecimal(price ?? '');
    if (!key || minor === null || minor < 0 || !/^([A-Z]{2}|default)$/.test(key)) {
      return { error: `bad entry "${part}": expected CC=decimal, e.g. IN=0.75` };
    }
    perSegment[key] = minor;
  }
  if (perSegment.default === undefined) return { error: 'needs a default=price entry' };
  return { currency, perSegment };
}
