import { logs, type LogRecord } from '@opentelemetry/api-logs';
import { ConfigError, loadConfig } from '../../shared/config/config';
import { clientAddress } from '../../functions/http';
import { createFunctionsLogger, redactFields } from '../../functions/logger';
import { lazyRuntime } from '../../functions/runtimeProvider';
import { ncrontabEvery } from '../../functions/schedule';
import { startTelemetry } from '../../functions/telemetry';
import type { Runtime } from '../../shared/config/runtime';

const AZURE = {
  STORAGE: 'cosmos',
  QUEUE: 'servicebus',
  COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/',
  SERVICEBUS_NAMESPACE: 'ns.servicebus.windows.net',
  ADMIN_API_KEY: 'admin-key',
  SIMULATOR_SECRET: 'sim-secret',
};

describe('Azure mode settings', () => {
  test('a complete Azure configuration loads', () => {
    const c = loadConfig(AZURE);
    expect(c).toMatchObject({
      storage: 'cosmos',
      queue: 'servicebus',
      cosmos: { key: null, database: 'dataflows-sms' },
      serviceBus: { namespace: 'ns.servicebus.windows.net' },
    });
  });

  test('needs the operator key and the simulator secret from settings, named in the error', () => {
    const { ADMIN_API_KEY: _a, SIMULATOR_SECRET: _s, ...rest } = AZURE;
    void _a;
    void _s;
    expect(() => loadConfig(rest)).toThrow(ConfigError);
    expect(() => loadConfig(rest)).toThrow(/ADMIN_API_KEY[\s\S]*SIMULATOR_SECRET/);
  });

  test('refuses mixing embedded and Azure parts', () => {
    expect(() => loadConfig({ ...AZURE, QUEUE: 'sqlite' })).toThrow(/STORAGE=cosmos with QUEUE=sqlite is not supported/);
    expect(() => loadConfig({ ...AZURE, STORAGE: 'sqlite' })).toThrow(/STORAGE=sqlite with QUEUE=servicebus/);
  });

  test('on App Service the public base URL defaults to the site host; an explicit one wins', () => {
    expect(loadConfig({ ...AZURE, WEBSITE_HOSTNAME: 'func-abc.azurewebsites.net' }).publicBaseUrl).toBe(
      'https://func-abc.azurewebsites.net',
    );
    expect(
      loadConfig({ ...AZURE, WEBSITE_HOSTNAME: 'func-abc.azurewebsites.net', PUBLIC_BASE_URL: 'https://sms.example.com' }).publicBaseUrl,
    ).toBe('https://sms.example.com');
    expect(loadConfig({}).publicBaseUrl).toBeNull();
  });
});

describe('timer schedules (NCRONTAB)', () => {
  test.each([
    [1_000, '*/1 * * * * *'],
    [30_000, '*/30 * * * * *'],
    [60_000, '0 */1 * * * *'],
    [300_000, '0 */5 * * * *'],
    [3_600_000, '0 0 */1 * * *'],
    [21_600_000, '0 0 */6 * * *'],
    [86_400_000, '0 0 0 * * *'],
  ])('every %i ms → %s', (ms, cron) => {
    expect(ncrontabEvery(ms)).toBe(cron);
  });

  test('refuses intervals a timer cannot keep instead of running at another rate', () => {
    for (const ms of [100, 7_000, 90_000, 7 * 3_600_000, 2 * 86_400_000]) expect(() => ncrontabEvery(ms)).toThrow(RangeError);
  });
});

describe('Functions logger', () => {
  test('one JSON line per entry with the ids as fields; secret-looking fields redacted; level filter', () => {
    const lines: [string, string][] = [];
    const logger = createFunctionsLogger({ level: 'info', openTelemetry: false, write: (level, line) => void lines.push([level, line]) });
    logger.debug('hidden', { messageId: 'msg_1' });
    logger.info('delivered', {
      messageId: 'msg_1',
      eventId: 'evt_1',
      subscriptionId: 'sub_1',
      apiKey: 'dfs_x',
      webhookSecret: 'whsec_y',
      authorization: 'Bearer z',
    });
    logger.error('failed', { queue: 'sms-send' });
    expect(lines.map(([level]) => level)).toEqual(['info', 'error']);
    const entry = JSON.parse(lines[0]![1]) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', msg: 'delivered', messageId: 'msg_1', eventId: 'evt_1', subscriptionId: 'sub_1' });
    expect(lines[0]![1]).not.toMatch(/dfs_x|whsec_y|Bearer z/);
    expect(entry.apiKey).toBe('[redacted]');
  });

  test('with telemetry on, entries are OpenTelemetry log records whose fields are attributes', () => {
    const records: LogRecord[] = [];
    logs.setGlobalLoggerProvider({ getLogger: () => ({ enabled: () => true, emit: (record: LogRecord) => void records.push(record) }) });
    try {
      const written: string[] = [];
      const logger = createFunctionsLogger({ level: 'info', openTelemetry: true, write: (_l, line) => void written.push(line) });
      logger.warn('webhook attempt failed', { eventId: 'evt_1', subscriptionId: 'sub_1', signature: 'v1,abc' });
      expect(written).toEqual([]); // not on the console as well
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        body: 'webhook attempt failed',
        severityText: 'WARN',
        attributes: { eventId: 'evt_1', subscriptionId: 'sub_1', signature: '[redacted]' },
      });
    } finally {
      logs.disable();
    }
  });

  test('redactFields keeps ordinary fields and drops undefined', () => {
    expect(redactFields({ messageId: 'm', count: 2, ok: true, nothing: undefined, SIMULATOR_SECRET: 's', connectionString: 'c' })).toEqual({
      messageId: 'm',
      count: 2,
      ok: true,
      SIMULATOR_SECRET: '[redacted]',
      connectionString: '[redacted]',
    });
  });
});

describe('Functions runtime provider and telemetry', () => {
  test('builds the runtime once; a failed build is tried again on the next call', async () => {
    let calls = 0;
    const fake = {} as Runtime;
    const provider = lazyRuntime(async () => {
      calls += 1;
      if (calls === 1) throw new Error('cosmos down');
      return fake;
    });
    await expect(provider()).rejects.toThrow('cosmos down');
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(a).toBe(fake);
    expect(b).toBe(fake);
    expect(calls).toBe(2);
  });

  test('telemetry stays off (and loads nothing) without a connection string', () => {
    expect(startTelemetry({ telemetry: { connectionString: null, authentication: null } })).toBe(false);
    expect(Object.keys(require.cache).some((k) => k.includes('monitor-opentelemetry'))).toBe(false);
  });
});

describe('caller address behind the App Service front end', () => {
  test.each([
    ['198.51.100.7:51234', '198.51.100.7'],
    ['203.0.113.5, 198.51.100.7:51234', '198.51.100.7'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['198.51.100.7', '198.51.100.7'],
  ])('X-Forwarded-For %s → %s (the last entry, the one the front end added)', (header, address) => {
    expect(clientAddress(header)).toBe(address);
  });

  test('none without the header', () => {
    expect(clientAddress(undefined)).toBeUndefined();
    expect(clientAddress('')).toBeUndefined();
  });
});
