import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { SETTINGS } from '../../shared/config/config';
import { routeTable } from '../../shared/http/routes';

const ROOT = join(__dirname, '../..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Markdown without its fenced code blocks, where `[x](y)` is code, not a link. */
const prose = (file: string): string => readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function headingAnchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, text] of prose(file).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = text!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** The relative links of a Markdown file of the repository (path from the root), resolved against its folder. */
function relativeLinks(from: string): { link: string; file: string; anchor?: string }[] {
  const file = join(ROOT, from);
  return [...prose(file).matchAll(/\]\((?!https?:|mailto:)([^)\s]*)\)/g)].map((m) => {
    const [path, anchor] = m[1]!.split('#') as [string, string | undefined];
    return { link: m[1]!, file: path === '' ? file : join(dirname(file), path), anchor };
  });
}

describe('README stays true', () => {
  test("the configuration table is the settings' declarations: every setting, in order, with its default and help", () => {
    // shared/config/settings.ts declares each setting once; this is the table it gives (paste it on a change).
    const expected = Object.entries(SETTINGS).map(([name, s]) => `| \`${name}\` | ${s.default ? `\`${s.default}\`` : ''} | ${s.help} |`);
    const lines = readme.split('\n');
    const start = lines.indexOf('| Setting | Default | Meaning |') + 2;
    const end = lines.indexOf('', start);
    expect(start).toBeGreaterThan(1);
    expect(lines.slice(start, end).join('\n')).toBe(expected.join('\n'));
  });

  test('every relative link of the README and of docs/*.md resolves to a file of the repository, and every anchor to a heading', () => {
    expect(relativeLinks('README.md').map((l) => l.link)).toContain('docs/ARCHITECTURE.md');
    const docs = readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`);
    expect(docs.length).toBeGreaterThan(0);
    for (const from of ['README.md', ...docs]) {
      for (const { link, file, anchor } of relativeLinks(from)) {
        const inside = !relative(ROOT, file).startsWith('..');
        const exists = inside && existsSync(file);
        expect({ from, link, inside, exists }).toEqual({ from, link, inside: true, exists: true });
        if (anchor !== undefined && file.endsWith('.md'))
          expect({ from, link, anchored: headingAnchors(file).has(anchor) }).toEqual({ from, link, anchored: true });
      }
    }
  });

  test('the quick start gives the two commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  test('the API overview has a row for every route family', () => {
    const table = readme.slice(readme.indexOf('## API overview'), readme.indexOf('## How it is built'));
    for (const r of routeTable) {
      const family = r.path
        .split('/')
        .filter(Boolean)
        .slice(0, 2)
        .map((p) => (p.startsWith('{') ? '\\{[^}]+\\}' : p.replace(/[-]/g, '\\-')))
        .join('/');
      expect({ route: r.path, listed: new RegExp(`/${family}`).test(table) }).toEqual({ route: r.path, listed: true });
    }
  });
});
