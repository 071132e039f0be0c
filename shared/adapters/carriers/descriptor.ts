import type { Carrier, Clock, HttpClient, Logger } from '../../ports';
import type { Setting } from '../../settings/setting';

/** What the composition gives every carrier it builds. */
export interface CarrierDeps {
  clock: Clock;
  http: HttpClient;
  logger: Logger;
}

/** A carrier setting: a string, null when unset and without default. */
export type CarrierSetting = Setting<string | null>;

/** Reads a carrier's checked settings: `get` for required or defaulted ones, `optional` for the rest. */
export interface CarrierSettingReader<Env extends string> {
  get(name: Env): string;
  optional(name: Env): string | null;
}

/**
 * A real carrier as the composition sees it (the simulator is built into the composition). Its
 * module must stay cheap to import: `create` requires the implementation, and so its SDK, only
 * when the carrier is configured (cold start of the Functions app).
 */
export interface CarrierDescriptor<Name extends string = string, Settings = unknown, Env extends string = string> {
  /** The carrier's name in the API, the callback paths (/api/carriers/{name}/…) and CARRIER_DEFAULT. */
  readonly name: Name;
  /**
   * Its settings by environment name, in the order the README lists them, declared like every other
   * setting (settings/setting.ts: `setting.text`); a secret's `azure` is keyVault.
   */
  readonly settings: { readonly [E in Env]: CarrierSetting };
  /** The setting whose presence configures the carrier; the required ones must then be present too. */
  readonly configuredBy: Env;
  /** Settings needed once the carrier is configured (the configuring one is required by definition). */
  readonly required?: readonly Env[];
  /** The carrier's settings from values already checked, defaulted and normalised. */
  read(values: CarrierSettingReader<Env>): Settings;
  /** Builds the carrier. */
  create(settings: Settings, deps: CarrierDeps): Carrier;
}

/**
 * Keeps the literal name and setting names in the descriptor's type (config derives types from
 * them): the setting names are taken from `settings` alone, the rest is checked against them.
 */
export function defineCarrier<const Name extends string, Settings, Env extends string>(descriptor: {
  name: Name;
  settings: { readonly [E in Env]: CarrierSetting };
  configuredBy: NoInfer<Env>;
  required?: readonly NoInfer<Env>[];
  read(values: CarrierSettingReader<NoInfer<Env>>): Settings;
  create(settings: NoInfer<Settings>, deps: CarrierDeps): Carrier;
}): CarrierDescriptor<Name, Settings, Env> {
  return descriptor;
}
