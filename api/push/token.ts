// Push tokens: the secret in a push monitor's URL (/push/{token}). 192 random bits, base64url.
// Only the SHA-256 of a token is stored (Monitor.push_token_hash) and looked up: a leaked
// database or log of monitors does not let anyone push. A plain hash, not a slow or keyed one,
// is enough for a random secret of this size, and it keeps the lookup one index probe.
//
// Example:
//   const { token, hash } = newPushToken();   // token shown once; hash stored
//   pushTokenHash(token) === hash

import { createHash, randomBytes } from 'node:crypto';
import type { MonitorInput } from '../../store/types.ts';

const TOKEN_BYTES = 24;
/** What a token looks like; anything else is refused before any lookup. */
export const PUSH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

export function newPushToken(): { token: string; hash: string } {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  return { token, hash: pushTokenHash(token) };
}

export function pushTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The full URL a job calls, under the server's PUBLIC_URL. */
export function pushUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/push/${token}`;
}

/** Each push monitor of `inputs` with a fresh token's hash, and the URL to show once; others as they are. */
export function withPushTokens(inputs: MonitorInput[], publicUrl: string): Array<{ input: MonitorInput; pushUrl: string | undefined }> {
  return inputs.map((input) => {
    if (input.type !== 'push') return { input, pushUrl: undefined };
    const { token, hash } = newPushToken();
    return { input: { ...input, push_token_hash: hash }, pushUrl: pushUrl(publicUrl, token) };
  });
}
