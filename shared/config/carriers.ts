import type { CarrierDeps, CarrierDescriptor } from '../adapters/carriers/descriptor';
import { ALL_CARRIERS, CARRIERS } from '../adapters/carriers/registry';
import type { Carrier } from '../ports';

/**
 * Everything config knows about the real carriers, derived from their descriptors in
 * adapters/carriers/registry.ts: their settings (for SETTINGS, hence the README table and the
 * Key Vault reference check), how those are parsed, where they come from on Azure, and which
 * carriers to build. Nothing here names a carrier.
 */

type Registered = (typeof CARRIERS)[number];
type SettingsOf<D> = D extends CarrierDescriptor<string, infer S, string> ? S : never;
type EnvOf<D> = D extends CarrierDescriptor<string, unknown, infer E> ? E : never;

/** Each registered carrier's settings, null unless configured. */
export type CarrierSettings = { [D in Registered as D['name']]: SettingsOf<D> | null };
export type CarrierSettingName = EnvOf<Registered>;

/** The carriers' rows of SETTINGS (default and help), in registry order. */
export const CARRIER_SETTINGS = Object.fromEntries(
  ALL_CARRIERS.flatMap((carrier) =>
    Object.entries(carrier.settings).map(([name, s]) => [name, { default: s.default ?? '', help: s.help }]),
  ),
) as { readonly [N in CarrierSettingName]: { readonly default: string; readonly help: string } };

/** Where each carrier setting comes from on Azure: secrets from Key Vault, the rest plain app settings. */
export const CARRIER_AZURE_SOURCES: Record<string, 'app' | 'keyVault'> = Object.fromEntries(
  ALL_CARRIERS.flatMap((carrier) =>
    Object.entries(carrier.settings).map(([name, s]) => [name, s.secret ? 'keyVault' : 'app'] as const),
  ),
);

/**
 * A carrier is configured when its configuring setting is present; then the required ones must be
 * too. Every present value is checked, configured or not, and a problem names the setting.
 */
export function parseCarrierSettings(optional: (name: string) => string | null, problems: string[]): CarrierSettings {
  const parsed: Record<string, unknown> = {};
  for (const carrier of ALL_CARRIERS) parsed[carrier.name] = parseOne(carrier, optional, problems);
  // One entry per registered carrier, each from its own descriptor's `read`.
  return parsed as CarrierSettings;
}

function parseOne(carrier: CarrierDescriptor, optional: (name: string) => string | null, problems: string[]): unknown {
  const values = new Map<string, string | null>();
  let valid = true;
  for (const [name, setting] of Object.entries(carrier.settings)) {
    const value = optional(name) ?? setting.default ?? null;
    if (value !== null && setting.check) {
      const problem = setting.check(value, name);
      if (problem) {
        problems.push(problem);
        valid = false;
      }
    }
    values.set(name, value !== null && setting.normalise ? setting.normalise(value) : value);
  }
  if (values.get(carrier.configuredBy) === null) return null;
  const missing = Object.entries(carrier.settings)
    .filter(([name, s]) => s.required && values.get(name) === null)
    .map(([name]) => name);
  if (missing.length) problems.push(`${carrier.configuredBy} needs ${missing.join(', ')}`);
  if (missing.length || !valid) return null;
  return carrier.read({
    get: (name) => {
      const value = values.get(name);
      if (value === null || value === undefined) throw new Error(`${carrier.name}: setting ${name} is neither required nor defaulted`);
      return value;
    },
    optional: (name) => values.get(name) ?? null,
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
