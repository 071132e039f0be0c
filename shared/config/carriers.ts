import type { Carrier, Clock, HttpClient, Logger } from '../ports';
import type { CarrierSettings } from './config';

/**
 * The real carriers whose settings are present (the simulator is wired by composeApp itself). Each
 * carrier's module, and so its SDK (twilio, @azure/communication-sms), is required only when that
 * carrier is configured: the SDKs take a few hundred milliseconds to load, on every cold start.
 */
export function createConfiguredCarriers(settings: CarrierSettings, deps: { clock: Clock; http: HttpClient; logger: Logger }): Carrier[] {
  const { clock, http, logger } = deps;
  const carriers: Carrier[] = [];
  /* eslint-disable @typescript-eslint/no-require-imports */
  if (settings.acs) {
    const { createAcsCarrier } = require('../adapters/carriers/acs/acsCarrier') as typeof import('../adapters/carriers/acs/acsCarrier');
    carriers.push(createAcsCarrier({ ...settings.acs, clock, logger }));
  }
  if (settings.twilio) {
    const { createTwilioCarrier } = require('../adapters/carriers/twilio/twilioCarrier') as typeof import('../adapters/carriers/twilio/twilioCarrier');
    carriers.push(createTwilioCarrier({ ...settings.twilio, clock, logger }));
  }
  if (settings.kannel) {
    const { createKannelCarrier } = require('../adapters/carriers/kannel/kannelCarrier') as typeof import('../adapters/carriers/kannel/kannelCarrier');
    carriers.push(createKannelCarrier({ ...settings.kannel, http, clock, logger }));
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
  return carriers;
}
