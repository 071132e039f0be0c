import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * What docs/ARCHITECTURE.md decides for the route modules, checked: a route declares and validates,
 * then calls a use case. Reads go through app/ like writes (a route never touches the store), and
 * the request is read with the types of its schemas (defineRoute), never cast.
 */
const DIR = join(__dirname, '../../shared/http/routes');
const sources = readdirSync(DIR)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ file: f, text: readFileSync(join(DIR, f), 'utf8') }));

const offending = (pattern: RegExp) =>
  sources.flatMap(({ file, text }) =>
    text.split('\n').flatMap((line, i) => (pattern.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );

describe('route modules', () => {
  it('finds the route modules', () => {
    expect(sources.map((s) => s.file)).toEqual(expect.arrayContaining(['messages.ts', 'campaigns.ts', 'hooks.ts', 'index.ts']));
  });

  it('read and write through use cases, never the store', () => {
    expect(offending(/\bdeps\.store\b|\.store\./)).toEqual([]);
  });

  it('read the request with its schema types, without casts or non-null assertions', () => {
    expect(offending(/req\.(body|query)\s+as\b|req\.(body|query|params)\.\w+\s+as\b|req\.params\.\w+!/)).toEqual([]);
  });
});
