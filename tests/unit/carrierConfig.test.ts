import { ConfigError, configuredCarrierNames, loadConfig } from '../../shared/config/config';

const TWILIO = { TWILIO_ACCOUNT_SID: `AC${'ab'.repeat(16)}`, TWILIO_AUTH_TOKEN: 'token' };
const ACS = { ACS_CONNECTION_STRING: 'endpoint=https://res.communication.azure.com/;accesskey=a2V5', ACS_EVENTGRID_KEY: 'eg' };
const KANNEL = {
  KANNEL_SENDSMS_URL: 'http://kannel:13013/cgi-bin/sendsms',
  KANNEL_USERNAME: 'u',
  KANNEL_PASSWORD: 'p',
  KANNEL_CALLBACK_SECRET: 's',
};

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '';
}

describe('carrier settings', () => {
  test('no carrier settings: only the simulator, which is the default', () => {
    const c = loadConfig({});
    expect(c.carriers).toEqual({ acs: null, twilio: null, kannel: null });
    expect(configuredCarrierNames(c.carriers)).toEqual(['simulator']);
  });

  test('each carrier is configured by its settings, and may then be the default', () => {
    const c = loadConfig({
      ...ACS,
      ...TWILIO,
      ...KANNEL,
      TWILIO_MESSAGING_SERVICE_SID: `MG${'cd'.repeat(16)}`,
      KANNEL_SMSC: 'smpp1',
      CARRIER_DEFAULT: 'kannel',
    });
    expect(configuredCarrierNames(c.carriers)).toEqual(['simulator', 'acs', 'twilio', 'kannel']);
    expect(c.defaultCarrier).toBe('kannel');
    expect(c.carriers.twilio).toEqual({
      accountSid: TWILIO.TWILIO_ACCOUNT_SID,
      authToken: 'token',
      messagingServiceSid: `MG${'cd'.repeat(16)}`,
      apiBaseUrl: 'https://api.twilio.com',
    });
    expect(c.carriers.kannel).toMatchObject({ sendsmsUrl: KANNEL.KANNEL_SENDSMS_URL, smsc: 'smpp1' });
  });

  test('a default carrier that is not configured stops the start', () => {
    expect(problemsOf({ CARRIER_DEFAULT: 'twilio' })).toContain('CARRIER_DEFAULT=twilio must name a configured carrier: simulator');
  });

  test('half a configuration names what is missing, and malformed values are refused', () => {
    const msg = problemsOf({
      ACS_CONNECTION_STRING: 'https://res.communication.azure.com',
      TWILIO_ACCOUNT_SID: 'AC123',
      TWILIO_API_BASE_URL: 'ftp://nope',
      KANNEL_SENDSMS_URL: 'http://kannel:13013/cgi-bin/sendsms',
    });
    expect(msg).toContain('ACS_CONNECTION_STRING must look like endpoint=');
    expect(msg).toContain('ACS_CONNECTION_STRING needs ACS_EVENTGRID_KEY');
    expect(msg).toContain('TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits');
    expect(msg).toContain('TWILIO_ACCOUNT_SID needs TWILIO_AUTH_TOKEN');
    expect(msg).toContain('KANNEL_SENDSMS_URL needs KANNEL_USERNAME, KANNEL_PASSWORD, KANNEL_CALLBACK_SECRET');
    expect(problemsOf({ ...TWILIO, TWILIO_API_BASE_URL: 'ftp://nope' })).toContain('TWILIO_API_BASE_URL=ftp://nope must be an http(s) URL');
  });

  test('a present value is checked even while its carrier is not configured', () => {
    expect(problemsOf({ TWILIO_API_BASE_URL: 'ftp://nope' })).toContain('TWILIO_API_BASE_URL=ftp://nope must be an http(s) URL');
    expect(problemsOf({ TWILIO_MESSAGING_SERVICE_SID: 'MG1' })).toContain(
      'TWILIO_MESSAGING_SERVICE_SID must be MG followed by 32 hex digits',
    );
  });

  test('URL settings reach the carrier without their trailing slash', () => {
    const c = loadConfig({
      ...TWILIO,
      ...KANNEL,
      TWILIO_API_BASE_URL: 'http://127.0.0.1:9/',
      KANNEL_SENDSMS_URL: 'http://kannel:13013/cgi-bin/sendsms/',
    });
    expect(c.carriers.twilio?.apiBaseUrl).toBe('http://127.0.0.1:9');
    expect(c.carriers.kannel?.sendsmsUrl).toBe('http://kannel:13013/cgi-bin/sendsms');
  });
});
