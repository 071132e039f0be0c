import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_CARRIERS, CARRIERS } from '../../shared/adapters/carriers/registry';
import { AZURE_SETTING_SOURCES } from '../../shared/config/azureSettings';
import { createConfiguredCarriers } from '../../shared/config/carriers';
import { configuredCarrierNames, loadConfig, SETTINGS } from '../../shared/config/config';
import { FakeClock } from '../fixtures/fakeClock';

const root = join(__dirname, '../..');
const carriersDir = join(root, 'shared/adapters/carriers');
/** Built into the composition (it needs the queue and the simulator log), so it has no descriptor. */
const BUILT_IN = ['simulator'];

/** A complete configuration of every registered carrier. */
const EVERY_CARRIER = {
  ACS_CONNECTION_STRING: 'endpoint=https://res.communication.azure.com/;accesskey=a2V5',
  ACS_EVENTGRID_KEY: 'eg',
  TWILIO_ACCOUNT_SID: `AC${'ab'.repeat(16)}`,
  TWILIO_AUTH_TOKEN: 'token',
  KANNEL_SENDSMS_URL: 'http://127.0.0.1:9/cgi-bin/sendsms',
  KANNEL_USERNAME: 'u',
  KANNEL_PASSWORD: 'p',
  KANNEL_CALLBACK_SECRET: 's',
};

const carrierSettingNames = ALL_CARRIERS.flatMap((c) => Object.keys(c.settings));

describe('the carrier registry is the one list of carriers', () => {
  test('every carrier folder is built in or registered, under its own name, from its carrier.ts', () => {
    const folders = readdirSync(carriersDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(folders.filter((f) => !BUILT_IN.includes(f)).sort()).toEqual(ALL_CARRIERS.map((c) => c.name).sort());
    for (const carrier of ALL_CARRIERS) {
      const file = join(carriersDir, carrier.name, 'carrier.ts');
      expect({ carrier: carrier.name, hasCarrierTs: existsSync(file) }).toEqual({ carrier: carrier.name, hasCarrierTs: true });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exported = Object.values(require(file) as Record<string, unknown>);
      expect({ carrier: carrier.name, exportsItsDescriptor: exported.includes(carrier) }).toEqual({
        carrier: carrier.name,
        exportsItsDescriptor: true,
      });
    }
  });

  test('a descriptor is configured by one of its own settings, and no two carriers share a setting', () => {
    for (const carrier of ALL_CARRIERS) expect(Object.keys(carrier.settings)).toContain(carrier.configuredBy);
    expect(new Set(carrierSettingNames).size).toBe(carrierSettingNames.length);
  });

  test("each carrier's settings reach SETTINGS (hence the README table) and the Azure settings list", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
    for (const carrier of ALL_CARRIERS) {
      for (const [name, s] of Object.entries(carrier.settings)) {
        expect({ name, declared: (SETTINGS as Record<string, unknown>)[name] === s }).toEqual({ name, declared: true });
        // A carrier setting is an app setting on Azure, or a Key Vault secret.
        expect({ name, azure: AZURE_SETTING_SOURCES[name] }).toEqual({ name, azure: s.azure });
        expect(['app', 'keyVault']).toContain(s.azure);
        expect({ name, readmeRow: readme.some((l) => l.startsWith(`| \`${name}\` |`)) }).toEqual({ name, readmeRow: true });
      }
    }
  });

  test('config and the Functions app name no carrier and no carrier setting: they read the registry', () => {
    const sources = [
      ...readdirSync(join(root, 'shared/config')).map((f) => join('shared/config', f)),
      ...readdirSync(join(root, 'functions')).map((f) => join('functions', f)),
    ].filter((f) => f.endsWith('.ts'));
    const named = sources.flatMap((file) => {
      const text = readFileSync(join(root, file), 'utf8');
      const words = [...ALL_CARRIERS.map((c) => `'${c.name}'`), ...carrierSettingNames];
      return words.filter((w) => text.includes(w)).map((w) => `${file}: ${w}`);
    });
    expect(named).toEqual([]);
  });

  test('a configured carrier is built by its own descriptor, under its name', () => {
    const config = loadConfig(EVERY_CARRIER);
    expect(configuredCarrierNames(config.carriers)).toEqual(['simulator', ...CARRIERS.map((c) => c.name)]);
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    const http = { request: () => Promise.reject(new Error('no network in this test')) };
    const built = createConfiguredCarriers(config.carriers, { clock: new FakeClock(), http, logger });
    expect(built.map((c) => c.name)).toEqual(CARRIERS.map((c) => c.name));
  });
});
