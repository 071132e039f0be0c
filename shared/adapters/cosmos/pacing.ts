import type { JSONObject } from '@azure/cosmos';
import type { PaceState, SendLimit } from '../../domain/pacing';
import type { PacingStore } from '../../ports/pacingStore';
import { ConcurrencyError } from '../../ports/stores';
import type { CosmosContext } from './context';
import { fromDoc, hashKey, readDoc, statusOf, toDoc, type Doc } from './internal';

/**
 * Send limits and pacing timelines in the `lookups` container (partition key /id): global records
 * read and written by point operations. A pace state is replaced only with the etag it was read
 * with (IfMatch), which is what makes slot reservation shared across instances.
 */
const limitId = (scope: SendLimit['scope'], key: string): string => `limit:${scope}:${hashKey(key)}`;
const paceId = (key: string): string => `pace:${hashKey(key)}`;

export class CosmosPacingStore implements PacingStore {
  constructor(private readonly ctx: CosmosContext) {}

  async getLimit(scope: SendLimit['scope'], key: string): Promise<SendLimit | null> {
    const doc = await readDoc(this.ctx.lookups, limitId(scope, key), limitId(scope, key));
    return doc ? fromDoc<SendLimit>(doc, ['id', 'docType'], true) : null;
  }

  async putLimit(limit: SendLimit): Promise<SendLimit> {
    const id = limitId(limit.scope, limit.key);
    const { resource } = await this.ctx.lookups.items.upsert<Doc>(toDoc(limit, { id, docType: 'sendLimit' }));
    return { ...limit, etag: String(resource?._etag ?? '') };
  }

  async removeLimit(scope: SendLimit['scope'], key: string): Promise<boolean> {
    const id = limitId(scope, key);
    try {
      await this.ctx.lookups.item(id, id).delete();
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  async getPace(key: string): Promise<PaceState | null> {
    const doc = await readDoc(this.ctx.lookups, paceId(key), paceId(key));
    return doc ? fromDoc<PaceState>(doc, ['id', 'docType'], true) : null;
  }

  async savePace(state: PaceState): Promise<PaceState> {
    const id = paceId(state.key);
    const body: JSONObject = toDoc(state, { id, docType: 'paceState' });
    try {
      const { resource } =
        state.etag === undefined
          ? await this.ctx.lookups.items.create<Doc>(body)
          : await this.ctx.lookups.item(id, id).replace<Doc>(body, { accessCondition: { type: 'IfMatch', condition: state.etag } });
      return { ...state, etag: String(resource?._etag ?? '') };
    } catch (err) {
      const status = statusOf(err);
      if (status === 409 || status === 412 || status === 404) throw new ConcurrencyError(`pace state ${state.key}`);
      throw err;
    }
  }
}
