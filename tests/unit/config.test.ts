import { ConfigError, loadConfig } from '../../shared/config/config';
import { createIdGenerator } from '../../shared/adapters/runtime/ids';
import { FakeClock } from '../fixtures/fakeClock';

describe('configuration', () => {
  test('defaults give a runnable embedded host', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 7071,
      storage: 'sqlite',
      queue: 'sqlite',
      defaultCarrier: 'simulator',
      simulator: { dlrDelayMs: 500, secret: null },
    });
    expect(c.dataDir.endsWith('.data')).toBe(true);
    expect(c.prices.defaultCurrency).toBe('USD');
    expect(c.prices.tables.USD?.perSegment.default).toBe(500n);
    expect(c.prices.tables.EUR?.perSegment.US).toBe(73n);
  });

  test('price tables: one per currency, PRICE_TABLE for PRICE_CURRENCY, each currency ISO 4217 with a table', () => {
    const c = loadConfig({ PRICE_CURRENCY: 'EUR', PRICE_TABLE: 'default=0.04', PRICE_TABLE_GBP: 'default=0.03,GB=0.02' });
    expect(Object.keys(c.prices.tables).sort()).toEqual(['EUR', 'GBP', 'USD']);
    expect(c.prices.tables.EUR).toEqual({ currency: 'EUR', perSegment: { default: 400n } });
    expect(c.prices.tables.GBP?.perSegment.GB).toBe(200n);
    // PRICE_CURRENCY=EUR alone takes the EUR table, not the USD numbers.
    expect(loadConfig({ PRICE_CURRENCY: 'EUR' }).prices.tables.EUR?.perSegment.US).toBe(73n);
    expect(() => loadConfig({ PRICE_CURRENCY: 'JPY' })).toThrow(/PRICE_CURRENCY=JPY has no price table/);
    expect(() => loadConfig({ PRICE_CURRENCY: 'XYZ', PRICE_TABLE: 'default=1' })).toThrow(/XYZ is not an ISO 4217/);
    expect(() => loadConfig({ PRICE_TABLE_ABC: 'default=1' })).toThrow(/PRICE_TABLE_ABC: ABC is not an ISO 4217/);
    expect(() => loadConfig({ PRICE_TABLE_EUR: 'US=1' })).toThrow(/PRICE_TABLE_EUR: needs a default/);
  });

  test('every problem is reported at once, by setting name', () => {
    expect(() => loadConfig({ PORT: 'abc', STORAGE: 'mongo', PRICE_TABLE: 'US=1', QUEUE: 'servicebus' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'abc', STORAGE: 'mongo', PRICE_TABLE: 'US=1', QUEUE: 'servicebus' });
    } catch (err) {
      const msg = (err as Error).message;
      for (const name of ['PORT=abc', 'STORAGE=mongo', 'PRICE_TABLE', 'QUEUE=servicebus needs']) expect(msg).toContain(name);
    }
  });

  test('a setting left as an unresolved Key Vault reference stops the start, naming the setting', () => {
    // What the Function App sees when the platform cannot resolve a reference: the reference text.
    const reference = '@Microsoft.KeyVault(VaultName=kv-abc;SecretName=admin-api-key)';
    const azure = {
      STORAGE: 'cosmos',
      QUEUE: 'servicebus',
      COSMOS_ENDPOINT: 'https://c.documents.azure.com',
      SERVICEBUS_NAMESPACE: 'sb.servicebus.windows.net',
      SIMULATOR_SECRET: 's3cret',
    };
    expect(() => loadConfig({ ...azure, ADMIN_API_KEY: reference })).toThrow(ConfigError);
    expect(() => loadConfig({ ...azure, ADMIN_API_KEY: reference })).toThrow(/ADMIN_API_KEY is an unresolved Key Vault reference/);
    // Any setting, either reference syntax, any case; the resolved value passes.
    expect(() =>
      loadConfig({
        ...azure,
        ADMIN_API_KEY: 'k',
        TWILIO_AUTH_TOKEN: ' @microsoft.keyvault(SecretUri=https://kv.vault.azure.net/secrets/t/)',
        TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      }),
    ).toThrow(/TWILIO_AUTH_TOKEN is an unresolved Key Vault reference/);
    expect(loadConfig({ ...azure, ADMIN_API_KEY: 'resolved-key' }).adminApiKey).toBe('resolved-key');
  });

  test('cosmos storage needs an endpoint', () => {
    expect(() => loadConfig({ STORAGE: 'cosmos' })).toThrow(/COSMOS_ENDPOINT/);
  });
});

describe('ids', () => {
  test('prefixed, 26 Crockford characters, sortable by time and monotonic within a millisecond', () => {
    const clock = new FakeClock();
    const ids = createIdGenerator(clock);
    const a = ids.next('msg');
    const b = ids.next('msg');
    clock.advance(1);
    const c = ids.next('msg');
    expect(a).toMatch(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a < b && b < c).toBe(true);
    expect(a.slice(4, 14)).toBe(b.slice(4, 14));
  });
});
