import fc from 'fast-check';
import {
  costMinorOf,
  formatMinor,
  MAX_AMOUNT_MINOR,
  MAX_BALANCE_MINOR,
  minorFromStored,
  minorToStored,
  parseDecimal,
} from '../../shared/domain/money';
import { normalisePhone } from '../../shared/domain/phone';
import { isIsoCurrency, parsePriceTable, priceTableFor, unitPriceFor } from '../../shared/domain/pricing';
import { checkSenderId } from '../../shared/domain/senderId';
import { decideTransition, isTerminal } from '../../shared/domain/status';
import { crossesBelow } from '../../shared/domain/events';
import { complianceKeyword } from '../../shared/domain/optOut';
import { MESSAGE_STATUSES } from '../../shared/http/resources';
import { routeTable } from '../../shared/http/routes';

describe('money', () => {
  test.each([
    ['0.75', 7500n],
    ['0.0079', 79n],
    ['100', 1_000_000n],
    ['-2.5', -25_000n],
    ['999999999999.9999', 9_999_999_999_999_999n],
  ])('parses %s', (s, minor) => expect(parseDecimal(s)).toBe(minor));
  test.each(['1.23456', 'abc', '1,5', '', '.5', '1000000000000', '1000000000000.00'])('refuses %s', (s) =>
    expect(parseDecimal(s)).toBeNull(),
  );
  test('formats with at least two decimals and no float drift', () => {
    expect(formatMinor(7500n)).toBe('0.75');
    expect(formatMinor(79n)).toBe('0.0079');
    expect(formatMinor(1_000_000n)).toBe('100.00');
    expect(formatMinor(-42n)).toBe('-0.0042');
  });
  test('format and parse round-trip over every amount the API accepts', () => {
    fc.assert(fc.property(fc.bigInt({ min: -MAX_AMOUNT_MINOR, max: MAX_AMOUNT_MINOR }), (n) => parseDecimal(formatMinor(n)) === n));
  });
  test('the largest amount and sums of large amounts are exact (a double is exact only to 2^53)', () => {
    expect(formatMinor(MAX_AMOUNT_MINOR)).toBe('999999999999.9999');
    expect(MAX_BALANCE_MINOR).toBe(MAX_AMOUNT_MINOR);
    const large = parseDecimal('999999999999.9999')!;
    expect(formatMinor(large * 3n)).toBe('2999999999999.9997');
    expect(formatMinor(parseDecimal('900719925474.0993')! + 1n)).toBe('900719925474.0994');
  });
  test('stored minor units: integer strings, and the numbers older documents hold', () => {
    expect(minorToStored(MAX_AMOUNT_MINOR)).toBe('9999999999999999');
    expect(minorFromStored('9999999999999999')).toBe(MAX_AMOUNT_MINOR);
    expect(minorFromStored(1_000_000)).toBe(1_000_000n);
    expect(minorFromStored('-25')).toBe(-25n);
    for (const bad of [1.5, 2 ** 60, '1.5', '', null, undefined, {}]) expect(() => minorFromStored(bad)).toThrow(RangeError);
  });
  test('a stored cost may pass 12 whole digits; a corrupt one throws instead of counting as zero', () => {
    expect(costMinorOf('23999999999999.9976')).toBe(239_999_999_999_999_976n);
    expect(costMinorOf('0.0079')).toBe(79n);
    expect(() => costMinorOf('abc')).toThrow(RangeError);
  });
});

describe('phone numbers', () => {
  test.each([
    ['+919999999999', 'US', '+919999999999', 'IN'],
    ['919999999999', 'US', '+919999999999', 'IN'],
    ['0044 7400 123456', 'US', '+447400123456', 'GB'],
    ['(415) 555-0123', 'US', '+14155550123', 'US'],
    ['9999999999', 'IN', '+919999999999', 'IN'],
    ['07400 123456', 'GB', '+447400123456', 'GB'],
  ])('%s in %s → %s', (input, country, e164, cc) => {
    expect(normalisePhone(input, country)).toEqual({ ok: true, e164, country: cc });
  });
  test.each(['12', 'hello', '+1', '+999999999999999', '++14155550123'])('%s is refused with a reason', (input) => {
    const r = normalisePhone(input, 'US');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
  });
});

describe('status machine', () => {
  test('terminal states win and nothing moves backwards', () => {
    expect(decideTransition('sent', 'delivered')).toEqual({ accept: true });
    expect(decideTransition('queued', 'delivered')).toEqual({ accept: true }); // report before our "sent" write
    expect(decideTransition('delivered', 'sent')).toEqual({ accept: false, why: 'terminal' });
    expect(decideTransition('undelivered', 'delivered')).toEqual({ accept: false, why: 'terminal' });
    expect(decideTransition('sent', 'queued')).toEqual({ accept: false, why: 'backwards' });
    expect(decideTransition('sent', 'sent')).toEqual({ accept: false, why: 'same' });
    expect(decideTransition('queued', 'cancelled')).toEqual({ accept: false, why: 'not_allowed' });
    expect(decideTransition('scheduled', 'cancelled')).toEqual({ accept: true });
  });
  test('any sequence of reports ends where its furthest accepted step put it', () => {
    const statuses = fc.constantFrom(...MESSAGE_STATUSES);
    fc.assert(
      fc.property(fc.array(statuses, { maxLength: 12 }), (reports) => {
        let current: (typeof MESSAGE_STATUSES)[number] = 'queued';
        let terminalSeen = false;
        for (const next of reports) {
          if (decideTransition(current, next).accept) {
            if (terminalSeen) return false; // nothing may leave a terminal state
            current = next;
            terminalSeen = isTerminal(current);
          }
        }
        return true;
      }),
    );
  });
});

