import fc from 'fast-check';
import { SegmentedMessage } from 'sms-segments-calculator';
import { analyseText, type TextAnalysis } from '../../shared/domain/encoding';

/** What analyseText must return for `text`, according to the reference library. */
function reference(text: string): TextAnalysis {
  const m = new SegmentedMessage(text, 'auto', false);
  return {
    encoding: m.encodingName,
    segments: m.segmentsCount,
    characters: m.numberOfCharacters,
    nonEnglishChars: m.encodingName === 'UCS-2',
  };
}

/** Checks both the hand-worked expectation and the reference, so a wrong expectation shows too. */
function expectAnalysis(text: string, expected: TextAnalysis): void {
  expect(analyseText(text)).toEqual(expected);
  expect(reference(text)).toEqual(expected);
}

const gsm = (segments: number, characters: number): TextAnalysis => ({
  encoding: 'GSM-7',
  segments,
  characters,
  nonEnglishChars: false,
});
const ucs2 = (segments: number, characters: number): TextAnalysis => ({
  encoding: 'UCS-2',
  segments,
  characters,
  nonEnglishChars: true,
});

// Written out independently of the implementation's table (3GPP TS 23.038 default alphabet, as
// sms-segments-calculator has it: no ESC, NBSP or backtick).
const GSM_BASIC = [
  ...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?',
  ...'¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
];
const GSM_EXTENSION = ['€', '[', ']', '{', '}', '^', '~', '|', '\\', '\f'];

describe('analyseText: examples', () => {
  it('counts the empty text as one empty GSM-7 segment', () => {
    expectAnalysis('', gsm(1, 0));
  });

  it('fits 160 plain characters in one segment and splits 161 into 153 + 8', () => {
    expectAnalysis('a'.repeat(160), gsm(1, 160));
    expectAnalysis('a'.repeat(161), gsm(2, 161));
    expectAnalysis('a'.repeat(306), gsm(2, 306));
    expectAnalysis('a'.repeat(307), gsm(3, 307));
  });

  it('keeps accented letters of the GSM alphabet in GSM-7', () => {
    expectAnalysis('Café à Zürich, señor: 5£ or 6¥? Ça va', gsm(1, 37));
    expectAnalysis('ΔΦΓΛΩΠΨΣΘΞ', gsm(1, 10));
  });

  it.each(GSM_EXTENSION)('counts extension character %j as two septets', (ext) => {
    expectAnalysis(ext, gsm(1, 2));
    expectAnalysis('a'.repeat(158) + ext, gsm(1, 160));
    expectAnalysis('a'.repeat(159) + ext, gsm(2, 161));
  });

  it.each(GSM_EXTENSION)('never splits extension character %j across segments', (ext) => {
    // 152 + 2 septets would overflow the 153-septet segment: the character moves whole, so
    // 306 septets (which would fit 2 x 153) need 3 segments.
    expectAnalysis('a'.repeat(152) + ext + 'a'.repeat(152), gsm(3, 306));
    // One septet earlier it fits exactly.
    expectAnalysis('a'.repeat(151) + ext + 'a'.repeat(153), gsm(2, 306));
  });

  it('switches to UCS-2 for any character outside GSM-7', () => {
    expectAnalysis('Hello', gsm(1, 5));
    expectAnalysis('Hellô', ucs2(1, 5));
    expectAnalysis('ç', ucs2(1, 1)); // only the capital Ç is in the GSM alphabet
    expectAnalysis('`', ucs2(1, 1));
    expectAnalysis('price: 5€ [ok] Привет', ucs2(1, 21)); // extension characters count 1 in UCS-2
  });

  it('fits 70 UCS-2 characters in one segment and splits 71 into 67 + 4', () => {
    expectAnalysis('ж'.repeat(70), ucs2(1, 70));
    expectAnalysis('ж'.repeat(71), ucs2(2, 71));
    expectAnalysis('ж'.repeat(134), ucs2(2, 134));
    expectAnalysis('ж'.repeat(135), ucs2(3, 135));
  });

  it('counts an emoji as one character of two units, never split across segments', () => {
    expectAnalysis('😀', ucs2(1, 1));
    expectAnalysis(`${'ж'.repeat(68)}😀`, ucs2(1, 69));
    expectAnalysis(`${'ж'.repeat(69)}😀`, ucs2(2, 70)); // 71 units
    // 66 + 2 units overflow a 67-unit segment: the emoji moves whole, 134 units need 3 segments.
    expectAnalysis(`${'ж'.repeat(66)}😀${'ж'.repeat(66)}`, ucs2(3, 133));
    expectAnalysis(`${'ж'.repeat(65)}😀${'ж'.repeat(67)}`, ucs2(2, 133));
  });

  it('counts grapheme clusters as characters and their code units as size', () => {
    expectAnalysis('👍🏽', ucs2(1, 1));
    expectAnalysis('👨‍👩‍👧', ucs2(1, 1)); // 8 units
    expectAnalysis('🇫🇷🇩🇪', ucs2(1, 2));
    expectAnalysis('e\u0301', ucs2(1, 1));
    // A 10-unit family emoji at the end of 62 units does not fit in the first segment.
    expectAnalysis(`${'ж'.repeat(61)}👩‍👩‍👧‍👦`, ucs2(2, 62));
  });

  it('counts Hindi by grapheme cluster', () => {
    expectAnalysis('फोनन में आपका स्वागत है', ucs2(1, 16)); // 23 code units
    expectAnalysis('फोनन में आपका स्वागत है '.repeat(3), ucs2(2, 51)); // 72 code units
  });

  it('counts CR LF as two characters in both encodings', () => {
    expectAnalysis('a\r\nb', gsm(1, 4));
    expectAnalysis('\r\nж', ucs2(1, 3));
  });

  it('handles lone surrogates like the reference', () => {
    expectAnalysis('\ud83d', ucs2(1, 1));
    expectAnalysis('a\ude00b', ucs2(1, 3));
  });

  it('handles a cluster larger than a segment like the reference', () => {
    expectAnalysis(`${'ж'.repeat(60)}e${'\u0301'.repeat(100)}ж`, ucs2(3, 62));
    expectAnalysis(`e${'\u0301'.repeat(80)}`, ucs2(2, 1));
  });
});

