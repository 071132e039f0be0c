import type { Carrier, Clock, HttpClient, Logger } from '../../ports';

/** What the composition gives every carrier it builds. */
export interface CarrierDeps {
  clock: Clock;
  http: HttpClient;
  logger: Logger;
}

/** One environment setting of a carrier: declared here once, read by config, the Azure list and the README test. */
export interface CarrierSetting {
  /** The README's "Meaning" column. */
  help: string;
  /** Value when unset; none when omitted. */
  default?: string;
  /** Needed once the carrier is configured (the configuring setting is required by definition). */
  required?: boolean;
  /** A secret: kept in Key Vault on Azure and reaches the app as a Key Vault reference. */
  secret?: boolean;
  /** The problem with a present (or defaulted) value, naming the setting, or null when it is fine. */
  check?: (value: string, name: string) => string | null;
  /** The value as the carrier gets it, once checked (e.g. a URL without its trailing slash). */
  normalise?: (value: string) => string;
}

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
  /** Its settings by environment name, in the order the README lists them. */
  readonly settings: { readonly [E in Env]: CarrierSetting };
  /** The setting whose presence configures the carrier; the required ones must then be present too. */
  readonly configuredBy: Env;
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
  read(values: CarrierSettingReader<NoInfer<Env>>): Settings;
  create(settings: NoInfer<Settings>, deps: CarrierDeps): Carrier;
}): CarrierDescriptor<Name, Settings, Env> {
  return descriptor;
}

/** `check` of a URL setting: http or https, with a host. */
export function httpUrl(value: string, name: string): string | null {
  return /^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(value) ? null : `${name}=${value} must be an http(s) URL`;
}

/** `normalise` of a URL setting. */
export function withoutTrailingSlash(value: string): string {
  return value.replace(/\/$/, '');
}
