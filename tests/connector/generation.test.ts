import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { routeTable } from '../../shared/http/routes';
import { connectorRoutes } from '../../shared/connector/apiDefinition';
import { generateConnector } from '../../shared/connector/generate';
import { CONNECTOR } from '../../shared/connector/metadata';
import { connectorOptionsFromEnv, ConnectorOptionsError } from '../../shared/connector/options';
import { eventCatalog } from '../../shared/webhooks/catalog';
import { buildConnectorFiles, checkConnectorFiles } from '../../scripts/connector/files';
import { operations } from './certificationRules';
import { CONNECTOR_DIR, committedDefinition } from './committed';

describe('connector generation', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'dfs-connector-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  test('the committed files are exactly what a fresh generation produces (run npm run connector:build when this fails)', async () => {
    expect(await checkConnectorFiles(CONNECTOR_DIR)).toEqual([]);
  });

  test('the check fails when a committed file differs from a fresh generation or is missing', async () => {
    cpSync(CONNECTOR_DIR, tmp, { recursive: true });
    const file = join(tmp, 'apiDefinition.swagger.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"Send an SMS"', '"Send a text"'));
    rmSync(join(tmp, 'icon.png'));
    const problems = await checkConnectorFiles(tmp);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/apiDefinition\.swagger\.json differs/),
        expect.stringMatching(/icon\.png is missing/),
      ]),
    );
  });

  test('connector:build writes all files into an empty folder, and a second build changes nothing', async () => {
    const first = await buildConnectorFiles(tmp);
    expect(first.problems).toEqual([]);
    expect(first.written.sort()).toEqual(['apiDefinition.swagger.json', 'apiProperties.json', 'icon.png', 'operations.lock.json']);
    expect((await buildConnectorFiles(tmp)).written).toEqual([]);
    expect(await checkConnectorFiles(tmp)).toEqual([]);
  });

  test('host, basePath and schemes come from CONNECTOR_* settings at generation time', () => {
    const { apiDefinition } = generateConnector(
      connectorOptionsFromEnv({ CONNECTOR_HOST: 'sms.contoso.com:8443', CONNECTOR_BASE_PATH: '/sms/api/', CONNECTOR_SCHEMES: 'https' }),
    );
    expect(apiDefinition).toMatchObject({ host: 'sms.contoso.com:8443', basePath: '/sms/api', schemes: ['https'] });
    const defaults = generateConnector(connectorOptionsFromEnv({})).apiDefinition;
    expect(defaults).toMatchObject({ host: 'dataflows-sms.azurewebsites.net', basePath: '/api', schemes: ['https'] });
  });

  test('bad CONNECTOR_* settings are refused, each named', () => {
    expect(() => connectorOptionsFromEnv({ CONNECTOR_HOST: 'https://x.com/api', CONNECTOR_SCHEMES: 'ftp' })).toThrow(ConnectorOptionsError);
    try {
      connectorOptionsFromEnv({ CONNECTOR_HOST: 'https://x.com/api', CONNECTOR_SCHEMES: 'ftp' });
    } catch (err) {
      expect((err as Error).message).toMatch(/CONNECTOR_HOST=https:\/\/x\.com\/api/);
      expect((err as Error).message).toMatch(/CONNECTOR_SCHEMES=ftp/);
    }
  });

  test('every account route with connector metadata is an operation, and no operator, carrier or open route is', () => {
    const ids = operations(committedDefinition())
      .map((o) => o.id)
      .sort();
    expect(ids).toEqual(
      connectorRoutes(routeTable)
        .map((r) => r.operationId)
        .sort(),
    );
    for (const r of routeTable.filter((r) => r.auth !== 'account')) expect(ids).not.toContain(r.operationId);
  });

  test('all 17 triggers of the event catalog are in the definition', () => {
    const triggers = operations(committedDefinition()).filter((o) => o.op['x-ms-trigger']);
    expect(eventCatalog).toHaveLength(17);
    expect(triggers.map((o) => o.id).sort()).toEqual(eventCatalog.map((d) => d.operationId).sort());
  });

  test('the actions the issue names are there, with from as a dropdown of approved sender IDs and sendAt', () => {
    const ids = operations(committedDefinition()).map((o) => o.id);
    for (const id of [
      'SendSms',
      'GetMessage',
      'ListMessages',
      'CancelScheduledMessage',
      'GetBalance',
      'ListVirtualNumbers',
      'RequestSenderId',
      'GetAccount',
    ])
      expect(ids).toContain(id);
    const send = operations(committedDefinition()).find((o) => o.id === 'SendSms')!;
    const body = (send.op.parameters as Record<string, any>[]).find((p) => p.in === 'body')!;
    expect(body.schema.properties.from['x-ms-dynamic-values']).toMatchObject({ operationId: 'ListSenderIdValues' });
    expect(body.schema.properties.sendAt).toMatchObject({ type: 'string', format: 'date-time' });
    expect(committedDefinition()['x-ms-capabilities']).toEqual({ testConnection: { operationId: 'GetAccount', parameters: {} } });
  });

  test('the icon is a 230 x 230 PNG whose background is the iconBrandColor', () => {
    const png = readFileSync(join(CONNECTOR_DIR, 'icon.png'));
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([230, 230]);
    expect(png.length).toBeLessThan(1024 * 1024);
    // First pixel of the first scanline (after its filter byte) of the inflated image data.
    const idat = png.subarray(png.indexOf('IDAT') + 4, png.indexOf('IEND') - 8);
    const raw = inflateSync(idat);
    const hex = `#${[raw[1]!, raw[2]!, raw[3]!].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    expect(hex.toLowerCase()).toBe(CONNECTOR.iconBrandColor.toLowerCase());
  });
});
