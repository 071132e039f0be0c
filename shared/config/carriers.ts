import { createAcsCarrier } from '../adapters/carriers/acs/acsCarrier';
import { createKannelCarrier } from '../adapters/carriers/kannel/kannelCarrier';
import { createTwilioCarrier } from '../adapters/carriers/twilio/twilioCarrier';
import type { Carrier, Clock, HttpClient, Logger } from '../ports';
import type { CarrierSettings } from './config';

/** The real carriers whose settings are present (the simulator is wired by composeApp itself). */
export function createConfiguredCarriers(settings: CarrierSettings, deps: { clock: Clock; http: HttpClient; logger: Logger }): Carrier[] {
  const { clock, http, logger } = deps;
  const carriers: Carrier[] = [];
  if (settings.acs) carriers.push(createAcsCarrier({ ...settings.acs, clock, logger }));
  if (settings.twilio) carriers.push(createTwilioCarrier({ ...settings.twilio, clock, logger }));
  if (settings.kannel) carriers.push(createKannelCarrier({ ...settings.kannel, http, clock, logger }));
  return carriers;
}
