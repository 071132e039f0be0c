import type { CarrierDeps, CarrierDescriptor, CarrierSetting } from '../adapters/carriers/descriptor';
import { ALL_CARRIERS, type CARRIERS } from '../adapters/carriers/registry';
import type { Carrier } from '../ports';

/**
 * Everything config knows about the real carriers, derived from their descriptors in
 * adapters/carriers/registry.ts: their settings' declarations (part of SETTINGS, hence parsing, the
 * README table, the Azure settings list and the Key Vault reference check), which carriers they
 * configure, and which carriers to build. Nothing here names a carrier.
 */

type Registered = (typeof CARRIERS)[number];
type SettingsOf<D> = D extends CarrierDescriptor<string, infer S, string> ? S : never;
type EnvOf<D> = D extends CarrierDescriptor<string, unknown, infer E> ? E : never;

/** Each registered carrier's settings, null unless configured. */
export type CarrierSettings = { [D in Registered as D['name']]: SettingsOf<D> | null };
export type CarrierSettingName = EnvOf<Registered>;

/** The carriers' declarations in SETTINGS, in registry order. */
export const CARRIER_SETTINGS = Object.fromEntries(ALL_CARRIERS.flatMap((carrier) => Object.entries(carrier.settings))) as {
  readonly [N in CarrierSettingName]: CarrierSetting;
};

/**
 * A carrier is configured when its configuring setting is present; then the required ones must be
 * too. `values` are the settings as read (checked, defaulted, normalised: every present value is
 * checked, configured or not, and a problem names the setting).
 */
export function parseCarrierSettings(values: Readonly<Record<CarrierSettingName, string | null>>, problems: string[]): CarrierSettings {
  const parsed: Record<string, unknown> = {};
  for (const carrier of ALL_CARRIERS) parsed[carrier.name] = parseOne(carrier, values, problems);
  // One entry per registered carrier, each from its own descriptor's `read`.
  return parsed as CarrierSettings;
}

function parseOne(carrier: CarrierDescriptor, values: Readonly<Record<string, string | null>>, problems: string[]): unknown {
  if (values[carrier.configuredBy] === null) return null;
  const missing = (carrier.required ?? []).filter((name) => values[name] === null);
  if (missing.length) {
    problems.push(`${carrier.configuredBy} needs ${missing.join(', ')}`);
    return null;
  }
  return carrier.read({
    get: (name) => {
      const value = values[name];
      if (value === null || value === undefined) throw new Error(`${carrier.name}: setting ${name} is neither required nor defaulted`);
      return value;
    },
    optional: (name) => values[name] ?? null,
  });
}

/** Names of the carriers these settings register; the simulator is always there. */
export function configuredCarrierNames(settings: CarrierSettings): string[] {
  const byName: Record<string, unknown> = settings;
  return ['simulator', ...ALL_CARRIERS.filter((c) => byName[c.name] !== null).map((c) => c.name)];
}

/**
 * The real carriers whose settings are present (the simulator is wired by composeApp itself). Each
 * descriptor requires its carrier's module, and so its SDK (twilio, @azure/communication-sms), only
 * in `create`: the SDKs take a few hundred milliseconds to load, on every cold start.
 */
export function createConfiguredCarriers(settings: CarrierSettings, deps: CarrierDeps): Carrier[] {
  const byName: Record<string, unknown> = settings;
  const carriers: Carrier[] = [];
  for (const carrier of ALL_CARRIERS) {
    const own = byName[carrier.name];
    if (own !== null && own !== undefined) carriers.push(carrier.create(own, deps));
  }
  return carriers;
}
