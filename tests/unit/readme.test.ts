import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS } from '../../shared/config/config';
import { routeTable } from '../../shared/http/routes';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');

describe('README stays true', () => {
  test('the configuration table is the settings\' declarations: every setting, in order, with its default and help', () => {
    // shared/config/settings.ts declares each setting once; this is the table it gives (paste it on a change).
    const expected = Object.entries(SETTINGS).map(([name, s]) => `| \`${name}\` | ${s.default ? `\`${s.default}\`` : ''} | ${s.help} |`);
    const lines = readme.split('\n');
    const start = lines.indexOf('| Setting | Default | Meaning |') + 2;
    const end = lines.indexOf('', start);
    expect(start).toBeGreaterThan(1);
    expect(lines.slice(start, end).join('\n')).toBe(expected.join('\n'));
  });

  test('every relative link resolves to a file of the repository, the architecture document among them', () => {
    const links = [...readme.matchAll(/\]\((?!https?:|#|mailto:)([^)#\s]+)/g)].map((m) => m[1]!);
    expect(links).toContain('docs/ARCHITECTURE.md');
    for (const link of links) expect({ link, exists: existsSync(join(__dirname, '../..', link)) }).toEqual({ link, exists: true });
  });

  test('the quick start gives the two commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  test('the API overview has a row for every route family', () => {
    const table = readme.slice(readme.indexOf('## API overview'), readme.indexOf('## How it is built'));
    for (const r of routeTable) {
      const family = r.path.split('/').filter(Boolean).slice(0, 2).map((p) => (p.startsWith('{') ? '\\{[^}]+\\}' : p.replace(/[-]/g, '\\-'))).join('/');
      expect({ route: r.path, listed: new RegExp(`/${family}`).test(table) }).toEqual({ route: r.path, listed: true });
    }
  });
});
