import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../connector/validate';

/**
 * Computes shared/domain/graphemeTable.generated.ts.
 *
 * sms-segments-calculator splits text into grapheme clusters with grapheme-splitter (Unicode 10.0
 * property data plus its own quirks) and counts UCS-2 "characters" as those clusters. To agree with
 * it exactly, domain/encoding.ts carries the same property table: this reads the property of every
 * code point out of the grapheme-splitter that sms-segments-calculator resolves, and renders the
 * run-length table. `npm run gen:graphemes` writes it; tests/unit/graphemeTable.test.ts fails while
 * the committed file differs from what this computes.
 */

export const GENERATED_TABLE_PATH = 'shared/domain/graphemeTable.generated.ts';

/** Table marker for the Hangul syllables block: LV or LVT is computed arithmetically in encoding.ts. */
const HANGUL = 255;
const LV = 9;
const LVT = 10;
const HANGUL_FIRST = 0xac00;
const HANGUL_LAST = 0xd7a3;

interface Splitter {
  /** grapheme-splitter's internal getGraphemeBreakProperty, exposed by the patch below. */
  gbp: (codePoint: number) => number;
}

function loadSplitter(): { gbp: (codePoint: number) => number; version: string; calculatorVersion: string } {
  const require = createRequire(join(repoRoot(), 'package.json'));
  const calculatorManifest = require.resolve('sms-segments-calculator/package.json');
  const fromCalculator = createRequire(calculatorManifest);
  const splitterPath = fromCalculator.resolve('grapheme-splitter');
  const version = (fromCalculator('grapheme-splitter/package.json') as { version: string }).version;
  const calculatorVersion = (require(calculatorManifest) as { version: string }).version;
  const source = readFileSync(splitterPath, 'utf8').replace(/\r/g, '');
  // getGraphemeBreakProperty is a closure inside the constructor: expose it as `this.gbp`.
  const patched = source.replace(
    /\treturn this;\n\}\n\nif \(typeof module/,
    '\tthis.gbp = getGraphemeBreakProperty;\n\treturn this;\n}\n\nif (typeof module',
  );
  if (patched === source) throw new Error('grapheme-splitter layout changed: cannot expose getGraphemeBreakProperty');
  const mod: { exports: unknown } = { exports: {} };
  new Function('module', patched)(mod);
  const GraphemeSplitter = mod.exports as new () => Splitter;
  return { gbp: new GraphemeSplitter().gbp, version, calculatorVersion };
}

/** The full text of the generated module. */
export function graphemeTableSource(): string {
  const { gbp, version, calculatorVersion } = loadSplitter();
  const propertyOf = (cp: number): number => {
    if (cp >= HANGUL_FIRST && cp <= HANGUL_LAST) {
      const expected = (cp - HANGUL_FIRST) % 28 === 0 ? LV : LVT;
      if (gbp(cp) !== expected) throw new Error(`Hangul U+${cp.toString(16)} is not ${expected}`);
      return HANGUL;
    }
    return gbp(cp);
  };
  const runs: Array<[number, number]> = [];
  let current = -1;
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    const property = propertyOf(cp);
    if (property !== current) {
      runs.push([cp, property]);
      current = property;
    }
  }
  const lines: string[] = [];
  for (let i = 0; i < runs.length; i += 8) {
    lines.push(
      `  ${runs
        .slice(i, i + 8)
        .map(([cp, p]) => `0x${cp.toString(16)},${p}`)
        .join(', ')},`,
    );
  }
  return [
    '// GENERATED FILE, do not edit: `npm run gen:graphemes` (scripts/graphemes/cli.ts) writes it from',
    `// grapheme-splitter@${version}, the splitter of sms-segments-calculator@${calculatorVersion}.`,
    '// It is long because it is data: tests/unit/graphemeTable.test.ts fails when it is stale.',
    '',
    '/**',
    ` * Run-length table of grapheme-splitter@${version}'s getGraphemeBreakProperty over U+0000..U+10FFFF`,
    ` * (${runs.length} runs): pairs of (first code point of the run, property); a run lasts until the`,
    ' * next one starts. Properties are numbered as in grapheme-splitter (11 is "Other"); 255 marks the',
    ' * Hangul syllables block, whose LV/LVT property encoding.ts computes.',
    ' */',
    'export const GRAPHEME_BREAK_RUNS: readonly number[] = [',
    ...lines,
    '];',
    '',
  ].join('\n');
}
