// Records when an API key was last used without a write per request: a use is written only when
// the stored last_used_at (read anyway to authenticate) is a minute old or more, and only once
// per minute per key from this process, however many requests arrive together. So a key busy
// on n API instances costs at most n writes a minute, and last_used_at is exact to a minute.
// The memory of recent writes is bounded (least recently used key forgotten first). A failed
// write is logged (the key's id, never the key) and does not fail the request it belongs to.

import type { Logger } from 'pino';
import type { ApiKeyStore } from '../../store/contract.ts';
import type { ApiKey } from '../../store/types.ts';

export const LAST_USED_EVERY_MS = 60_000;
const MAX_REMEMBERED = 10_000;

export type LastUsedRecorder = { record(key: ApiKey, now: number): Promise<void> };

export function createLastUsedRecorder(opts: {
  store: Pick<ApiKeyStore, 'touchApiKey'>;
  log: Logger;
  everyMs?: number;
  maxRemembered?: number;
}): LastUsedRecorder {
  const everyMs = opts.everyMs ?? LAST_USED_EVERY_MS;
  const maxRemembered = opts.maxRemembered ?? MAX_REMEMBERED;
  /** Key id → when this process last wrote its use; Map order is least recently written first. */
  const written = new Map<string, number>();
  return {
    async record(key, now) {
      if (key.last_used_at !== null && now - key.last_used_at < everyMs) return;
      const mine = written.get(key.id);
      if (mine !== undefined && now - mine < everyMs) return;
      // Remembered before the write, so that requests arriving meanwhile do not write too.
      written.delete(key.id);
      if (written.size >= maxRemembered) {
        const oldest = written.keys().next();
        if (!oldest.done) written.delete(oldest.value);
      }
      written.set(key.id, now);
      try {
        await opts.store.touchApiKey(key.id, now);
      } catch (error) {
        opts.log.warn({ err: error, api_key_id: key.id }, 'could not record the last use of an API key');
      }
    },
  };
}
