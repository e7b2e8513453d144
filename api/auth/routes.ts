// /auth/signup, /auth/token, /auth/me, /auth/logout and /auth/password. Login is rate limited
// per (email, client address) and per client address, checked before any password work so that
// hammering costs us nothing; signup is limited per client address because each one spends a
// scrypt hash; a password change per account, since it is a password guess too (with a stolen
// token). Logout and a password change bump the user's token generation: every token issued
// before stops working at once, on every API instance (require-auth.ts checks it per request).
// API keys are not tokens of a session: they outlive logout and password changes, and are
// revoked one by one (api/api-keys/), since a CI job must not break when someone logs out.

import { createRoute } from '@hono/zod-openapi';
import { ConflictError } from '../../store/contract.ts';
import type { User } from '../../store/types.ts';
import { bearerSecurity, callerId, iso, jsonContent } from '../common.ts';
import type { ApiApp, RouteDeps } from '../deps.ts';
import { ProblemError, problemResponses, validationProblem } from '../problem.ts';
import { createApiKeyAuthenticator } from './api-key-auth.ts';
import type { ApiKeyHasher } from './api-keys.ts';
import { clientAddress } from './client-address.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password.ts';
import { createRateLimiter, enforceRateLimit } from './rate-limit.ts';
import { requireAuth } from './require-auth.ts';
import { PasswordChangeBody, SignupBody, TokenBody, TokenSchema, UserSchema } from './schemas.ts';
import type { TokenService } from './tokens.ts';

const signupRoute = createRoute({
  method: 'post',
  path: '/auth/signup',
  tags: ['auth'],
  summary: 'Create an account',
  request: { body: { ...jsonContent(SignupBody), required: true } },
  responses: { 201: { description: 'Created', ...jsonContent(UserSchema) }, ...problemResponses(400, 409, 413, 429) },
});

const tokenRoute = createRoute({
  method: 'post',
  path: '/auth/token',
  tags: ['auth'],
  summary: 'Exchange email and password for an access token (1 hour)',
  request: { body: { ...jsonContent(TokenBody), required: true } },
  responses: { 200: { description: 'Token', ...jsonContent(TokenSchema) }, ...problemResponses(400, 401, 429) },
});

const meRoute = createRoute({
  method: 'get',
  path: '/auth/me',
  tags: ['auth'],
  summary: 'The authenticated user',
  security: bearerSecurity,
  responses: { 200: { description: 'The caller', ...jsonContent(UserSchema) }, ...problemResponses(401) },
});

const logoutRoute = createRoute({
  method: 'post',
  path: '/auth/logout',
  tags: ['auth'],
  summary: "Log out everywhere: revoke every access token of the caller's account",
  security: bearerSecurity,
  responses: { 204: { description: 'Every token issued so far is revoked' }, ...problemResponses(401) },
});

const passwordRoute = createRoute({
  method: 'post',
  path: '/auth/password',
  tags: ['auth'],
  summary: 'Change the password; every token issued before is revoked (log in again)',
  security: bearerSecurity,
  request: { body: { ...jsonContent(PasswordChangeBody), required: true } },
  responses: {
    204: { description: 'Changed; every token issued before is revoked' },
    ...problemResponses(400, 401, 413, 429),
  },
});

export function userJson(user: User) {
  return { id: user.id, email: user.email, status_slug: user.status_slug, created_at: iso(user.created_at) };
}

export function registerAuthRoutes(app: ApiApp, deps: RouteDeps, tokens: TokenService, apiKeyHasher: ApiKeyHasher): void {
  const { store, clock, log } = deps;
  // Per email and address: 5 tries, then one every 12 s. Per address: a wider allowance for
  // offices behind one NAT, still far below what guessing needs.
  const loginPerAccount = createRateLimiter({ capacity: 5, refillPerSecond: 1 / 12, maxKeys: 10_000, clock });
  const loginPerAddress = createRateLimiter({ capacity: 30, refillPerSecond: 1 / 2, maxKeys: 10_000, clock });
  const signupPerAddress = createRateLimiter({ capacity: 20, refillPerSecond: 1 / 6, maxKeys: 10_000, clock });
  // Per account, like login: the current password is checked with each attempt.
  const passwordPerAccount = createRateLimiter({ capacity: 5, refillPerSecond: 1 / 12, maxKeys: 10_000, clock });
  let dummyHash: Promise<string> | undefined;

  // An access token or an API key, on every path that needs a caller.
  const apiKeys = createApiKeyAuthenticator({ store, hasher: apiKeyHasher, clock, log });
  const authenticated = requireAuth(tokens, store, apiKeys);
  for (const path of ['/api/*', '/auth/me', '/auth/logout', '/auth/password']) app.use(path, authenticated);

  app.openapi(signupRoute, async (c) => {
    enforceRateLimit(signupPerAddress, clientAddress(c), 'signup');
    const { email, password } = c.req.valid('json');
    try {
      const user = await store.createUser({ email, password_hash: await hashPassword(password) });
      return c.json(userJson(user), 201);
    } catch (error) {
      if (error instanceof ConflictError) {
        throw new ProblemError({ status: 409, detail: 'an account with this email already exists' });
      }
      throw error;
    }
  });

  app.openapi(tokenRoute, async (c) => {
    const { email, password } = c.req.valid('json');
    const address = clientAddress(c);
    enforceRateLimit(loginPerAddress, address, 'login');
    enforceRateLimit(loginPerAccount, `${email.trim().toLowerCase()}|${address}`, 'login');
    const user = await store.getUserByEmail(email.trim());
    // An unknown email spends the same scrypt work, so timing does not reveal accounts.
    const valid = await verifyPassword(password, user?.password_hash ?? (await (dummyHash ??= dummyPasswordHash())));
    if (!user || !valid) {
      throw new ProblemError({
        status: 401,
        detail: 'wrong email or password',
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    const { token, expiresIn } = await tokens.issue(user);
    return c.json({ access_token: token, token_type: 'Bearer' as const, expires_in: expiresIn }, 200);
  });

  app.openapi(meRoute, async (c) => {
    const user = await store.getUser(callerId(c));
    if (!user) throw new ProblemError({ status: 401, detail: 'the account of this token no longer exists' });
    return c.json(userJson(user), 200);
  });

  app.openapi(logoutRoute, async (c) => {
    if (!(await store.bumpTokenGeneration(callerId(c)))) {
      throw new ProblemError({ status: 401, detail: 'the account of this token no longer exists' });
    }
    return c.body(null, 204);
  });

  app.openapi(passwordRoute, async (c) => {
    const userId = callerId(c);
    enforceRateLimit(passwordPerAccount, userId, 'password change');
    const { current_password, new_password } = c.req.valid('json');
    const user = await store.getUser(userId);
    if (!user) throw new ProblemError({ status: 401, detail: 'the account of this token no longer exists' });
    if (!(await verifyPassword(current_password, user.password_hash))) {
      throw validationProblem([{ path: 'current_password', message: 'is not the current password' }]);
    }
    if (new_password === current_password) {
      throw validationProblem([{ path: 'new_password', message: 'must differ from the current password' }]);
    }
    if (!(await store.updatePassword(userId, await hashPassword(new_password)))) {
      throw new ProblemError({ status: 401, detail: 'the account of this token no longer exists' });
    }
    return c.body(null, 204);
  });
}
