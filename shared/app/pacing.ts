import {
  applyThrottle,
  currentFactor,
  newPaceState,
  paceKey,
  reserveSlots,
  type LimitSource,
  type PaceState,
  type SendLimit,
} from '../domain/pacing';
import { ConcurrencyError, type Carrier, type Clock, type DataStore } from '../ports';

/** How long an instance trusts the limits it read; an operator's change reaches the others within this. */
export const LIMIT_CACHE_MS = 5_000;
/** A block of slots covers about this much time, so a busy sender costs ~5 store writes a second. */
const BLOCK_MS = 200;
const MAX_BLOCK_UNITS = 50;
const MAX_RESERVE_TRIES = 50;

/** The limit in force for one sender on one carrier. */
export interface SenderLimit {
  /** Configured units per second; null: unlimited. */
  messagesPerSecond: number | null;
  source: LimitSource;
  countsSegments: boolean;
}

/** Slots this instance reserved and has not handed out yet. */
interface Block {
  cursor: number;
  end: number;
  intervalMs: number;
}

/**
 * Paces sends per sender across every instance: slots come from the sender's shared timeline in the
 * store (an etag-guarded PaceState), reserved a block at a time and handed out here, one per
 * message (or per segment where the carrier counts segments). Throttling answers halve the sender's
 * rate and push its timeline past Retry-After; the rate climbs back step by step (domain/pacing.ts).
 */
export class Pacer {
  private readonly limits = new Map<string, { limit: SendLimit | null; readAt: number }>();
  private readonly blocks = new Map<string, Block>();
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Units this instance handed to each sender's carrier in the last second (the local gate). */
  private readonly recent = new Map<string, { at: number; units: number }[]>();

  constructor(
    private readonly store: DataStore,
    private readonly clock: Clock,
  ) {}

  /** The sender's own limit, else its carrier's operator-set one, else the carrier's published default. */
  async limitOf(carrier: Pick<Carrier, 'name' | 'pacing'>, sender: string): Promise<SenderLimit> {
    const countsSegments = carrier.pacing?.countsSegments ?? false;
    const own = await this.cachedLimit('sender', sender);
    if (own) return { messagesPerSecond: own.messagesPerSecond, source: 'sender', countsSegments };
    const ofCarrier = await this.cachedLimit('carrier', carrier.name);
    if (ofCarrier) return { messagesPerSecond: ofCarrier.messagesPerSecond, source: 'carrier', countsSegments };
    const published = carrier.pacing?.defaultRate(sender) ?? null;
    return { messagesPerSecond: published, source: published === null ? 'none' : 'default', countsSegments };
  }

  /** Drops what this instance remembers of limits (after an operator changed one here). */
  forgetLimits(): void {
    this.limits.clear();
    this.blocks.clear();
  }

  /**
   * The time (epoch ms) this message may be handed to its carrier: now or later, never refused.
   * Null when the sender has no limit.
   */
  async slotFor(carrier: Pick<Carrier, 'name' | 'pacing'>, sender: string, segments: number): Promise<number | null> {
    const limit = await this.limitOf(carrier, sender);
    if (limit.messagesPerSecond === null) return null;
    const rate = limit.messagesPerSecond;
    const units = limit.countsSegments ? Math.max(1, segments) : 1;
    const key = paceKey(carrier.name, sender);
    return this.serially(key, async () => {
      const now = this.clock.now();
      let block = this.blocks.get(key);
      // Slots already past cannot be used later (that would bunch submits): a stale block is dropped.
      if (!block || block.cursor < now || block.cursor + units * block.intervalMs > block.end + 1e-6) {
        block = await this.reserveBlock(key, rate, units);
        this.blocks.set(key, block);
      }
      const slot = block.cursor;
      block.cursor += units * block.intervalMs;
      return slot;
    });
  }

  /**
   * The last check before a submit: tasks that waited for their slots can still come bunched (a
   * busy worker delivers several late at once). Null when this one may go now (it is counted),
   * else the time it may. `now` is the submit's own time (its sentAt). The shared timeline spaces slots; this keeps what one instance actually
   * submits within the limit in every one-second window.
   */
  admit(carrierName: string, sender: string, limit: SenderLimit, segments: number, now: number): number | null {
    if (limit.messagesPerSecond === null) return null;
    const key = paceKey(carrierName, sender);
    const units = limit.countsSegments ? Math.max(1, segments) : 1;
    const capacity = Math.max(units, Math.floor(limit.messagesPerSecond));
    const window = (this.recent.get(key) ?? []).filter((e) => e.at > now - 1000);
    let used = window.reduce((sum, e) => sum + e.units, 0);
    if (used + units <= capacity) {
      window.push({ at: now, units });
      this.recent.set(key, window);
      return null;
    }
    this.recent.set(key, window);
    // Free once enough of the oldest leave the window.
    for (const e of window) {
      used -= e.units;
      if (used + units <= capacity) return e.at + 1000;
    }
    return now + 1000;
  }

  /** The carrier throttled this sender: slow it down (shared), and drop the slots held here. */
  async throttled(carrierName: string, sender: string, retryAfterMs: number | undefined): Promise<void> {
    const key = paceKey(carrierName, sender);
    await this.serially(key, async () => {
      this.blocks.delete(key);
      await this.update(key, (state, now) => applyThrottle(state, now, retryAfterMs));
    });
  }

  /** The sender's timeline as stored (null before its first paced send). */
  paceOf(carrierName: string, sender: string): Promise<PaceState | null> {
    return this.store.pacing.getPace(paceKey(carrierName, sender));
  }

  /** True while the sender's timeline is reserved past now: its waiting messages have tasks due later. */
  async backlogged(carrierName: string, sender: string): Promise<boolean> {
    const state = await this.paceOf(carrierName, sender);
    return state !== null && state.nextSlotAt > this.clock.now();
  }

  private async reserveBlock(key: string, rate: number, units: number): Promise<Block> {
    const blockUnits = Math.max(units, Math.min(MAX_BLOCK_UNITS, Math.floor((rate * BLOCK_MS) / 1000)));
    let out: Block | undefined;
    await this.update(key, (state, now) => {
      const reserved = reserveSlots(state, now, rate * currentFactor(state, now), blockUnits);
      out = { cursor: reserved.start, end: reserved.start + blockUnits * reserved.intervalMs, intervalMs: reserved.intervalMs };
      return reserved.state;
    });
    return out!;
  }

  /** Read, change, write back under the etag; another instance's write in between means try again. */
  private async update(key: string, change: (state: PaceState, now: number) => PaceState): Promise<PaceState> {
    for (let i = 1; ; i++) {
      const now = this.clock.now();
      const state = (await this.store.pacing.getPace(key)) ?? newPaceState(key, now);
      try {
        return await this.store.pacing.savePace(change(state, now));
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || i >= MAX_RESERVE_TRIES) throw err;
      }
    }
  }

  private async cachedLimit(scope: SendLimit['scope'], key: string): Promise<SendLimit | null> {
    const id = `${scope}:${key}`;
    const now = this.clock.now();
    const hit = this.limits.get(id);
    if (hit && now - hit.readAt < LIMIT_CACHE_MS) return hit.limit;
    const limit = await this.store.pacing.getLimit(scope, key);
    this.limits.set(id, { limit, readAt: now });
    return limit;
  }

  /** One reservation per sender at a time in this instance (others meet at the etag). */
  private serially<T>(key: string, step: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(step, step);
    const tail = next.catch(() => undefined);
    this.locks.set(key, tail);
    void tail.then(() => {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    });
    return next;
  }
}
