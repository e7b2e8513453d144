import { describe, expect, it } from 'vitest';
import { newId } from '../../store/ids.ts';
import { apiKeyPrefix, createApiKeyHasher, formatApiKey, isApiKeyShaped, parseApiKey } from './api-keys.ts';

const SERVER_KEY = 'test-secret-of-at-least-thirty-two-bytes';

describe('API key format', () => {
  it('formats dm_<id>_<secret> and parses it back, whatever url-safe characters the id holds', () => {
    const hasher = createApiKeyHasher(SERVER_KEY);
    for (const id of [newId(), 'a_b-c_d-e_f-g_h-', '________________']) {
      const { secret } = hasher.newSecret();
      const key = formatApiKey(id, secret);
      expect(key).toMatch(/^dm_[A-Za-z0-9_-]{16}_[A-Za-z0-9_-]{43}$/);
      expect(parseApiKey(key)).toEqual({ id, secret });
      expect(key.startsWith(apiKeyPrefix(id))).toBe(true);
      expect(isApiKeyShaped(key)).toBe(true);
    }
  });

  it.each([
    ['too short', 'dm_abc_def'],
    ['no prefix', `${'a'.repeat(16)}_${'b'.repeat(43)}`],
    ['another prefix', `gh_${'a'.repeat(16)}_${'b'.repeat(43)}`],
    ['a secret one character short', `dm_${'a'.repeat(16)}_${'b'.repeat(42)}`],
    ['a secret one character long', `dm_${'a'.repeat(16)}_${'b'.repeat(44)}`],
    ['a character outside base64url', `dm_${'a'.repeat(16)}_${'b'.repeat(42)}=`],
    ['trailing text', `dm_${'a'.repeat(16)}_${'b'.repeat(43)} x`],
  ])('refuses to parse a key with %s', (_name, key) => {
    expect(parseApiKey(key)).toBeNull();
  });

  it('does not take an access token for an API key', () => {
    expect(isApiKeyShaped('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig')).toBe(false);
  });
});

describe('API key hashing', () => {
  it('matches the secret it hashed and no other, and stores nothing of the secret', () => {
    const hasher = createApiKeyHasher(SERVER_KEY);
    const { secret, hash } = hasher.newSecret();
    const other = hasher.newSecret();
    expect(hash).toMatch(/^hmac-sha256\$[A-Za-z0-9_-]{43}$/);
    expect(hash).not.toContain(secret);
    expect(other.secret).not.toBe(secret);
    expect(hasher.matches(secret, hash)).toBe(true);
    expect(hasher.matches(other.secret, hash)).toBe(false);
    expect(hasher.matches(secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A'), hash)).toBe(false);
  });

  it('is keyed by the server key: a hash made with another key matches nothing', () => {
    const { secret, hash } = createApiKeyHasher(SERVER_KEY).newSecret();
    expect(createApiKeyHasher('another-secret-of-thirty-two-bytes!!').matches(secret, hash)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['a password hash', 'scrypt$32768$8$1$c2FsdA$aGFzaA'],
    ['a short mac', 'hmac-sha256$c2hvcnQ'],
    ['an extra field', 'hmac-sha256$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa$x'],
  ])('answers false, without throwing, for a stored value it cannot read (%s)', (_name, stored) => {
    const hasher = createApiKeyHasher(SERVER_KEY);
    expect(hasher.matches(hasher.newSecret().secret, stored)).toBe(false);
  });

  it('matches no secret against the dummy hash used for unknown ids', () => {
    const hasher = createApiKeyHasher(SERVER_KEY);
    for (let i = 0; i < 100; i++) expect(hasher.matches(hasher.newSecret().secret, hasher.dummyHash)).toBe(false);
  });
});
