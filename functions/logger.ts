import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import type { LogFields, Logger } from '../shared/ports/logger';

type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const SEVERITY: Record<Level, SeverityNumber> = {
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
};

/**
 * Field names that may hold a secret. Callers must never log secrets (ports/logger.ts); this is the
 * second line of defence, so a slip shows as `[redacted]` instead of a key in Application Insights.
 */
const SECRET_FIELD = /(key|secret|token|password|authorization|signature|connectionstring|credential)/i;

export function redactFields(fields: LogFields | undefined): LogFields {
  const out: LogFields = {};
  for (const [name, value] of Object.entries(fields ?? {})) {
    if (value === undefined) continue;
    out[name] = SECRET_FIELD.test(name) ? '[redacted]' : value;
  }
  return out;
}

export interface FunctionsLoggerOptions {
  level: Level | 'silent';
  /** Send through OpenTelemetry (Azure Monitor) rather than the console. */
  openTelemetry: boolean;
  /** Console sink, replaceable in tests. */
  write?: (level: Level, line: string) => void;
}

const consoleWrite = (level: Level, line: string): void => {
  // The Functions host collects the worker's console output as its log lines.
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.info(line);
};

/**
 * The runtime's logger inside Azure Functions. With telemetry on, each entry is an OpenTelemetry
 * log record whose fields (messageId, eventId, subscriptionId, queue ...) become attributes, i.e.
 * customDimensions in Application Insights, correlated with the invocation's trace. Otherwise one
 * JSON line per entry on the console.
 */
export function createFunctionsLogger(options: FunctionsLoggerOptions): Logger {
  const min = RANK[options.level];
  const write = options.write ?? consoleWrite;
  const otel = options.openTelemetry ? logs.getLogger('dataflows-sms') : null;
  const log = (level: Level) => (msg: string, fields?: LogFields) => {
    if (RANK[level] < min) return;
    const attributes = redactFields(fields);
    if (otel) {
      otel.emit({ severityNumber: SEVERITY[level], severityText: level.toUpperCase(), body: msg, attributes });
      return;
    }
    write(level, JSON.stringify({ time: new Date().toISOString(), level, msg, ...attributes }));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
