import { defineCarrier, httpUrl, withoutTrailingSlash } from '../descriptor';
import { TWILIO_API_BASE_URL } from './twilioApi';

/** Twilio: configured by TWILIO_ACCOUNT_SID. */
export const twilioCarrier = defineCarrier({
  name: 'twilio',
  configuredBy: 'TWILIO_ACCOUNT_SID',
  settings: {
    TWILIO_ACCOUNT_SID: {
      help: 'Twilio account SID (`AC...`); with TWILIO_AUTH_TOKEN registers the `twilio` carrier.',
      check: (value, name) => (/^AC[0-9a-fA-F]{32}$/.test(value) ? null : `${name} must be AC followed by 32 hex digits`),
    },
    TWILIO_AUTH_TOKEN: {
      help: 'Twilio auth token: authenticates API calls and verifies X-Twilio-Signature on callbacks.',
      required: true,
      secret: true,
    },
    TWILIO_MESSAGING_SERVICE_SID: {
      help: "Optional Messaging Service (`MG...`) to send through instead of the message's From.",
      check: (value, name) => (/^MG[0-9a-fA-F]{32}$/.test(value) ? null : `${name} must be MG followed by 32 hex digits`),
    },
    TWILIO_API_BASE_URL: {
      help: 'Twilio REST API base URL (an egress proxy or a test server).',
      default: TWILIO_API_BASE_URL,
      check: httpUrl,
      normalise: withoutTrailingSlash,
    },
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
