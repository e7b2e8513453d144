// API keys in the `api-keys` index, one document per key (id = key id), fields 1:1 with the
// ApiKey type. Authentication reads a key by realtime GET, so a key is usable, and a revoked one
// refused, as soon as the write returned, on every instance. Create and revoke also pass
// `refresh: 'wait_for'`, so the owner's list shows the change at once; a touch does not (it is
// made while answering another request), so last_used_at reaches the list within a refresh.

import type { ApiKeyStore } from '../../store/contract.ts';
import { newId } from '../../store/ids.ts';
import type { ApiKey } from '../../store/types.ts';
import type { EsContext } from './context.ts';
import { getDoc, searchAll } from './documents.ts';

/** Moves last_used_at forward only: two instances recording uses out of order keep the later. */
const TOUCH = `
  def last = ctx._source.last_used_at;
  if (last == null || last < params.at) { ctx._source.last_used_at = params.at; } else { ctx.op = 'noop'; }`;

export function createApiKeyStore(ctx: EsContext): ApiKeyStore {
  const { client } = ctx;
  const index = ctx.names['api-keys'];

  return {
    async createApiKey(ownerId, { name, secret_hash, expires_at }) {
      const key: ApiKey = { id: newId(), owner_id: ownerId, name, secret_hash, created_at: ctx.clock(), expires_at, last_used_at: null };
      // A plain index on a fresh id: a write retried by the client lands on the same document.
      await client.index({ index, id: key.id, document: key, refresh: 'wait_for' });
      return key;
    },

    async getApiKey(id) {
      return (await getDoc<ApiKey>(ctx, index, id))?.source ?? null;
    },

    async listApiKeys(ownerId) {
      return searchAll<ApiKey>(ctx, index, { term: { owner_id: ownerId } }, [{ created_at: 'asc' }, { id: 'asc' }]);
    },

    async revokeApiKey(ownerId, id) {
      const doc = await getDoc<ApiKey>(ctx, index, id);
      if (!doc || doc.source.owner_id !== ownerId) return false;
      // The owner never changes, so the check above holds for an unconditional delete; not found
      // means a concurrent revoke got there first.
      const deleted = await client.delete({ index, id, refresh: 'wait_for' }, { ignore: [404] });
      return deleted.result === 'deleted';
    },

    async touchApiKey(id, at) {
      // No upsert: a key revoked meanwhile stays revoked (404, ignored).
      await client.update(
        { index, id, script: { lang: 'painless', source: TOUCH, params: { at } }, retry_on_conflict: 3 },
        { ignore: [404] },
      );
    },
  };
}
