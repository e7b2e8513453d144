// Authenticating a request by API key (the bearer credential starts with `dm_`, api-keys.ts).
// Every refusal is a 401: a malformed key, an unknown or revoked one (revoking deletes the key,
// so the two cannot be told apart), a wrong secret, an expired key, and a key whose account no
// longer exists. Nothing is cached: each request reads the key by id from the store (a primary
// key read on SQLite, a realtime GET on Elasticsearch), so a revoke on any instance takes effect
// on every instance at the next request. A used key's last_used_at is recorded by last-used.ts.
// Logs name a key by its id only, never the key.

import type { Logger } from 'pino';
import type { ApiKeyStore, UserStore } from '../../store/contract.ts';
import { iso } from '../common.ts';
import { ProblemError } from '../problem.ts';
import { type ApiKeyHasher, parseApiKey } from './api-keys.ts';
import { createLastUsedRecorder } from './last-used.ts';

const INVALID_KEY = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };

export type ApiKeyAuthenticator = {
  /** The key's owner and id; throws the 401 problem saying what is wrong otherwise. */
  authenticate(key: string): Promise<{ userId: string; keyId: string }>;
};

export function createApiKeyAuthenticator(opts: {
  store: Pick<ApiKeyStore, 'getApiKey' | 'touchApiKey'> & Pick<UserStore, 'getUser'>;
  hasher: ApiKeyHasher;
  clock: () => number;
  log: Logger;
}): ApiKeyAuthenticator {
  const { store, hasher, clock, log } = opts;
  const lastUsed = createLastUsedRecorder({ store, log });
  const refuse = (detail: string) => new ProblemError({ status: 401, detail, headers: INVALID_KEY });

  return {
    async authenticate(credential) {
      const parsed = parseApiKey(credential);
      if (!parsed) throw refuse('the API key is malformed: send it whole, as POST /api/api-keys returned it (dm_<id>_<secret>)');
      const key = await store.getApiKey(parsed.id);
      // Compared even for an unknown id (against a dummy hash): the same work for every refusal.
      const matches = hasher.matches(parsed.secret, key?.secret_hash ?? hasher.dummyHash);
      if (!key || !matches) {
        if (key) log.warn({ api_key_id: key.id }, 'API key refused: wrong secret for an existing key id');
        throw refuse('the API key is unknown or was revoked');
      }
      const now = clock();
      if (key.expires_at !== null && key.expires_at <= now) {
        log.info({ api_key_id: key.id }, 'API key refused: expired');
        throw refuse(`the API key expired at ${iso(key.expires_at)}: create a new one`);
      }
      if (!(await store.getUser(key.owner_id))) throw refuse('the account of this API key no longer exists');
      await lastUsed.record(key, now);
      return { userId: key.owner_id, keyId: key.id };
    },
  };
}
