import fc from 'fast-check';
import { formatMinor, parseDecimal } from '../../shared/domain/money';
import { normalisePhone } from '../../shared/domain/phone';
import { parsePriceTable, unitPriceFor } from '../../shared/domain/pricing';
import { checkSenderId } from '../../shared/domain/senderId';
import { decideTransition, isTerminal } from '../../shared/domain/status';
import { crossesBelow } from '../../shared/domain/events';
import { complianceKeyword } from '../../shared/domain/optOut';
import { MESSAGE_STATUSES } from '../../shared/http/resources';

describe('money', () => {
  test.each([
    ['0.75', 7500],
    ['0.0079', 79],
    ['100', 1_000_000],
    ['-2.5', -25_000],
  ])('parses %s', (s, minor) => expect(parseDecimal(s)).toBe(minor));
  test.each(['1.23456', 'abc', '1,5', '', '.5'])('refuses %s', (s) => expect(parseDecimal(s)).toBeNull());
  test('formats with at least two decimals and no float drift', () => {
    expect(formatMinor(7500)).toBe('0.75');
    expect(formatMinor(79)).toBe('0.0079');
    expect(formatMinor(1_000_000)).toBe('100.00');
    expect(formatMinor(-42)).toBe('-0.0042');
  });
  test('format and parse round-trip', () => {
    fc.assert(fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => parseDecimal(formatMinor(n)) === n));
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
    expect(t).toEqual({ currency: 'USD', perSegment: { default: 500, IN: 75 } });
    if ('error' in t) throw new Error('unexpected');
    expect(unitPriceFor(t, 'IN')).toBe(75);
    expect(unitPriceFor(t, 'FR')).toBe(500);
    expect(unitPriceFor(t, null)).toBe(500);
  });
  test.each(['IN=0.75', 'default=abc', 'india=1,default=1'])('refuses %s', (spec) => expect(parsePriceTable('USD', spec)).toHaveProperty('error'));
});

describe('balance low', () => {
  test('fires only on a downward crossing', () => {
    expect(crossesBelow(1000, 999, 1000)).toBe(true);
    expect(crossesBelow(999, 500, 1000)).toBe(false);
    expect(crossesBelow(2000, 1500, 1000)).toBe(false);
    expect(crossesBelow(500, 1500, 1000)).toBe(false);
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
  test.each(['stop it', 'STOP!', 'please STOP', 'stopp', '', 'yes please'])('%p is a message, not a keyword', (text) => expect(complianceKeyword(text)).toBeNull());
});
