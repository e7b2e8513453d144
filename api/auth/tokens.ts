// Access tokens: jose JWTs signed with HS256, valid one hour, `sub` = user id. Verification pins
// the algorithm and issuer so a token made for something else with the same secret is refused.
//
// Example:
//   const tokens = createTokenService({ secret, clock: Date.now });
//   const { token } = await tokens.issue(user.id);
//   await tokens.verify(token); // → user.id, or null when bad or expired

import { jwtVerify, SignJWT } from 'jose';

export const TOKEN_TTL_SECONDS = 3600;
const ISSUER = 'downtime-monitor';
const ALGORITHM = 'HS256';

export type TokenService = {
  issue(userId: string): Promise<{ token: string; expiresIn: number }>;
  /** The user id, or null for a malformed, forged or expired token. */
  verify(token: string): Promise<string | null>;
};

export function createTokenService(opts: { secret: Uint8Array | string; clock: () => number }): TokenService {
  const key = typeof opts.secret === 'string' ? new TextEncoder().encode(opts.secret) : opts.secret;
  if (key.byteLength < 32) throw new Error('the JWT secret must be at least 32 bytes');
  return {
    async issue(userId) {
      const now = Math.floor(opts.clock() / 1000);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(userId)
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
          requiredClaims: ['sub', 'exp'],
        });
        return typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : null;
      } catch {
        return null;
      }
    },
  };
}
