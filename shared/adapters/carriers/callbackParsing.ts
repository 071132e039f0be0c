import { createHmac, timingSafeEqual } from 'node:crypto';
import { CarrierPayloadError, type CarrierRequest } from '../../ports';

/** Small helpers the carrier adapters share for reading callbacks defensively: bad input is a CarrierPayloadError, never a crash. */

/** The body as JSON; anything that is not an object or array is malformed. */
export function parseJsonBody(raw: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new CarrierPayloadError(`body is not JSON: ${(err as Error).message}`);
  }
  if (!value || typeof value !== 'object') throw new CarrierPayloadError('body must be a JSON object or array');
  return value;
}

/** Query parameters of the URL the carrier called (first value of each name). */
export function queryParams(req: CarrierRequest): Record<string, string> {
  const q = req.url.indexOf('?');
  return q < 0 ? {} : firstValues(new URLSearchParams(req.url.slice(q + 1)));
}

/** An application/x-www-form-urlencoded body as a flat record (first value of each name). */
export function formParams(raw: string): Record<string, string> {
  return firstValues(new URLSearchParams(raw));
}

function firstValues(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (!(k in out)) out[k] = v;
  return out;
}

/**
 * The raw bytes of one query parameter, percent-decoded but not read as UTF-8: Kannel passes
 * message text in the charset the handset used.
 */
export function rawQueryBytes(req: CarrierRequest, name: string): Buffer | null {
  const q = req.url.indexOf('?');
  if (q < 0) return null;
  for (const pair of req.url.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (decodeComponent(key).toString('utf8') !== name) continue;
    return decodeComponent(eq < 0 ? '' : pair.slice(eq + 1));
  }
  return null;
}

function decodeComponent(s: string): Buffer {
  return Buffer.concat(
    s
      .split(/(%[0-9a-fA-F]{2})/)
      .map((part) =>
        /^%[0-9a-fA-F]{2}$/.test(part) ? Buffer.from([parseInt(part.slice(1), 16)]) : Buffer.from(part.replace(/\+/g, ' '), 'utf8'),
      ),
  );
}

/** Reads a field whatever its casing: Event Grid documents both `MessageId` and `messageId`. */
export function field(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** An ISO-8601 UTC time from a carrier timestamp, or the fallback when it is absent; malformed is an error. */
export function isoTime(value: unknown, fallbackMs: number, what: string): string {
  if (value === undefined || value === null || value === '') return new Date(fallbackMs).toISOString();
  const ms = typeof value === 'number' ? value : Date.parse(String(value));
  if (!Number.isFinite(ms)) throw new CarrierPayloadError(`${what} is not a time: ${String(value).slice(0, 40)}`);
  return new Date(ms).toISOString();
}

/**
 * Carriers write numbers with or without the plus (Event Grid `15555555555`, Kannel `0046...`);
 * virtual numbers are stored in E.164, so international digit strings get their `+`. Short codes
 * and alphanumeric senders pass unchanged.
 */
export function toE164(number: string): string {
  const n = number.trim().replace(/[\s()-]/g, '');
  if (/^\+\d{6,15}$/.test(n)) return n;
  if (/^00\d{6,15}$/.test(n)) return `+${n.slice(2)}`;
  if (/^\d{8,15}$/.test(n)) return `+${n}`;
  return number.trim();
}

/** Constant-time string comparison (secrets and signatures). */
export function safeEqual(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function hmacBase64Url(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data).digest('base64url');
}

/** Path of the callback URL, to tell the status route from the inbound one. */
export function callbackKindOf(req: CarrierRequest): 'status' | 'inbound' | null {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  if (path.endsWith('/status')) return 'status';
  if (path.endsWith('/inbound')) return 'inbound';
  return null;
}
