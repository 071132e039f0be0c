import { setting } from '../../../settings/setting';
import { defineCarrier } from '../descriptor';

/** Azure Communication Services: configured by ACS_CONNECTION_STRING. */
export const acsCarrier = defineCarrier({
  name: 'acs',
  configuredBy: 'ACS_CONNECTION_STRING',
  required: ['ACS_EVENTGRID_KEY'],
  settings: {
    ACS_CONNECTION_STRING: setting.text({
      help: 'Azure Communication Services connection string (`endpoint=https://...;accesskey=...`); registers the `acs` carrier.',
      azure: 'keyVault',
      check: (value, name) =>
        /^endpoint=https?:\/\/[^;]+;accesskey=.+$/i.test(value)
          ? null
          : `${name} must look like endpoint=https://<resource>.communication.azure.com/;accesskey=<key>`,
    }),
    ACS_EVENTGRID_KEY: setting.text({
      help: 'Secret Event Grid sends as `?key=` on the ACS callback URLs; required with ACS_CONNECTION_STRING.',
      azure: 'keyVault',
    }),
  },
  read: (s) => ({ connectionString: s.get('ACS_CONNECTION_STRING'), eventGridKey: s.get('ACS_EVENTGRID_KEY') }),
  create(settings, { clock, logger }) {
    // Required here, not imported: @azure/communication-sms loads only when ACS is configured.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createAcsCarrier } = require('./acsCarrier') as typeof import('./acsCarrier');
    return createAcsCarrier({ ...settings, clock, logger });
  },
});
