// API keys for scripts and CI: `dm_<id>_<secret>`, sent as `Authorization: Bearer <key>`.
// - `dm_` makes a leaked key recognisable: secret scanners (and people) can match
//   /dm_[A-Za-z0-9_-]{16}_[A-Za-z0-9_-]{43}/.
// - `<id>` (16 characters, not secret) is the store's id of the key, so authentication is one
//   read by id instead of a search over hashes.
// - `<secret>` is 32 random bytes (256 bits), base64url. Only HMAC-SHA-256(k, secret) is
//   stored, k derived from the server key (JWT_SECRET). A fast keyed hash is right here, unlike
//   for passwords: scrypt's cost exists to slow down guessing of low-entropy secrets, and nobody
//   guesses 256 random bits, so it would only spend CPU on every request. The key k means a
//   copy of the database alone does not even allow checking a candidate key. The hash is
//   compared in constant time, and an unknown id is compared against a dummy hash, so every
//   refusal costs the same work.
// Rotating JWT_SECRET therefore invalidates every API key, as it does every access token.
//
// Example:
//   const hasher = createApiKeyHasher(config.jwtSecret);
//   const { secret, hash } = hasher.newSecret();          // store `hash`, show formatApiKey(id, secret) once
//   hasher.matches(parseApiKey(key)!.secret, stored.secret_hash); // → true

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'dm_';
const SECRET_BYTES = 32;
const API_KEY = /^dm_([A-Za-z0-9_-]{16})_([A-Za-z0-9_-]{43})$/;
const HASH_SCHEME = 'hmac-sha256';
/** Separates this use of the server key from its others (token signing, webhook secrets). */
const KEY_PURPOSE = 'downtime-monitor api-key hash v1';

/** Whether a bearer credential is meant as an API key (and not an access token). */
export function isApiKeyShaped(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

/** The id and secret of a well-formed key; null for anything else. */
export function parseApiKey(key: string): { id: string; secret: string } | null {
  const match = API_KEY.exec(key);
  return match?.[1] && match[2] ? { id: match[1], secret: match[2] } : null;
}

export function formatApiKey(id: string, secret: string): string {
  const key = `${API_KEY_PREFIX}${id}_${secret}`;
  if (!API_KEY.test(key)) throw new Error(`an API key id must be 16 url-safe characters, got ${id.length}`);
  return key;
}

/** The part of a key that is not secret: shown in lists so that an owner can tell keys apart. */
export function apiKeyPrefix(id: string): string {
  return `${API_KEY_PREFIX}${id}`;
}

export type ApiKeyHasher = {
  /** A fresh secret and the hash to store for it. */
  newSecret(): { secret: string; hash: string };
  /** Constant-time; false for a stored value this code cannot read. */
  matches(secret: string, storedHash: string): boolean;
  /** A stored hash of no key: what an unknown id is compared against. */
  readonly dummyHash: string;
};

export function createApiKeyHasher(serverKey: Uint8Array | string): ApiKeyHasher {
  const key = createHmac('sha256', serverKey).update(KEY_PURPOSE).digest();
  const digest = (secret: string) => createHmac('sha256', key).update(secret).digest();
  const encode = (mac: Buffer) => `${HASH_SCHEME}$${mac.toString('base64url')}`;
  const dummy = digest(randomBytes(SECRET_BYTES).toString('base64url'));
  return {
    newSecret() {
      const secret = randomBytes(SECRET_BYTES).toString('base64url');
      return { secret, hash: encode(digest(secret)) };
    },
    matches(secret, storedHash) {
      const [scheme, encoded, extra] = storedHash.split('$');
      const stored = scheme === HASH_SCHEME && encoded && extra === undefined ? Buffer.from(encoded, 'base64url') : null;
      const usable = stored !== null && stored.length === dummy.length;
      // The same work whether or not the stored value is usable.
      const equal = timingSafeEqual(digest(secret), usable ? stored : dummy);
      return usable && equal;
    },
    dummyHash: encode(dummy),
  };
}
