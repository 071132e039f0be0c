import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/connector/validate';
import { GENERATED_TABLE_PATH, graphemeTableSource } from '../../scripts/graphemes/graphemeTable';

describe('the generated grapheme break table', () => {
  it('is what scripts/graphemes computes from the installed grapheme-splitter', () => {
    const committed = readFileSync(join(repoRoot(), GENERATED_TABLE_PATH), 'utf8');
    const fresh = graphemeTableSource();
    if (committed !== fresh) {
      throw new Error(`${GENERATED_TABLE_PATH} is stale: run \`npm run gen:graphemes\` and commit the result`);
    }
  });

  it('is a header, then one exported run-length table and nothing hand-written', () => {
    const source = graphemeTableSource();
    expect(source.startsWith('// GENERATED FILE, do not edit: `npm run gen:graphemes`')).toBe(true);
    expect(source).toMatch(/grapheme-splitter@\d+\.\d+\.\d+, the splitter of sms-segments-calculator@\d+\.\d+\.\d+/);
    expect(source).toContain('export const GRAPHEME_BREAK_RUNS: readonly number[] = [');
  });
});
