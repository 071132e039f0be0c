import { parse } from 'csv-parse/sync';
import { neutraliseCsvCell, toCsv } from '../../shared/http/csvExport';

describe('CSV exports (OWASP CSV injection)', () => {
  test.each(['=1+1', '+SUM(A1)', '-2+3', '@SUM(A1)', '\tx', '\r=1', '=', '+', '-', '@'])(
    '%j starts a formula: escaped with a leading apostrophe',
    (cell) => {
      expect(neutraliseCsvCell(cell)).toBe(`'${cell}`);
    },
  );

  test.each(['+14155550123', '-0.5', '12', '0.0079', 'Hello', '', "'=already text", ' =1+1'])(
    '%j cannot start a formula: kept as it is',
    (cell) => {
      expect(neutraliseCsvCell(cell)).toBe(cell);
    },
  );

  test('numbers and nulls pass through; the text read back has every formula cell escaped', () => {
    const csv = toCsv(
      ['a', 'b', 'c'],
      [
        ['=cmd|"/C calc"!A0', -1, null],
        ['+14155550123', '+1+2', 'x,"y"'],
      ],
    );
    expect(parse(csv, { columns: true })).toEqual([
      { a: `'=cmd|"/C calc"!A0`, b: '-1', c: '' },
      { a: '+14155550123', b: "'+1+2", c: 'x,"y"' },
    ]);
  });
});
