import { httpUrl, setting, withoutTrailingSlash } from '../../../settings/setting';
import { defineCarrier } from '../descriptor';
import { TWILIO_API_BASE_URL } from './twilioApi';

/** Twilio: configured by TWILIO_ACCOUNT_SID. */
export const twilioCarrier = defineCarrier({
  name: 'twilio',
  configuredBy: 'TWILIO_ACCOUNT_SID',
  required: ['TWILIO_AUTH_TOKEN'],
  settings: {
    TWILIO_ACCOUNT_SID: setting.text({
      help: 'Twilio account SID (`AC...`); with TWILIO_AUTH_TOKEN registers the `twilio` carrier.',
      azure: 'app',
      check: (value, name) => (/^AC[0-9a-fA-F]{32}$/.test(value) ? null : `${name} must be AC followed by 32 hex digits`),
    }),
    TWILIO_AUTH_TOKEN: setting.text({
      help: 'Twilio auth token: authenticates API calls and verifies X-Twilio-Signature on callbacks.',
      azure: 'keyVault',
    }),
    TWILIO_MESSAGING_SERVICE_SID: setting.text({
      help: "Optional Messaging Service (`MG...`) to send through instead of the message's From.",
      azure: 'app',
      check: (value, name) => (/^MG[0-9a-fA-F]{32}$/.test(value) ? null : `${name} must be MG followed by 32 hex digits`),
    }),
    TWILIO_API_BASE_URL: setting.text({
      help: 'Twilio REST API base URL (an egress proxy or a test server).',
      azure: 'app',
      default: TWILIO_API_BASE_URL,
      check: httpUrl,
      normalise: withoutTrailingSlash,
    }),
  },
  read: (s) => ({
    accountSid: s.get('TWILIO_ACCOUNT_SID'),
    authToken: s.get('TWILIO_AUTH_TOKEN'),
    messagingServiceSid: s.optional('TWILIO_MESSAGING_SERVICE_SID'),
    apiBaseUrl: s.get('TWILIO_API_BASE_URL'),
  }),
  create(settings, { clock, logger }) {
    // Required here, not imported: the twilio SDK loads only when Twilio is configured.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createTwilioCarrier } = require('./twilioCarrier') as typeof import('./twilioCarrier');
    return createTwilioCarrier({ ...settings, clock, logger });
  },
});
