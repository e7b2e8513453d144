// /api/api-keys: create (the key is in that answer only), list and revoke the caller's API keys.
// A revoked key gets 401 at once on every instance (api/auth/api-key-auth.ts reads the key per
// request). Creating is refused to a caller who authenticated with an API key (a leaked key
// must not be able to mint its own successors): log in with the password for that. Listing and
// revoking work with a key too, so a CI job can revoke its own key. Creation is rate limited
// per account, and an account holds at most MAX_KEYS_PER_OWNER keys.

import { createRoute } from '@hono/zod-openapi';
import { formatApiKey, type ApiKeyHasher } from '../auth/api-keys.ts';
import { createRateLimiter, enforceRateLimit } from '../auth/rate-limit.ts';
import { bearerSecurity, callerId, jsonContent } from '../common.ts';
import type { ApiApp, RouteDeps } from '../deps.ts';
import { notFoundProblem, ProblemError, problemResponses, validationProblem } from '../problem.ts';
import { ApiKeyCreate, ApiKeyCreatedSchema, ApiKeyIdParams, ApiKeyListSchema, apiKeyJson } from './schemas.ts';

/** Checked before each creation; two creations racing may pass it together, once. */
export const MAX_KEYS_PER_OWNER = 100;

const common = { tags: ['api-keys'], security: bearerSecurity };

export function registerApiKeyRoutes(app: ApiApp, deps: RouteDeps, hasher: ApiKeyHasher): void {
  const { store, clock, log } = deps;
  // Ten at once, then one every 6 s: plenty for people and setup scripts, little for a loop.
  const createPerAccount = createRateLimiter({ capacity: 10, refillPerSecond: 1 / 6, maxKeys: 10_000, clock });

  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/api/api-keys',
      summary: 'Create an API key (shown once, in this answer)',
      description: 'Needs an access token from POST /auth/token: an API key cannot create keys.',
      request: { body: { ...jsonContent(ApiKeyCreate), required: true } },
      responses: {
        201: { description: 'Created: the key is in `key`, and never shown again', ...jsonContent(ApiKeyCreatedSchema) },
        ...problemResponses(400, 401, 403, 409, 413, 429),
      },
    }),
    async (c) => {
      const owner = callerId(c);
      if (c.get('apiKeyId')) {
        throw new ProblemError({ status: 403, detail: 'an API key cannot create API keys: use an access token from POST /auth/token' });
      }
      enforceRateLimit(createPerAccount, owner, 'API key creation');
      const { name, expires_at } = c.req.valid('json');
      const expiresAt = expires_at ? Date.parse(expires_at) : null;
      if (expiresAt !== null && expiresAt <= clock()) throw validationProblem([{ path: 'expires_at', message: 'must be in the future' }]);
      if ((await store.listApiKeys(owner)).length >= MAX_KEYS_PER_OWNER) {
        throw new ProblemError({
          status: 409,
          detail: `this account has ${MAX_KEYS_PER_OWNER} API keys, the most it may have: revoke one first`,
        });
      }
      const { secret, hash } = hasher.newSecret();
      const key = await store.createApiKey(owner, { name, secret_hash: hash, expires_at: expiresAt });
      log.info({ owner_id: owner, api_key_id: key.id }, 'API key created');
      return c.json({ ...apiKeyJson(key), key: formatApiKey(key.id, secret) }, 201);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/api/api-keys',
      summary: "The caller's API keys, oldest first (never the keys themselves)",
      responses: { 200: { description: 'API keys', ...jsonContent(ApiKeyListSchema) }, ...problemResponses(401) },
    }),
    async (c) => {
      const keys = await store.listApiKeys(callerId(c));
      return c.json({ items: keys.map(apiKeyJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'delete',
      path: '/api/api-keys/{id}',
      summary: 'Revoke an API key: from now on it gets 401',
      request: { params: ApiKeyIdParams },
      responses: { 204: { description: 'Revoked' }, ...problemResponses(401, 404) },
    }),
    async (c) => {
      const owner = callerId(c);
      const { id } = c.req.valid('param');
      if (!(await store.revokeApiKey(owner, id))) throw notFoundProblem('API key');
      log.info({ owner_id: owner, api_key_id: id }, 'API key revoked');
      return c.body(null, 204);
    },
  );
}
