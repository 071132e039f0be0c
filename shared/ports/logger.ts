export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** Structured logger. Callers must never pass secrets or API keys in fields. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}
