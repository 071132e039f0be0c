/**
 * How a setting is declared, once: its help text, its default as the README shows it, where it
 * comes from on Azure and how its value is read. Config parsing (config/settings.ts), the Azure
 * settings list (config/azureSettings.ts), the README's configuration table (tests/unit/readme.test.ts)
 * and the carriers' descriptors (adapters/carriers/*) all read these declarations.
 */

/**
 * Where a setting comes from when the service runs on Azure Functions; tests/unit/infra.test.ts
 * holds infra/ to it.
 *  app       a plain app setting, from a Bicep parameter or a resource output
 *  keyVault  a secret: the app setting is a Key Vault reference resolved by the platform
 *  platform  derived on Azure without an app setting (PUBLIC_BASE_URL from WEBSITE_HOSTNAME)
 *  embedded  read only by the embedded host, or a key Azure replaces by managed identity
 */
export type AzureSource = 'app' | 'keyVault' | 'platform' | 'embedded';

export interface Setting<T> {
  /** The README's "Meaning" column. */
  readonly help: string;
  /** The README's "Default" column: the value used when unset, a description in parentheses, or ''. */
  readonly default: string;
  readonly azure: AzureSource;
  /**
   * The value from the environment's `raw` (null when unset or empty). A bad value adds one line to
   * `problems` naming the setting; the value returned then is not used (loadConfig throws).
   */
  read(raw: string | null, name: string, problems: string[]): T;
}

/** The type a declaration reads to: config's fields are typed from it. */
export type SettingValue<S> = S extends Setting<infer T> ? T : never;

/** The problem with a present (or defaulted) value, naming the setting, or null when it is fine. */
export type SettingCheck = (value: string, name: string) => string | null;

interface Described {
  help: string;
  azure: AzureSource;
}

interface TextOptions extends Described {
  check?: SettingCheck;
  /** The value as the service uses it, once checked (e.g. a URL without its trailing slash). */
  normalise?: (value: string) => string;
}

function text(options: TextOptions & { default: string }): Setting<string>;
function text(options: TextOptions & { default?: undefined; shown?: string }): Setting<string | null>;
/**
 * A string. With a default it is never null; without, null when unset, and `shown` is what the
 * README says happens then (e.g. `(generated)`). `check` sees the value or the default.
 */
function text(options: TextOptions & { default?: string; shown?: string }): Setting<string | null> {
  return {
    help: options.help,
    default: options.default ?? options.shown ?? '',
    azure: options.azure,
    read(raw, name, problems) {
      const value = raw ?? options.default ?? null;
      if (value === null) return null;
      const problem = options.check?.(value, name);
      if (problem) problems.push(problem);
      return options.normalise ? options.normalise(value) : value;
    },
  };
}

/** A whole number from min to max. */
function int(options: Described & { default: number; min: number; max: number }): Setting<number> {
  const { min, max } = options;
  return {
    help: options.help,
    default: String(options.default),
    azure: options.azure,
    read(raw, name, problems) {
      const shown = raw ?? String(options.default);
      const n = Number(shown);
      if (!Number.isInteger(n) || n < min || n > max) problems.push(`${name}=${shown} must be a whole number from ${min} to ${max}`);
      return n;
    },
  };
}

/** One of a fixed list of words; the list is the setting's type. */
function oneOf<const V extends readonly string[]>(options: Described & { values: V; default: V[number] }): Setting<V[number]> {
  return {
    help: options.help,
    default: options.default,
    azure: options.azure,
    read(raw, name, problems) {
      const value = raw ?? options.default;
      if (!options.values.includes(value)) problems.push(`${name}=${value} must be one of ${options.values.join(', ')}`);
      return value;
    },
  };
}

/** true or false; null when unset, and `shown` says what the service does then. */
function flag(options: Described & { shown: string }): Setting<boolean | null> {
  return {
    help: options.help,
    default: options.shown,
    azure: options.azure,
    read(raw, name, problems) {
      if (raw === null) return null;
      if (raw !== 'true' && raw !== 'false') problems.push(`${name}=${raw} must be true or false`);
      return raw === 'true';
    },
  };
}

/** The declaration builders: `setting.int({...})`, `setting.oneOf({...})`, `setting.text({...})`, `setting.flag({...})`. */
export const setting = { text, int, oneOf, flag };

export type SettingDeclarations = { readonly [name: string]: Setting<unknown> };
export type SettingValues<S extends SettingDeclarations> = { -readonly [N in keyof S]: SettingValue<S[N]> };

/** Reads every declared setting from `env` (an empty value counts as unset), collecting the problems. */
export function readSettings<S extends SettingDeclarations>(
  declared: S,
  env: Record<string, string | undefined>,
  problems: string[],
): SettingValues<S> {
  const values: Record<string, unknown> = {};
  for (const [name, declaration] of Object.entries(declared)) {
    const raw = env[name];
    values[name] = declaration.read(raw !== undefined && raw !== '' ? raw : null, name, problems);
  }
  // One entry per declared name, each read by its own declaration.
  return values as SettingValues<S>;
}

/** `check` of a URL setting: http or https, with a host. */
export function httpUrl(value: string, name: string): string | null {
  return /^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(value) ? null : `${name}=${value} must be an http(s) URL`;
}

/** `normalise` of a URL setting. */
export function withoutTrailingSlash(value: string): string {
  return value.replace(/\/$/, '');
}
