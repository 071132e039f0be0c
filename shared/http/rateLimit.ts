import type { Clock } from '../ports';

/**
 * Token buckets per key (account id, or source address for carrier callbacks and failed
 * authentication), kept in memory: each key may make `perMinute` requests in a burst and then
 * `perMinute` a minute. Per process: with several Azure Functions instances each applies its own limit.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one token: 0 when allowed, otherwise the milliseconds until one is available. */
  take(key: string): number {
    if (this.perMinute <= 0) return 0;
    const now = this.clock.now();
    const perMs = this.perMinute / 60_000;
    let b = this.buckets.get(key);
    if (!b) {
      // Bounded memory: forgetting every bucket only ever gives callers a fresh allowance.
      if (this.buckets.size >= this.maxKeys) this.buckets.clear();
      b = { tokens: this.perMinute, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.perMinute, b.tokens + Math.max(0, now - b.at) * perMs);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / perMs);
  }
}