describe('analyseText agrees with sms-segments-calculator', () => {
  it('on every single UTF-16 code unit', () => {
    const mismatches: string[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const text = String.fromCharCode(c);
      const got = analyseText(text);
      const want = reference(text);
      if (got.encoding !== want.encoding || got.segments !== want.segments || got.characters !== want.characters) {
        mismatches.push(`U+${c.toString(16)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  // One code point per grapheme break property (and some astral and lone-surrogate variants):
  // every sequence of up to 3 of them exercises each rule of the cluster splitter.
  const BY_PROPERTY = [
    '\r',
    '\n',
    '\u0001',
    '\u{e0001}',
    '\u0301',
    '\u{e0100}',
    '\u{1f1e6}',
    '\u{1f1fa}',
    '\u0903',
    '\u1100',
    '\u1161',
    '\u11a8',
    '\uac00',
    '\uac01',
    'a',
    '\u4e2d',
    '\u{1f600}',
    '\u0600',
    '\u{110bd}',
    '\u261d',
    '\u{1f44d}',
    '\u{1f3fb}',
    '\u200d',
    '\u2640',
    '\u{1f308}',
    '\u{1f466}',
    '\ud800',
    '\udc00',
  ];

  const mismatchesIn = (texts: Iterable<string>): string[] => {
    const mismatches: string[] = [];
    for (const text of texts) {
      const got = analyseText(text);
      const want = reference(text);
      if (got.encoding !== want.encoding || got.segments !== want.segments || got.characters !== want.characters) {
        mismatches.push(JSON.stringify(text));
      }
    }
    return mismatches;
  };
  function* sequences(alphabet: readonly string[], maxLength: number, prefix = ''): Generator<string> {
    for (const symbol of alphabet) {
      yield prefix + symbol;
      if (maxLength > 1) yield* sequences(alphabet, maxLength - 1, prefix + symbol);
    }
  }

  it('on every sequence of up to 3 grapheme-break classes, astral variants included', () => {
    expect(mismatchesIn(sequences(BY_PROPERTY, 3))).toEqual([]);
  });

  it('on every sequence of 4 grapheme-break classes (one code point each)', () => {
    // grapheme-splitter's quirks need 4: e.g. it breaks "E_Base Extend Extend | E_Modifier" and
    // "Prepend RI Extend | Extend", and analyseText must too.
    const onePerClass = [
      '\r',
      '\n',
      '\u0001',
      '\u0301',
      '\u{1f1e6}',
      '\u0903',
      '\u1100',
      '\u1161',
      '\u11a8',
      '\uac00',
      '\uac01',
      '\u4e2d',
      '\u0600',
      '\u{1f44d}',
      '\u{1f3fb}',
      '\u200d',
      '\u2640',
      '\u{1f466}',
      '\ud800',
      '\udc00',
    ];
    function* ofLength4(): Generator<string> {
      for (const a of onePerClass)
        for (const b of onePerClass) for (const c of onePerClass) for (const d of onePerClass) yield a + b + c + d;
    }
    expect(mismatchesIn(ofLength4())).toEqual([]);
  });

  const gsmBasic = fc.constantFrom(...GSM_BASIC);
  const gsmExtension = fc.constantFrom(...GSM_EXTENSION);
  const emoji = fc.constantFrom(
    '😀',
    '👍',
    '👍🏽',
    '🧑🏿‍🚀',
    '👨‍👩‍👧',
    '👩‍👩‍👧‍👦',
    '👩‍💻',
    '🏳️‍🌈',
    '❤️',
    '1️⃣',
    '🇫🇷',
    '🇫🇷🇩🇪',
    '🇺',
    '🏻',
    '\u{1f466}\u0301\u{1f3fb}',
  );
  const otherScripts = fc.constantFrom(
    'ж',
    'Привет',
    'नमस्ते',
    'फोनन में',
    'स्वागत',
    'क्षि',
    'مرحبا',
    '\u0600\u0661',
    '你好',
    '한국어',
    '\u1100\u1161\u11a8',
    'é',
    'e\u0301',
    'e\u0301\u0302',
    'ç',
    'ô',
    'ğ',
    'ß',
    '`',
    '\u00a0',
    '\u200b',
    '\u200d',
    '\u0903',
    '\r\n',
    '\ud800',
    '\udc00',
  );
  const fragment = fc.oneof(
    { weight: 12, arbitrary: gsmBasic },
    { weight: 3, arbitrary: gsmExtension },
    { weight: 2, arbitrary: emoji },
    { weight: 2, arbitrary: otherScripts },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
  );
  const cap = (s: string): string => s.slice(0, 1600);
  /** Lengths 0-1600; slicing may cut a surrogate pair, which is a valid input too. */
  const mixedText = fc.array(fragment, { maxLength: 1600, size: 'max' }).map((parts) => cap(parts.join('')));
  /** GSM-7 only, so that the extension characters' placement decides the segment count. */
  const gsmText = fc
    .array(fc.oneof({ weight: 6, arbitrary: gsmBasic }, { weight: 1, arbitrary: gsmExtension }), {
      maxLength: 1600,
      size: 'max',
    })
    .map((parts) => parts.join(''));
  /** Filler up to just before a segment boundary, then something two units wide (or more). */
  const atBoundary = fc
    .record({
      filler: fc.constantFrom('a', 'ж', '€'),
      count: fc.constantFrom(66, 67, 68, 69, 70, 131, 132, 133, 134, 151, 152, 153, 158, 159, 160, 303, 304, 305, 306, 458, 459),
      probe: fc.oneof(gsmExtension, emoji, otherScripts),
      tail: fc.array(fragment, { maxLength: 200, size: 'max' }),
    })
    .map(({ filler, count, probe, tail }) => cap(filler.repeat(count) + probe + tail.join('')));
  /**
   * GSM-7 text whose septets add up to just under n full 153-septet segments: one extension
   * character straddling a boundary is then enough to need another segment.
   */
  const gsmNearlyFull = fc
    .record({
      n: fc.integer({ min: 2, max: 10 }),
      slack: fc.integer({ min: 0, max: 2 }),
      chars: fc.array(fc.oneof(gsmBasic, gsmExtension), { minLength: 1600, maxLength: 1600 }),
    })
    .map(({ n, slack, chars }) => {
      const target = n * 153 - slack;
      let text = '';
      let septets = 0;
      for (const ch of chars) {
        const width = GSM_EXTENSION.includes(ch) ? 2 : 1;
        if (septets + width > target) break;
        text += ch;
        septets += width;
      }
      return text + 'a'.repeat(target - septets);
    });
  /** The same for UCS-2: code units adding up to just under n full 67-unit segments. */
  const ucs2NearlyFull = fc
    .record({
      n: fc.integer({ min: 2, max: 10 }),
      slack: fc.integer({ min: 0, max: 2 }),
      clusters: fc.array(fc.oneof(fc.constantFrom('ж', 'ж', '€', 'a'), emoji, otherScripts), { minLength: 700, maxLength: 700 }),
    })
    .map(({ n, slack, clusters }) => {
      const target = n * 67 - slack;
      let text = '';
      for (const cluster of clusters) {
        if (text.length + cluster.length > target) break;
        text += cluster;
      }
      return text + 'ж'.repeat(target - text.length);
    });
  /** Anything at all, lone surrogates included. */
  const anyText = fc.string({ unit: 'binary', maxLength: 400, size: 'max' });

  it('on generated texts (property)', () => {
    fc.assert(
      fc.property(fc.oneof(mixedText, gsmText, atBoundary, gsmNearlyFull, ucs2NearlyFull, anyText), (text) => {
        expect(analyseText(text)).toEqual(reference(text));
      }),
      { numRuns: 500 },
    );
  });
});
