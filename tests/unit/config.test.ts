import { ConfigError, loadConfig } from '../../shared/config/config';
import { createIdGenerator } from '../../shared/adapters/runtime/ids';
import { FakeClock } from '../fixtures/fakeClock';

describe('configuration', () => {
  test('defaults give a runnable embedded host', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 7071, storage: 'sqlite', queue: 'sqlite', defaultCarrier: 'simulator', simulator: { dlrDelayMs: 500, secret: null } });
    expect(c.dataDir.endsWith('.data')).toBe(true);
    expect(c.prices.perSegment.default).toBe(500);
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
