// Bearer-token authentication for /api/* and /auth/me. A missing, malformed, forged or expired
// token is a 401 problem with a WWW-Authenticate challenge; a valid one sets c.var.userId, which
// every handler passes to the store so that callers only ever see their own data.

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps.ts';
import { ProblemError } from '../problem.ts';
import type { TokenService } from './tokens.ts';

export function requireAuth(tokens: TokenService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) {
      throw new ProblemError({
        status: 401,
        detail: 'missing Authorization header: expected "Bearer <token>" from POST /auth/token',
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    const match = /^Bearer +(\S+)$/i.exec(header.trim());
    const userId = match?.[1] ? await tokens.verify(match[1]) : null;
    if (!userId) {
      throw new ProblemError({
        status: 401,
        detail: match ? 'the bearer token is invalid or expired' : 'the Authorization header must be "Bearer <token>"',
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      });
    }
    c.set('userId', userId);
    await next();
  };
}
