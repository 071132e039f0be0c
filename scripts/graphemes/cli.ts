import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../connector/validate';
import { GENERATED_TABLE_PATH, graphemeTableSource } from './graphemeTable';

/** `npm run gen:graphemes` (node dist/scripts/graphemes/cli.js): rewrites the grapheme table. */
const file = join(repoRoot(), GENERATED_TABLE_PATH);
const next = graphemeTableSource();
let previous: string | undefined;
try {
  previous = readFileSync(file, 'utf8');
} catch {
  previous = undefined;
}
if (previous === next) {
  console.log(`${GENERATED_TABLE_PATH}: up to date`);
} else {
  writeFileSync(file, next);
  console.log(`${GENERATED_TABLE_PATH}: written`);
}
