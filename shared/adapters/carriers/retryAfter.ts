/**
 * A Retry-After header (delta seconds or an HTTP date) as `retryAfterMs`, or nothing when absent or
 * unreadable. Dates count from `now`.
 */
export function retryAfter(header: string | undefined | null, now = Date.now()): { retryAfterMs?: number } {
  if (!header) return {};
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return { retryAfterMs: Number(trimmed) * 1000 };
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? {} : { retryAfterMs: Math.max(0, at - now) };
}
