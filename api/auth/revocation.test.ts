// Revoking access tokens: logout and a password change end every earlier token of the account at
// once, a token whose account is gone is refused on every route, and a token signed with our
// secret but living longer than ours do is refused. Real app, real SQLite store.

import { mkdtemp, rm } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SQLITE_FILE_NAME, openSqliteStore } from '../../store/sqlite/open.ts';
import { createMetrics } from '../../telemetry/metrics.ts';
import { createApp } from '../app.ts';
import { JWT_SECRET, PASSWORD, startTestApi, type TestApi } from '../testing.ts';

const NEW_PASSWORD = 'another long enough password';

describe('logout and password change', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(async () => {
    await api.close();
  });

  const login = async (email: string, password = PASSWORD) =>
    api.call<{ access_token: string }>('POST', '/auth/token', { json: { email, password } });
  const monitors = async (token: string) => (await api.call('GET', '/api/monitors', { token })).status;

  it('logout revokes every token of the account at once, and only of that account', async () => {
    const ada = await api.user('ada@example.com');
    const second = (await login('ada@example.com')).body.access_token;
    const bob = await api.user('bob@example.com');
    expect([await monitors(ada.token), await monitors(second)]).toEqual([200, 200]);

    const logout = await api.call('POST', '/auth/logout', { token: ada.token });
    expect(logout.status).toBe(204);

    for (const token of [ada.token, second]) {
      const res = await api.call('GET', '/api/monitors', { token });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(res.body.detail).toMatch(/revoked/);
      expect((await api.call('GET', '/auth/me', { token })).status).toBe(401);
      expect((await api.call('POST', '/auth/logout', { token })).status).toBe(401);
    }
    expect(await monitors(bob.token)).toBe(200);
    const again = await login('ada@example.com');
    expect(again.status).toBe(200);
    expect(await monitors(again.body.access_token)).toBe(200);
  });

  it('changes the password: the old tokens and the old password stop working, the new one logs in', async () => {
    const ada = await api.user('ada@example.com');
    const change = await api.call('POST', '/auth/password', {
      token: ada.token,
      json: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(change.status).toBe(204);
    expect(await monitors(ada.token)).toBe(401);
    expect((await login('ada@example.com')).status).toBe(401);
    const fresh = await login('ada@example.com', NEW_PASSWORD);
    expect(fresh.status).toBe(200);
    expect(await monitors(fresh.body.access_token)).toBe(200);
  });

  it('refuses a wrong current password or a weak new one, naming the field, and changes nothing', async () => {
    const ada = await api.user('ada@example.com');
    const wrong = await api.call('POST', '/auth/password', {
      token: ada.token,
      json: { current_password: 'not the password', new_password: NEW_PASSWORD },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors).toEqual([{ path: 'current_password', message: 'is not the current password' }]);
    const short = await api.call('POST', '/auth/password', {
      token: ada.token,
      json: { current_password: PASSWORD, new_password: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.body.errors).toEqual([{ path: 'new_password', message: 'must be at least 10 characters' }]);
    const missing = await api.call('POST', '/auth/password', { token: ada.token, json: { new_password: NEW_PASSWORD } });
    expect(missing.body.errors).toEqual([{ path: 'current_password', message: 'is required' }]);
    expect(await monitors(ada.token)).toBe(200);
    expect((await login('ada@example.com')).status).toBe(200);
  });

  it('answers 429 with Retry-After when password changes are hammered', async () => {
    // A frozen clock: on a loaded machine seven scrypt checks can outlast the 12 s refill.
    const now = Date.now();
    await api.close();
    api = await startTestApi({ clock: () => now });
    const ada = await api.user('ada@example.com');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await api.call('POST', '/auth/password', {
        token: ada.token,
        json: { current_password: `guess number ${i}`, new_password: NEW_PASSWORD },
      });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429]);
  });

  it('refuses a token signed with our secret whose exp is more than an hour ahead', async () => {
    const { id } = await api.user('ada@example.com');
    const now = Math.floor(Date.now() / 1000);
    const signed = (exp: number) =>
      new SignJWT({ gen: 0 })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(id)
        .setIssuer('downtime-monitor')
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(JWT_SECRET));
    expect((await api.call('GET', '/auth/me', { token: await signed(now + 3600) })).status).toBe(200);
    const longLived = await api.call('GET', '/auth/me', { token: await signed(now + 2 * 3600) });
    expect(longLived.status).toBe(401);
    expect(longLived.body.detail).toMatch(/invalid or expired/);
    expect((await api.call('GET', '/api/summary', { token: await signed(now + 365 * 86_400) })).status).toBe(401);
  });
});

describe('a token whose account no longer exists', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dm-revocation-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gets 401 on every authenticated route of the OpenAPI document', async () => {
    const store = await openSqliteStore({ dataDir: dir });
    const metrics = createMetrics();
    const app = createApp({
      store,
      metrics,
      log: pino({ level: 'silent' }),
      channels: new Set(['email']),
      config: { jwtSecret: JWT_SECRET, allowPrivateTargets: false, minIntervalSeconds: 20, defaultIntervalSeconds: 60, publicUrl: 'http://127.0.0.1:3000' },
    });
    try {
      const request = async (method: string, path: string, token: string, json?: unknown) => {
        const headers: Record<string, string> = { authorization: `Bearer ${token}` };
        if (json !== undefined) headers['content-type'] = 'application/json';
        return app.request(path, { method, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
      };
      await app.request('/auth/signup', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'gone@example.com', password: PASSWORD }),
      });
      const login = await app.request('/auth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'gone@example.com', password: PASSWORD }),
      });
      const { access_token: token } = (await login.json()) as { access_token: string };
      const { id: userId } = (await (await request('GET', '/auth/me', token)).json()) as { id: string };

      // Every operation that documents bearer security, with made-up ids (a 404 is fine before).
      const doc = (await (await app.request('/openapi.json')).json()) as {
        paths: Record<string, Record<string, { security?: unknown[] }>>;
      };
      const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.entries(ops)
          .filter(([, op]) => (op.security ?? []).length > 0)
          .map(([method, _op]) => ({ method: method.toUpperCase(), path: path.replace(/\{(\w+)\}/g, 'some-$1') })),
      );
      expect(operations.length).toBeGreaterThanOrEqual(15);
      const readOnly = operations.filter((op) => op.method === 'GET');
      for (const op of readOnly) {
        expect((await request(op.method, op.path, token)).status, `${op.method} ${op.path} before`).not.toBe(401);
      }

      // An operator removes the account directly in the database.
      const raw = new DatabaseSync(join(dir, SQLITE_FILE_NAME));
      raw.prepare('DELETE FROM users WHERE id = ?').run(userId);
      raw.close();

      for (const op of operations) {
        const res = await request(op.method, op.path, token, op.method === 'GET' || op.method === 'DELETE' ? undefined : {});
        expect(res.status, `${op.method} ${op.path}`).toBe(401);
      }
    } finally {
      await store.close();
      await metrics.shutdown();
    }
  });
});