describe('sender IDs', () => {
  test.each([
    ['ACME', 'alphanumeric', 'ACME'],
    ['My Shop 24', 'alphanumeric', 'My Shop 24'],
    ['+14155550123', 'number', '+14155550123'],
    ['4155550123', 'number', '+14155550123'],
  ])('%s is a valid %s', (raw, kind, value) => expect(checkSenderId(raw, 'US')).toEqual({ ok: true, kind, value }));
  test.each(['TWELVECHARSX', 'BAD-NAME', 'Ünicode', '', '1234'])('%s is refused', (raw) => expect(checkSenderId(raw, 'US').ok).toBe(false));
});

describe('pricing', () => {
  test('parses a table and falls back to default', () => {
    const t = parsePriceTable('USD', 'default=0.05, IN=0.0075');
    expect(t).toEqual({ currency: 'USD', perSegment: { default: 500n, IN: 75n } });
    if ('error' in t) throw new Error('unexpected');
    expect(unitPriceFor(t, 'IN')).toBe(75n);
    expect(unitPriceFor(t, 'FR')).toBe(500n);
    expect(unitPriceFor(t, null)).toBe(500n);
  });
  test.each(['IN=0.75', 'default=abc', 'india=1,default=1'])('refuses %s', (spec) =>
    expect(parsePriceTable('USD', spec)).toHaveProperty('error'),
  );
  test('a table is for an ISO 4217 currency', () => {
    expect(parsePriceTable('XYZ', 'default=1')).toHaveProperty('error');
    expect(isIsoCurrency('EUR')).toBe(true);
    expect(isIsoCurrency('eur')).toBe(false);
    expect(isIsoCurrency('XYZ')).toBe(false);
  });
  test('a book finds the table of a currency, and none for another', () => {
    const usd = parsePriceTable('USD', 'default=0.05') as Exclude<ReturnType<typeof parsePriceTable>, { error: string }>;
    const book = { defaultCurrency: 'USD', tables: { USD: usd } };
    expect(priceTableFor(book, 'USD')).toBe(usd);
    expect(priceTableFor(book, 'EUR')).toBeNull();
    expect(priceTableFor(book, 'constructor')).toBeNull();
  });
});

describe('balance low', () => {
  test('fires only on a downward crossing', () => {
    expect(crossesBelow(1000n, 999n, 1000n)).toBe(true);
    expect(crossesBelow(999n, 500n, 1000n)).toBe(false);
    expect(crossesBelow(2000n, 1500n, 1000n)).toBe(false);
    expect(crossesBelow(500n, 1500n, 1000n)).toBe(false);
  });
});

describe('compliance keywords', () => {
  test.each([
    ['STOP', 'opt_out'],
    [' stopall ', 'opt_out'],
    ['Unsubscribe', 'opt_out'],
    ['cancel', 'opt_out'],
    ['END', 'opt_out'],
    ['quit', 'opt_out'],
    ['START', 'opt_in'],
    ['yes', 'opt_in'],
    ['Unstop', 'opt_in'],
    ['HELP', 'help'],
    ['info', 'help'],
  ])('%p is %s', (text, action) => expect(complianceKeyword(text)?.action).toBe(action));
  test.each(['stop it', 'STOP!', 'please STOP', 'stopp', '', 'yes please'])('%p is a message, not a keyword', (text) =>
    expect(complianceKeyword(text)).toBeNull(),
  );
});

describe('money fields of the API agree with the domain', () => {
  // Every body field that takes an amount: what its pattern accepts, parseDecimal takes, up to the maximum.
  const MONEY_FIELDS = new Set(['credits', 'amount', 'lowBalanceThreshold']);
  const fields = routeTable.flatMap((r) =>
    Object.entries(r.body?.properties ?? {})
      .filter(([name]) => MONEY_FIELDS.has(name))
      .map(([name, schema]) => ({
        route: `${r.method} ${r.path}`,
        name,
        pattern: new RegExp((schema as { pattern?: string }).pattern ?? ''),
      })),
  );
  test('the amount fields are found', () => {
    expect(fields.map((f) => f.name).sort()).toEqual(['amount', 'credits', 'lowBalanceThreshold', 'lowBalanceThreshold']);
  });
  test.each(['999999999999.9999', '0', '0.0001', '12.5'])('%s is accepted by every amount pattern and parsed exactly', (value) => {
    for (const f of fields) expect({ ...f, accepted: f.pattern.test(value) }).toMatchObject({ accepted: true });
    expect(parseDecimal(value)).not.toBeNull();
  });
  test.each(['1000000000000', '1000000000000.00', '1.00001', '1e3'])(
    '%s is refused by every amount pattern and by parseDecimal',
    (value) => {
      for (const f of fields) expect({ ...f, accepted: f.pattern.test(value) }).toMatchObject({ accepted: false });
      expect(parseDecimal(value)).toBeNull();
    },
  );
});
