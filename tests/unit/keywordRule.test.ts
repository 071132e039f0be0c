import {
  checkKeyword,
  keywordRuleKey,
  matchesKeyword,
  pickKeywordRule,
  wordsOf,
  type KeywordMatchType,
  type KeywordRule,
} from '../../shared/domain/keywordRule';

const SUPPORT = '+14155550100';
const SALES = '+14155550199';

let n = 0;
function rule(keyword: string, matchType: KeywordMatchType, overrides: Partial<KeywordRule> = {}): KeywordRule {
  n += 1;
  const createdAt = new Date(Date.parse('2026-01-01T00:00:00Z') + n * 1000).toISOString();
  return {
    id: `kw_${String(n).padStart(4, '0')}`,
    accountId: 'acc_1',
    keyword,
    matchType,
    virtualNumber: null,
    reply: null,
    active: true,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

const matches = (keyword: string, type: KeywordMatchType, text: string) => matchesKeyword(wordsOf(text), wordsOf(keyword), type);

describe('keyword matching is by words', () => {
  test('words: any script, case folded, punctuation, emoji and spaces separate', () => {
    expect(wordsOf('  Opening-HOURS?! 👋 café  नमस्ते ')).toEqual(['opening', 'hours', 'café', 'नमस्ते']);
    expect(wordsOf('ＨＯＵＲＳ')).toEqual(['hours']); // full-width letters, as some phones send them
    expect(wordsOf('?!')).toEqual([]);
  });

  test.each([
    ['HOURS', 'hours', true],
    ['HOURS', '  Hours?  ', true],
    ['HOURS', 'hours!!!', true],
    ['HOURS', 'hours please', false],
    ['HOURS', 'my hours', false],
    ['HOURS', 'hour', false],
    ['HOURS', 'hourss', false],
    ['HOURS', '', false],
    ['opening hours', 'Opening   hours', true],
    ['opening hours', 'opening-hours', true],
    ['opening hours', 'opening', false],
  ])('exact %p against %p: %p', (keyword, text, expected) => expect(matches(keyword, 'exact', text)).toBe(expected));

  test.each([
    ['HOURS', 'hours', true],
    ['HOURS', 'Hours today?', true],
    ['HOURS', 'hours,today', true],
    ['HOURS', 'Hourly rates', false],
    ['HOURS', 'what are your hours', false],
    ['check in', 'Check-in at 5 please', true],
    ['check in', 'checkin', false],
    ['check in', 'check', false],
  ])('starts_with %p against %p: %p', (keyword, text, expected) => expect(matches(keyword, 'starts_with', text)).toBe(expected));

  test.each([
    ['HOURS', 'what are your hours?', true],
    ['HOURS', 'hours', true],
    ['HOURS', 'Vouchers please', false],
    ['HOURS', 'hoursly', false],
    ['opening hours', 'what are your opening hours today', true],
    ['opening hours', 'opening the shop, hours later', false], // the words must be consecutive
    ['opening hours', 'hours opening', false],
    ['café', 'un CAFÉ svp', true],
  ])('contains %p against %p: %p', (keyword, text, expected) => expect(matches(keyword, 'contains', text)).toBe(expected));
});

describe('pickKeywordRule chooses one rule', () => {
  test('exact beats starts_with beats contains, whatever their age', () => {
    const contains = rule('price', 'contains');
    const starts = rule('price', 'starts_with');
    const exact = rule('price', 'exact');
    const rules = [contains, starts, exact];
    expect(pickKeywordRule(rules, 'PRICE', SUPPORT)).toBe(exact);
    expect(pickKeywordRule(rules, 'price list', SUPPORT)).toBe(starts);
    expect(pickKeywordRule(rules, 'what is the price', SUPPORT)).toBe(contains);
    expect(pickKeywordRule(rules, 'prices', SUPPORT)).toBeNull();
  });

  test("then the rule of the receiving number beats an all-numbers rule, and another number's rule never applies", () => {
    const all = rule('hours', 'exact');
    const support = rule('hours', 'exact', { virtualNumber: SUPPORT });
    const sales = rule('hours', 'contains', { virtualNumber: SALES });
    expect(pickKeywordRule([all, support, sales], 'hours', SUPPORT)).toBe(support);
    expect(pickKeywordRule([all, support, sales], 'hours', SALES)).toBe(all); // exact (all numbers) beats contains (this number)
    expect(pickKeywordRule([support, sales], 'my hours', SUPPORT)).toBeNull();
    expect(pickKeywordRule([support, sales], 'my hours', SALES)).toBe(sales);
    expect(pickKeywordRule([support], 'hours', '+14155550111')).toBeNull();
  });

  test('then the oldest, then the lowest id; the order of the list does not matter', () => {
    const older = rule('deal', 'contains');
    const newer = rule('today', 'contains');
    expect(pickKeywordRule([newer, older], 'deal today', SUPPORT)).toBe(older);
    const twin = { ...rule('today', 'contains'), createdAt: older.createdAt, id: 'kw_0000' };
    expect(pickKeywordRule([older, newer, twin], 'deal today', SUPPORT)).toBe(twin);
  });

  test('inactive rules are ignored', () => {
    const off = rule('join', 'exact', { active: false });
    const on = rule('join', 'contains');
    expect(pickKeywordRule([off, on], 'JOIN', SUPPORT)).toBe(on);
    expect(pickKeywordRule([off], 'JOIN', SUPPORT)).toBeNull();
  });

  test('no rules, or a text without words, match nothing', () => {
    expect(pickKeywordRule([], 'hours', SUPPORT)).toBeNull();
    expect(pickKeywordRule([rule('hours', 'contains')], '🙂 ?!', SUPPORT)).toBeNull();
  });
});

describe('checkKeyword', () => {
  test('trims and collapses spaces; keeps the spelling', () => {
    expect(checkKeyword('  Opening   Hours ')).toEqual({ ok: true, keyword: 'Opening Hours' });
    expect(checkKeyword('नमस्ते')).toEqual({ ok: true, keyword: 'नमस्ते' });
  });

  test.each(['STOP', 'stop', ' Unsubscribe ', 'START', 'yes', 'UNSTOP', 'end', 'Quit', 'CANCEL', 'stopall', 'ＳＴＯＰ'])(
    '%p is a carrier compliance word, refused',
    (k) => {
      expect(checkKeyword(k)).toMatchObject({ ok: false, compliance: true });
    },
  );

  test.each(['HELP', 'info', 'stop please', 'ended', 'yes please'])('%p may be a rule', (k) => expect(checkKeyword(k).ok).toBe(true));

  test.each([
    ['', 'blank'],
    ['   ', 'blank'],
    ['x'.repeat(51), 'at most 50'],
    ['C++', 'letters, digits and spaces'],
    ['check-in', 'letters, digits and spaces'],
  ])('%p is refused (%s)', (k, reason) => expect(checkKeyword(k)).toMatchObject({ ok: false, reason: expect.stringContaining(reason) }));
});

test('the uniqueness key ignores case and spacing, and tells match types and numbers apart', () => {
  const base = { keyword: 'Opening Hours', matchType: 'exact' as const, virtualNumber: null };
  expect(keywordRuleKey(base)).toBe(keywordRuleKey({ ...base, keyword: 'opening  HOURS' }));
  expect(keywordRuleKey(base)).not.toBe(keywordRuleKey({ ...base, matchType: 'contains' }));
  expect(keywordRuleKey(base)).not.toBe(keywordRuleKey({ ...base, virtualNumber: SUPPORT }));
  expect(keywordRuleKey(base)).not.toBe(keywordRuleKey({ ...base, keyword: 'Opening' }));
});
