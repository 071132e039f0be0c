import { randomBytes } from 'node:crypto';
import type { Clock } from '../../ports/clock';
import type { IdGenerator, IdPrefix } from '../../ports/ids';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32, as ULID

/**
 * ULID-style ids: 10 characters of millisecond time then 16 of randomness, so ids sort by creation
 * time; within one millisecond the random part is incremented to keep them monotonic.
 */
export function createIdGenerator(clock: Clock): IdGenerator {
  let lastMs = -1;
  let lastRandom = new Uint8Array(10);
  return {
    next(prefix: IdPrefix): string {
      const ms = clock.now();
      if (ms === lastMs) increment(lastRandom);
      else {
        lastMs = ms;
        lastRandom = new Uint8Array(randomBytes(10));
      }
      return `${prefix}_${encodeTime(ms)}${encodeRandom(lastRandom)}`;
    },
  };
}

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

function increment(bytes: Uint8Array): void {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i] === 255) bytes[i] = 0;
    else {
      bytes[i]! += 1;
      return;
    }
  }
}
