import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONNECTOR_SETTINGS } from '../../shared/connector/options';
import { connectorScopes } from '../../shared/connector/scopes';
import { routeTable } from '../../shared/http/routes';
import { operations } from './certificationRules';
import { CONNECTOR_DIR, committedDefinition } from './committed';

const readme = readFileSync(join(CONNECTOR_DIR, 'readme.md'), 'utf8');

describe('connector/readme.md', () => {
  test("has the sections of Microsoft's connector readme template", () => {
    for (const heading of [
      '## Publisher: ',
      '## Prerequisites',
      '## Supported Operations',
      '## Obtaining Credentials',
      '## Known Issues and Limitations',
      '## Deployment Instructions',
    ]) {
      expect(readme).toContain(heading);
    }
  });

  test('lists every trigger and visible action of the definition by its summary, and nothing else', () => {
    const section = readme.slice(readme.indexOf('## Supported Operations'), readme.indexOf('## Obtaining Credentials'));
    const listed = [...section.matchAll(/^\| ([^|]+?) \|/gm)].map((m) => m[1]!).filter((s) => !['Trigger', 'Action', '---'].includes(s));
    const visible = operations(committedDefinition())
      .filter((o) => o.op['x-ms-visibility'] !== 'internal')
      .map((o) => String(o.op.summary));
    expect(listed.sort()).toEqual(visible.sort());
  });

  test('names the publisher of apiProperties.json and the paconn command with the two files', () => {
    const props = JSON.parse(readFileSync(join(CONNECTOR_DIR, 'apiProperties.json'), 'utf8')) as { properties: { publisher: string } };
    expect(readme).toContain(`## Publisher: ${props.properties.publisher}`);
    expect(readme).toContain('paconn create --api-def apiDefinition.swagger.json --api-prop apiProperties.json');
  });
});

describe('README: Power Platform connector section', () => {
  const main = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const section = main.slice(main.indexOf('## Power Platform connector'), main.indexOf('## How it is built'));

  test('lists every CONNECTOR_* generation setting with its default', () => {
    for (const [name, s] of Object.entries(CONNECTOR_SETTINGS)) {
      const row = section.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
      expect({ name, row }).toEqual({ name, row: expect.stringContaining(`\`${s.default}\``) });
    }
  });

  test('says how to import (maker portal and paconn create with the two files) and walks through a first flow', () => {
    expect(section).toContain('Import an OpenAPI file');
    expect(section).toContain('paconn create --api-def apiDefinition.swagger.json --api-prop apiProperties.json');
    expect(section).toContain('npm run connector:build');
    expect(section).toContain('A first flow');
  });
});

describe('README: the key scopes the connector needs', () => {
  const main = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  test('are exactly the scopes of the account routes the connector exposes (derived from the route table)', () => {
    const paragraph = main.slice(main.indexOf('**Key scopes.**'), main.indexOf('\n\n', main.indexOf('**Key scopes.**')));
    const listed = [...paragraph.slice(0, paragraph.indexOf('and no')).matchAll(/`([a-z]+:[a-z]+)`/g)].map((m) => m[1]);
    expect(listed.sort()).toEqual(connectorScopes(routeTable).sort());
    expect(listed).not.toContain('keys:manage');
  });
});
