import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A clone of the repository must stand on its own: no file may read, link or require anything in a
 * folder beside it (the reference material some developers keep next to their checkout).
 */
const root = join(__dirname, '..', '..');
// Built from parts so this file does not match itself.
const outside = new RegExp(['\\.\\.', 'shared', '(reference|guide|seeds)'].join('/'));

test('no tracked file points outside the repository', () => {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !f.startsWith('node_modules/') && !f.endsWith('package-lock.json'));
  const offenders = files.filter((f) => {
    try {
      return outside.test(readFileSync(join(root, f), 'utf8'));
    } catch {
      return false; // deleted in the working tree
    }
  });
  expect(offenders).toEqual([]);
});

test("Microsoft's connector schemas are kept in the repository with their licence", () => {
  const dir = join(root, 'scripts', 'connector', 'schemas');
  expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toMatch(/MIT License[\s\S]*Microsoft/);
  for (const f of ['apiDefinition.swagger.schema.json', 'paconn-apiProperties.schema.json']) {
    expect(readFileSync(join(dir, f), 'utf8').length).toBeGreaterThan(1000);
  }
});
