// Bearer authentication, for /api/*, /auth/me, /auth/logout and /auth/password. The credential
// is either an access token (a JWT from POST /auth/token) or an API key (`dm_…`, from POST
// /api/api-keys: api-key-auth.ts). A missing, malformed, forged, expired or too long-lived
// token is a 401 problem with a WWW-Authenticate challenge; so is a token whose user no longer
// exists or whose generation is no longer the user's (logged out, password changed), and an
// unknown, revoked or expired key. A valid credential sets c.var.userId, which every handler
// passes to the store so that callers only ever see their own data, and, for an API key,
// c.var.apiKeyId.

import type { Context, MiddlewareHandler } from 'hono';
import type { UserStore } from '../../store/contract.ts';
import type { AppEnv } from '../deps.ts';
import { ProblemError } from '../problem.ts';
import type { ApiKeyAuthenticator } from './api-key-auth.ts';
import { isApiKeyShaped } from './api-keys.ts';
import type { TokenService } from './tokens.ts';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };
const INVALID_TOKEN = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };

/** The bearer credential; throws the 401 problem that says what is wrong with the header. */
function bearerCredential(c: Context<AppEnv>): string {
  const header = c.req.header('authorization');
  if (!header) {
    throw new ProblemError({
      status: 401,
      detail: 'missing Authorization header: expected "Bearer <token>" from POST /auth/token, or "Bearer <API key>"',
      headers: CHALLENGE,
    });
  }
  const credential = /^Bearer +(\S+)$/i.exec(header.trim())?.[1];
  if (!credential) {
    throw new ProblemError({ status: 401, detail: 'the Authorization header must be "Bearer <token>"', headers: INVALID_TOKEN });
  }
  return credential;
}

/** A current access token (its user exists with the token's generation) or a valid API key. */
export function requireAuth(
  tokens: TokenService,
  users: Pick<UserStore, 'getUser'>,
  apiKeys: ApiKeyAuthenticator,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const credential = bearerCredential(c);
    if (isApiKeyShaped(credential)) {
      const { userId, keyId } = await apiKeys.authenticate(credential);
      c.set('userId', userId);
      c.set('apiKeyId', keyId);
      await next();
      return;
    }
    const claims = await tokens.verify(credential);
    if (!claims) throw new ProblemError({ status: 401, detail: 'the bearer token is invalid or expired', headers: INVALID_TOKEN });
    const user = await users.getUser(claims.userId);
    if (!user) {
      throw new ProblemError({ status: 401, detail: 'the account of this token no longer exists', headers: INVALID_TOKEN });
    }
    if (user.token_generation !== claims.generation) {
      throw new ProblemError({
        status: 401,
        detail: 'the bearer token was revoked (logout or password change): get a new one from POST /auth/token',
        headers: INVALID_TOKEN,
      });
    }
    c.set('userId', user.id);
    await next();
  };
}
