// Access tokens: jose JWTs signed with HS256, valid one hour, `sub` = user id, `gen` = the user's
// token generation when it was issued. Verification pins the algorithm and issuer so a token made
// for something else with the same secret is refused, and refuses an `exp` further ahead than a
// token of ours can have (a token signed with a leaked secret or by a buggy issuer does not live
// for years). Whether the generation is still the user's is checked against the store by
// require-auth.ts: logout and a password change bump it, revoking every earlier token.
//
// Example:
//   const tokens = createTokenService({ secret, clock: Date.now });
//   const { token } = await tokens.issue(user);
//   await tokens.verify(token); // → { userId, generation }, or null when bad or expired

import { jwtVerify, SignJWT } from 'jose';
import type { User } from '../../store/types.ts';

export const TOKEN_TTL_SECONDS = 3600;
/** Clocks of several API instances may differ a little: an `exp` this much past the TTL is still ours. */
export const CLOCK_TOLERANCE_SECONDS = 60;
const ISSUER = 'downtime-monitor';
const ALGORITHM = 'HS256';

export type TokenClaims = { userId: string; generation: number };

export type TokenService = {
  issue(user: Pick<User, 'id' | 'token_generation'>): Promise<{ token: string; expiresIn: number }>;
  /** The claims, or null for a malformed, forged, expired or too long-lived token. */
  verify(token: string): Promise<TokenClaims | null>;
};

export function createTokenService(opts: { secret: Uint8Array | string; clock: () => number }): TokenService {
  const key = typeof opts.secret === 'string' ? new TextEncoder().encode(opts.secret) : opts.secret;
  if (key.byteLength < 32) throw new Error('the JWT secret must be at least 32 bytes');
  return {
    async issue(user) {
      const now = Math.floor(opts.clock() / 1000);
      const token = await new SignJWT({ gen: user.token_generation })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(ISSUER)
        .setIssuedAt(now)
        .setExpirationTime(now + TOKEN_TTL_SECONDS)
        .sign(key);
      return { token, expiresIn: TOKEN_TTL_SECONDS };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALGORITHM],
          issuer: ISSUER,
          currentDate: new Date(opts.clock()),
          requiredClaims: ['sub', 'exp', 'gen'],
        });
        const now = Math.floor(opts.clock() / 1000);
        if (payload.exp === undefined || payload.exp > now + TOKEN_TTL_SECONDS + CLOCK_TOLERANCE_SECONDS) return null;
        const { sub, gen } = payload;
        if (typeof sub !== 'string' || sub === '' || typeof gen !== 'number' || !Number.isSafeInteger(gen)) return null;
        return { userId: sub, generation: gen };
      } catch {
        return null;
      }
    },
  };
}
