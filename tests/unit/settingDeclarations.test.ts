import { readSettings, setting, type SettingValues } from '../../shared/settings/setting';

/** A table declared like SETTINGS, read like loadConfig reads it. */
const DECLARED = {
  SIZE: setting.int({ default: 10, min: 1, max: 100, azure: 'app', help: 'A size.' }),
  MODE: setting.oneOf({ values: ['fast', 'safe'], default: 'safe', azure: 'app', help: 'A mode.' }),
  NAME: setting.text({ default: 'n', azure: 'embedded', help: 'A name.' }),
  URL: setting.text({
    shown: '(derived)',
    azure: 'platform',
    help: 'A URL.',
    check: (value, name) => (value.startsWith('https://') ? null : `${name}=${value} must be https`),
    normalise: (value) => value.replace(/\/$/, ''),
  }),
  ON: setting.flag({ shown: '(depends)', azure: 'app', help: 'A switch.' }),
} as const;

function read(env: Record<string, string>): { values: SettingValues<typeof DECLARED>; problems: string[] } {
  const problems: string[] = [];
  return { values: readSettings(DECLARED, env, problems), problems };
}

describe('setting declarations', () => {
  test('unset or empty settings take their defaults; the README default column is the declared one', () => {
    expect(read({ NAME: '' })).toEqual({ values: { SIZE: 10, MODE: 'safe', NAME: 'n', URL: null, ON: null }, problems: [] });
    expect(Object.fromEntries(Object.entries(DECLARED).map(([n, s]) => [n, s.default]))).toEqual({
      SIZE: '10',
      MODE: 'safe',
      NAME: 'n',
      URL: '(derived)',
      ON: '(depends)',
    });
  });

  test('present values are read to their declared type, checked and normalised', () => {
    const { values, problems } = read({ SIZE: '100', MODE: 'fast', URL: 'https://a.example/', ON: 'false' });
    expect(problems).toEqual([]);
    expect(values).toEqual({ SIZE: 100, MODE: 'fast', NAME: 'n', URL: 'https://a.example', ON: false });
    // The type follows the declaration: MODE is 'fast' | 'safe', ON boolean | null.
    const mode: 'fast' | 'safe' = values.MODE;
    const on: boolean | null = values.ON;
    expect([mode, on]).toEqual(['fast', false]);
  });

  test('every bad value is one problem line naming the setting, in declaration order', () => {
    expect(read({ SIZE: '0', MODE: 'slow', URL: 'http://a', ON: 'yes' }).problems).toEqual([
      'SIZE=0 must be a whole number from 1 to 100',
      'MODE=slow must be one of fast, safe',
      'URL=http://a must be https',
      'ON=yes must be true or false',
    ]);
    expect(read({ SIZE: '2.5' }).problems).toEqual(['SIZE=2.5 must be a whole number from 1 to 100']);
  });
});
