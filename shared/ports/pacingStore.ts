import type { PaceState, SendLimit } from '../domain/pacing';

/**
 * Send limits set by operators and the shared pacing timeline of each sender (domain/pacing.ts).
 * `savePace` is the etag-guarded write every instance reserves slots through.
 */
export interface PacingStore {
  getLimit(scope: SendLimit['scope'], key: string): Promise<SendLimit | null>;
  /** Creates or replaces the limit (last write wins: operators set it). */
  putLimit(limit: SendLimit): Promise<SendLimit>;
  /** False when there was none. */
  removeLimit(scope: SendLimit['scope'], key: string): Promise<boolean>;
  getPace(key: string): Promise<PaceState | null>;
  /**
   * Writes a pace state: a create when it carries no etag (ConcurrencyError when one exists), else a
   * replace of exactly that version (ConcurrencyError when another write came first).
   */
  savePace(state: PaceState): Promise<PaceState>;
}
