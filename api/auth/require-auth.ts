// Bearer-token authentication. A missing, malformed, forged, expired or too long-lived token is a
// 401 problem with a WWW-Authenticate challenge; so is a token whose user no longer exists or
// whose generation is no longer the user's (logged out, password changed). A valid one sets
// c.var.userId, which every handler passes to the store so that callers only ever see their own
// data.
//
// Two middlewares, because api/app.ts wires the first in front of /api/* and /auth/me and knows
// no store: `requireAuth` checks the token alone; `requireCurrentToken` checks it and then the
// user, and registerAuthRoutes puts it on those paths and on /auth/logout and /auth/password.
// (When app.ts is next edited, its requireAuth lines can go: requireCurrentToken does it all.)

import type { Context, MiddlewareHandler } from 'hono';
import type { UserStore } from '../../store/contract.ts';
import type { AppEnv } from '../deps.ts';
import { ProblemError } from '../problem.ts';
import type { TokenClaims, TokenService } from './tokens.ts';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };
const INVALID_TOKEN = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };

/** The token's claims; throws the 401 problem that says what is wrong with the header or token. */
async function bearerClaims(c: Context<AppEnv>, tokens: TokenService): Promise<TokenClaims> {
  const header = c.req.header('authorization');
  if (!header) {
    throw new ProblemError({
      status: 401,
      detail: 'missing Authorization header: expected "Bearer <token>" from POST /auth/token',
      headers: CHALLENGE,
    });
  }
  const match = /^Bearer +(\S+)$/i.exec(header.trim());
  const claims = match?.[1] ? await tokens.verify(match[1]) : null;
  if (!claims) {
    throw new ProblemError({
      status: 401,
      detail: match ? 'the bearer token is invalid or expired' : 'the Authorization header must be "Bearer <token>"',
      headers: INVALID_TOKEN,
    });
  }
  return claims;
}

/** The token is ours, unexpired and not too long-lived; its user is not looked at. */
export function requireAuth(tokens: TokenService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('userId', (await bearerClaims(c, tokens)).userId);
    await next();
  };
}

/** requireAuth, and its user still exists with the token's generation (not revoked). */
export function requireCurrentToken(tokens: TokenService, users: Pick<UserStore, 'getUser'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const claims = await bearerClaims(c, tokens);
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
