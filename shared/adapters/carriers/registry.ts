import { acsCarrier } from './acs/carrier';
import type { CarrierDescriptor } from './descriptor';
import { kannelCarrier } from './kannel/carrier';
import { twilioCarrier } from './twilio/carrier';

/**
 * The real carriers: the one list. Config parsing, CARRIER_DEFAULT's choices, the README's settings
 * table (tests/unit/readme.test.ts) and the Azure settings list all derive from it. A new carrier is
 * a folder here with a `carrier.ts` exporting its descriptor (see descriptor.ts), and one line below;
 * tests/unit/carrierRegistry.test.ts fails for a folder that is not listed, and tests/unit/infra.test.ts
 * names the settings infra/main.bicep must then pass to the Function App.
 */
export const CARRIERS = [acsCarrier, twilioCarrier, kannelCarrier] as const;

/** The same list with the per-carrier types erased, for code that treats every carrier alike. */
// Method parameters are bivariant, so each descriptor is assignable to the general shape.
export const ALL_CARRIERS: readonly CarrierDescriptor[] = CARRIERS;
