import { httpUrl, setting, withoutTrailingSlash } from '../../../settings/setting';
import { defineCarrier } from '../descriptor';

/** Kannel's smsbox: configured by KANNEL_SENDSMS_URL. */
export const kannelCarrier = defineCarrier({
  name: 'kannel',
  configuredBy: 'KANNEL_SENDSMS_URL',
  required: ['KANNEL_USERNAME', 'KANNEL_PASSWORD', 'KANNEL_CALLBACK_SECRET'],
  settings: {
    KANNEL_SENDSMS_URL: setting.text({
      help: 'smsbox send-sms URL, e.g. `http://kannel:13013/cgi-bin/sendsms`; registers the `kannel` carrier.',
      azure: 'app',
      check: httpUrl,
      normalise: withoutTrailingSlash,
    }),
    KANNEL_USERNAME: setting.text({ help: 'smsbox sendsms-user username; required with KANNEL_SENDSMS_URL.', azure: 'app' }),
    KANNEL_PASSWORD: setting.text({ help: 'smsbox sendsms-user password; required with KANNEL_SENDSMS_URL.', azure: 'keyVault' }),
    KANNEL_CALLBACK_SECRET: setting.text({
      help: 'Signs the dlr-url of each message and authenticates the sms-service URL (`?key=`); required with KANNEL_SENDSMS_URL.',
      azure: 'keyVault',
    }),
    KANNEL_SMSC: setting.text({ help: 'Optional smsc id Kannel routes our messages through.', azure: 'app' }),
    KANNEL_THROUGHPUT: setting.text({
      help: "The SMSC's `throughput` (messages per second, fractions allowed): the default send limit of every sender on Kannel; unset: none.",
      azure: 'app',
      check: (v) => (/^\d+(\.\d+)?$/.test(v) && Number(v) > 0 ? null : 'must be a positive number of messages per second, e.g. 10 or 0.5'),
    }),
  },
  read: (s) => ({
    sendsmsUrl: s.get('KANNEL_SENDSMS_URL'),
    username: s.get('KANNEL_USERNAME'),
    password: s.get('KANNEL_PASSWORD'),
    callbackSecret: s.get('KANNEL_CALLBACK_SECRET'),
    smsc: s.optional('KANNEL_SMSC'),
    throughput: s.optional('KANNEL_THROUGHPUT') === null ? null : Number(s.optional('KANNEL_THROUGHPUT')),
  }),
  create(settings, { http, clock, logger }) {
    // Required here, not imported, like the other carriers (kannel has no SDK, but stays cheap to list).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createKannelCarrier } = require('./kannelCarrier') as typeof import('./kannelCarrier');
    return createKannelCarrier({ ...settings, http, clock, logger });
  },
});
