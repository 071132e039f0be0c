import * as lib from 'libphonenumber-js/max';
import { normalisePhone } from '../../shared/domain/phone';

jest.mock('libphonenumber-js/max', () => {
  const actual = jest.requireActual<typeof import('libphonenumber-js/max')>('libphonenumber-js/max');
  return { ...actual, parsePhoneNumberFromString: jest.fn(actual.parsePhoneNumberFromString) };
});

describe('normalisePhone cache', () => {
  it('parses a number once per default country, and answers the same result after', () => {
    const parse = lib.parsePhoneNumberFromString as jest.Mock;
    const first = normalisePhone('4155550123', 'US');
    const calls = parse.mock.calls.length;
    expect(calls).toBeGreaterThan(0);
    expect(normalisePhone('4155550123', 'US')).toEqual(first);
    expect(parse.mock.calls.length).toBe(calls);
    // Another default country reads the same digits afresh (a national number depends on it).
    expect(normalisePhone('4155550123', 'GB')).not.toEqual(first);
    expect(parse.mock.calls.length).toBeGreaterThan(calls);
    expect(Object.isFrozen(first)).toBe(true);
  });
});
