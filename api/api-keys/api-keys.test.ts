// API keys through the real app over a real SQLite store: a key stands in for an access token
// as its owner, is listed without its secret, and stops working at once when revoked (on every
// instance) or expired; refusals are 401s that tell unknown and wrong keys apart by nothing.

import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SQLITE_FILE_NAME } from '../../store/sqlite/open.ts';
import type { Problem } from '../problem.ts';
import { startTestApi, type TestApi } from '../testing.ts';
import { MAX_KEYS_PER_OWNER } from './routes.ts';

type KeyJson = { id: string; name: string; prefix: string; created_at: string; expires_at: string | null; last_used_at: string | null };
type CreatedJson = KeyJson & { key: string };
type ListJson<T> = { items: T[] };

const KEY_FORMAT = /^dm_[A-Za-z0-9_-]{16}_[A-Za-z0-9_-]{43}$/;
const MINUTE = 60_000;

describe('API keys', () => {
  let now: number;
  let api: TestApi;
  /** Every line the app logged, at every level. */
  let logs: string[];
  beforeEach(async () => {
    now = Date.UTC(2026, 5, 1, 12);
    logs = [];
    const log = pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) });
    api = await startTestApi({ clock: () => now, log });
  });
  afterEach(async () => {
    await api.close();
  });

  const createKey = async (token: string, json: unknown = { name: 'CI deploys' }) => {
    const res = await api.call<CreatedJson>('POST', '/api/api-keys', { token, json });
    if (res.status !== 201) throw new Error(`create ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const status = async (path: string, token: string) => (await api.call('GET', path, { token })).status;

  it('creates a key shown once, which works as its owner and never shows again', async () => {
    const ada = await api.user('ada@example.com');
    const bob = await api.user('bob@example.com');
    const mine = await api.call<{ id: string }>('POST', '/api/monitors', { token: ada.token, json: { name: 'Mine', url: 'https://example.com/' } });
    const theirs = await api.call<{ id: string }>('POST', '/api/monitors', { token: bob.token, json: { name: 'Theirs', url: 'https://example.org/' } });

    const created = await createKey(ada.token);
    expect(created).toEqual({
      id: expect.any(String),
      name: 'CI deploys',
      prefix: `dm_${created.id}`,
      key: expect.stringMatching(KEY_FORMAT),
      created_at: expect.any(String),
      expires_at: null,
      last_used_at: null,
    });
    expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);

    // The key is a bearer credential of its owner: her monitors only.
    const list = await api.call<ListJson<{ id: string; name: string }>>('GET', '/api/monitors', { token: created.key });
    expect(list.status).toBe(200);
    expect(list.body.items.map((m) => m.id)).toEqual([mine.body.id]);
    expect(await status(`/api/monitors/${theirs.body.id}`, created.key)).toBe(404);
    expect(await status(`/api/monitors/${mine.body.id}`, created.key)).toBe(200);
    const me = await api.call<{ id: string }>('GET', '/auth/me', { token: created.key });
    expect(me.body.id).toBe(ada.id);
    expect((await api.call<ListJson<KeyJson>>('GET', '/api/api-keys', { token: bob.token })).body.items).toEqual([]);

    // Listed with when it was last used, never with the key or anything derived from it.
    const keys = await api.call<ListJson<KeyJson>>('GET', '/api/api-keys', { token: ada.token });
    const { key, ...shown } = created;
    expect(keys.body.items).toEqual([{ ...shown, last_used_at: new Date(now).toISOString() }]);
    const secret = key.slice(created.prefix.length + 1);
    expect(JSON.stringify(keys.body)).not.toContain(secret);
    expect(JSON.stringify(keys.body)).not.toMatch(/hmac|hash/);
    // Stored: a keyed hash, not the secret.
    const stored = await api.store.getApiKey(created.id);
    expect(stored?.secret_hash).toMatch(/^hmac-sha256\$/);
    expect(stored?.secret_hash).not.toContain(secret);
  });

  it('refuses a revoked key at once, on this instance and on another one sharing the store', async () => {
    const ada = await api.user('ada@example.com');
    const other = await startTestApi({ clock: () => now, dataDir: api.dataDir });
    try {
      const kept = await createKey(ada.token, { name: 'kept' });
      const revoked = await createKey(ada.token, { name: 'revoked' });
      expect(await status('/api/monitors', revoked.key)).toBe(200);
      expect((await other.call('GET', '/api/monitors', { token: revoked.key })).status).toBe(200);

      expect((await api.call('DELETE', `/api/api-keys/${revoked.id}`, { token: ada.token })).status).toBe(204);
      for (const instance of [api, other]) {
        const res = await instance.call('GET', '/api/monitors', { token: revoked.key });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(res.body.detail).toBe('the API key is unknown or was revoked');
      }
      expect(await status('/api/monitors', kept.key)).toBe(200);
      expect((await api.call('DELETE', `/api/api-keys/${revoked.id}`, { token: ada.token })).status).toBe(404);
      const left = await api.call<ListJson<KeyJson>>('GET', '/api/api-keys', { token: ada.token });
      expect(left.body.items.map((k) => k.name)).toEqual(['kept']);
    } finally {
      await other.close();
    }
  });

  it("answers 404 to revoking another owner's key, which keeps working", async () => {
    const ada = await api.user('ada@example.com');
    const bob = await api.user('bob@example.com');
    const key = await createKey(ada.token);
    expect((await api.call('DELETE', `/api/api-keys/${key.id}`, { token: bob.token })).status).toBe(404);
    expect(await status('/api/monitors', key.key)).toBe(200);
  });

  it('refuses an expired key with 401, and an expiry that is not in the future with 400', async () => {
    const ada = await api.user('ada@example.com');
    // Half an hour: the access token used to list keys afterwards lives an hour.
    const expiresAt = new Date(now + 30 * MINUTE).toISOString();
    const key = await createKey(ada.token, { name: 'half an hour', expires_at: expiresAt });
    expect(key.expires_at).toBe(expiresAt);
    expect(await status('/api/summary', key.key)).toBe(200);
    now += 30 * MINUTE - 1;
    expect(await status('/api/summary', key.key)).toBe(200);
    now += 1;
    const res = await api.call('GET', '/api/summary', { token: key.key });
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe(`the API key expired at ${expiresAt}: create a new one`);
    // Still listed (with its expiry) until revoked, or purged by retention long after.
    const keys = await api.call<ListJson<KeyJson>>('GET', '/api/api-keys', { token: ada.token });
    expect(keys.body.items.map((k) => k.expires_at)).toEqual([expiresAt]);

    const past = await api.call('POST', '/api/api-keys', { token: ada.token, json: { name: 'past', expires_at: new Date(now).toISOString() } });
    expect(past.status).toBe(400);
    expect(past.body.errors).toEqual([{ path: 'expires_at', message: 'must be in the future' }]);
  });

  it('refuses malformed and unknown keys and wrong secrets with 401, unknown and wrong alike', async () => {
    const ada = await api.user('ada@example.com');
    const key = await createKey(ada.token);
    const secret = key.key.slice(-43);
    const flipped = secret.slice(0, 10) + (secret[10] === 'x' ? 'y' : 'x') + secret.slice(11);
    const cases: Array<[string, string, string]> = [
      ['malformed', 'dm_not-a-key', 'the API key is malformed'],
      ['truncated', key.key.slice(0, -1), 'the API key is malformed'],
      ['unknown id', `dm_${'A'.repeat(16)}_${secret}`, 'the API key is unknown or was revoked'],
      ['wrong secret', `${key.prefix}_${flipped}`, 'the API key is unknown or was revoked'],
      ['another key id with this secret', `dm_${'B'.repeat(16)}_${secret}`, 'the API key is unknown or was revoked'],
    ];
    for (const [name, credential, detail] of cases) {
      const res = await api.call('GET', '/api/monitors', { token: credential });
      expect(res.status, name).toBe(401);
      expect(res.body.detail, name).toMatch(new RegExp(`^${detail}`));
      expect(res.headers.get('www-authenticate'), name).toBe('Bearer error="invalid_token"');
    }
    expect(await status('/api/monitors', key.key)).toBe(200);
  });

  it('refuses the key of an account that no longer exists', async () => {
    const ada = await api.user('ada@example.com');
    const key = await createKey(ada.token);
    expect(await status('/api/monitors', key.key)).toBe(200);
    // An operator removes the account directly in the database; its key row stays.
    const raw = new DatabaseSync(join(api.dataDir, SQLITE_FILE_NAME));
    raw.prepare('DELETE FROM users WHERE id = ?').run(ada.id);
    raw.close();
    const res = await api.call('GET', '/api/monitors', { token: key.key });
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe('the account of this API key no longer exists');
  });

  it('records the last use at most once a minute per key, not per request', async () => {
    const ada = await api.user('ada@example.com');
    const key = await createKey(ada.token);
    const lastUsed = async () =>
      (await api.call<ListJson<KeyJson>>('GET', '/api/api-keys', { token: ada.token })).body.items[0]?.last_used_at;
    expect(await lastUsed()).toBeNull();
    const first = now;
    expect(await status('/api/monitors', key.key)).toBe(200);
    expect(await lastUsed()).toBe(new Date(first).toISOString());
    // Within the minute: no write (a write would have moved it forward).
    for (const step of [1_000, 20_000, 38_999]) {
      now += step;
      expect(await status('/api/monitors', key.key)).toBe(200);
    }
    expect(await lastUsed()).toBe(new Date(first).toISOString());
    now += 1;
    expect(await status('/api/monitors', key.key)).toBe(200);
    expect(await lastUsed()).toBe(new Date(first + MINUTE).toISOString());
  });

  it('lets a key list and revoke keys, itself included, but not create one', async () => {
    const ada = await api.user('ada@example.com');
    const key = await createKey(ada.token);
    const refused = await api.call('POST', '/api/api-keys', { token: key.key, json: { name: 'successor' } });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/an API key cannot create API keys/);
    expect((await api.call<ListJson<KeyJson>>('GET', '/api/api-keys', { token: key.key })).body.items).toHaveLength(1);
    expect((await api.call('DELETE', `/api/api-keys/${key.id}`, { token: key.key })).status).toBe(204);
    expect(await status('/api/monitors', key.key)).toBe(401);
  });

  it.each([
    [{}, 'name', 'is required'],
    [{ name: '   ' }, 'name', 'is required'],
    [{ name: 'x'.repeat(101) }, 'name', 'must be at most 100 characters'],
    [{ name: 'ci\u0007' }, 'name', 'must not contain control characters (U+0007)'],
    [{ name: 'ci', expires_at: 'tomorrow' }, 'expires_at', 'must be an ISO 8601 date-time with a zone, e.g. 2026-12-31T00:00:00Z'],
    [{ name: 'ci', expires_at: '2030-01-01T00:00:00' }, 'expires_at', 'must be an ISO 8601 date-time with a zone, e.g. 2026-12-31T00:00:00Z'],
    [{ name: 'ci', scopes: ['read'] }, 'scopes', 'unknown field'],
  ])('refuses %j naming the field', async (json, path, message) => {
    const ada = await api.user('ada@example.com');
    const res = await api.call<Problem>('POST', '/api/api-keys', { token: ada.token, json });
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ path, message });
    expect(await api.store.listApiKeys(ada.id)).toEqual([]);
  });

  it('limits creation per account (429 with Retry-After) and the number of keys an account holds', async () => {
    const ada = await api.user('ada@example.com');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await api.call('POST', '/api/api-keys', { token: ada.token, json: { name: `k${i}` } })).status);
    expect(statuses).toEqual([...Array(10).fill(201), 429]);
    const limited = await api.call('POST', '/api/api-keys', { token: ada.token, json: { name: 'more' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // Slowly enough for the rate limit, up to the bound.
    for (let i = 10; i < MAX_KEYS_PER_OWNER; i++) {
      now += 6_000;
      expect((await api.call('POST', '/api/api-keys', { token: ada.token, json: { name: `k${i}` } })).status).toBe(201);
    }
    now += 6_000;
    const full = await api.call('POST', '/api/api-keys', { token: ada.token, json: { name: 'one too many' } });
    expect(full.status).toBe(409);
    expect(full.body.detail).toMatch(/revoke one first/);
    expect(await api.store.listApiKeys(ada.id)).toHaveLength(MAX_KEYS_PER_OWNER);
  });

  it('never logs a key or its secret, while logging what happened to it by id', async () => {
    const ada = await api.user('ada@example.com');
    const key = await createKey(ada.token, { name: 'logged', expires_at: new Date(now + MINUTE).toISOString() });
    const secret = key.key.slice(-43);
    await api.call('GET', '/api/monitors', { token: key.key });
    await api.call('GET', '/api/api-keys', { token: key.key });
    // A wrong secret for this id, then expiry, then a revoke: each logged by the key's id.
    await api.call('GET', '/api/monitors', { token: `${key.prefix}_${'x'.repeat(43)}` });
    now += MINUTE;
    await api.call('GET', '/api/monitors', { token: key.key });
    await api.call('DELETE', `/api/api-keys/${key.id}`, { token: ada.token });
    await api.call('GET', '/api/monitors', { token: key.key });

    const messages = logs.map((line) => JSON.parse(line) as { msg: string; api_key_id?: string });
    expect(messages.filter((m) => m.api_key_id === key.id).map((m) => m.msg)).toEqual([
      'API key created',
      'API key refused: wrong secret for an existing key id',
      'API key refused: expired',
      'API key revoked',
    ]);
    const all = logs.join('\n');
    expect(all).not.toContain(secret);
    expect(all).not.toContain(key.key);
  });

  it('documents the routes in the OpenAPI document, with bearer security', async () => {
    const doc = await api.call<{ paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>> }>(
      'GET',
      '/openapi.json',
    );
    const paths = doc.body.paths;
    expect(Object.keys(paths['/api/api-keys'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/api-keys/{id}'] ?? {})).toEqual(['delete']);
    expect(paths['/api/api-keys']?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(paths['/api/api-keys']?.post?.responses ?? {})).toEqual(['201', '400', '401', '403', '409', '413', '429']);
  });
});
