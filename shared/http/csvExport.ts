import { stringify } from 'csv-stringify/sync';

/** A cell of an exported CSV file. */
export type CsvCell = string | number | null;

/** First characters a spreadsheet reads as the start of a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;
/**
 * A plain decimal number, signed or not (`+14155550123`, `-0.5`): a spreadsheet can only read it as
 * that number, never as a call, so it is left as it is. Escaping it would show every E.164 phone
 * number with a stray apostrophe.
 */
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/**
 * A cell as a spreadsheet must show it: a value that would start a formula (`=HYPERLINK(…)`,
 * `@SUM(…)`, `-2+3`, a leading TAB or CR) gets a leading `'`, so Excel, LibreOffice and Google
 * Sheets show it as text instead of evaluating it. Numbers and null pass through.
 */
export function neutraliseCsvCell(value: CsvCell): CsvCell {
  if (typeof value !== 'string' || !FORMULA_START.test(value) || PLAIN_NUMBER.test(value)) return value;
  return `'${value}`;
}

/** RFC 4180 text with a header row, every cell neutralised: the one way this API writes CSV. */
export function toCsv(columns: readonly string[], rows: readonly CsvCell[][]): string {
  return stringify(
    rows.map((row) => row.map(neutraliseCsvCell)),
    { header: true, columns: [...columns] },
  );
}
