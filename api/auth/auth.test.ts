import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JWT_SECRET, PASSWORD, startTestApi, type Reply, type TestApi } from '../testing.ts';
import { createTokenService } from './tokens.ts';

type UserJson = { id: string; email: string; created_at: string };
type TokenJson = { access_token: string; token_type: string; expires_in: number };

describe('auth', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(async () => {
    await api.close();
  });

  it('signs up, logs in and answers /auth/me with the caller', async () => {
    const signup = await api.call<UserJson>('POST', '/auth/signup', { json: { email: 'ada@example.com', password: PASSWORD } });
    expect(signup.status).toBe(201);
    expect(signup.body).toEqual({ id: expect.any(String), email: 'ada@example.com', status_slug: null, created_at: expect.any(String) });
    expect(new Date(signup.body.created_at).toISOString()).toBe(signup.body.created_at);
    expect(JSON.stringify(signup.body)).not.toMatch(/hash|scrypt/);

    const token = await api.call<TokenJson>('POST', '/auth/token', { json: { email: 'ada@example.com', password: PASSWORD } });
    expect(token.status).toBe(200);
    expect(token.body.token_type).toBe('Bearer');
    expect(token.body.expires_in).toBe(3600);

    const me = await api.call<UserJson>('GET', '/auth/me', { token: token.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(signup.body.id);
    expect(me.body.email).toBe('ada@example.com');
  });

  it('refuses a second signup with the same email (any case) with 409', async () => {
    await api.user('ada@example.com');
    const again = await api.call('POST', '/auth/signup', { json: { email: 'ADA@example.com', password: PASSWORD } });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.body.detail).toMatch(/already exists/);
  });

  it('refuses a short password, naming the field', async () => {
    const res = await api.call('POST', '/auth/signup', { json: { email: 'ada@example.com', password: 'short' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'password', message: 'must be at least 10 characters' }]);
  });

  it('answers 401 to a wrong password and to an unknown email alike', async () => {
    await api.user('ada@example.com');
    const wrong = await api.call('POST', '/auth/token', { json: { email: 'ada@example.com', password: 'not the password' } });
    const unknown = await api.call('POST', '/auth/token', { json: { email: 'bob@example.com', password: PASSWORD } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('answers 429 with Retry-After when login is hammered', async () => {
    // A frozen clock: on a loaded machine eight scrypt checks can outlast the 12 s refill.
    const now = Date.now();
    await api.close();
    api = await startTestApi({ clock: () => now });
    await api.user('ada@example.com');
    const statuses: number[] = [];
    let limited: Reply | undefined;
    for (let i = 0; i < 8; i++) {
      const res = await api.call('POST', '/auth/token', { json: { email: 'ada@example.com', password: `guess number ${i}` } });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    // The login made by api.user() used one token of the bucket; four wrong guesses follow.
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.slice(4)).toEqual([429, 429, 429, 429]);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited?.body.detail).toMatch(/too many login attempts/);
    // Even the right password waits: the limit is checked before the password.
    const right = await api.call('POST', '/auth/token', { json: { email: 'ada@example.com', password: PASSWORD } });
    expect(right.status).toBe(429);
  });

  it('lets login through again once the bucket has refilled', async () => {
    let now = Date.now();
    await api.close();
    api = await startTestApi({ clock: () => now });
    await api.user('ada@example.com');
    for (let i = 0; i < 6; i++) await api.call('POST', '/auth/token', { json: { email: 'ada@example.com', password: 'wrong password!' } });
    const limited = await api.call('POST', '/auth/token', { json: { email: 'ada@example.com', password: PASSWORD } });
    expect(limited.status).toBe(429);
    now += Number(limited.headers.get('retry-after')) * 1000;
    const after = await api.call('POST', '/auth/token', { json: { email: 'ada@example.com', password: PASSWORD } });
    expect(after.status).toBe(200);
  });

  it.each([
    ['no header', undefined, /missing Authorization/],
    ['another scheme', 'Basic YWRhOnNlY3JldA==', /must be "Bearer <token>"/],
    ['garbage', 'Bearer not-a-jwt', /invalid or expired/],
  ])('answers 401 to /api/* with %s', async (_name, header, detail) => {
    const res = await api.call('GET', '/api/monitors', { headers: header ? { authorization: header } : {} });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(res.body.detail).toMatch(detail);
  });

  it('answers 401 to a token signed with another secret', async () => {
    const { id } = await api.user('ada@example.com');
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(id)
      .setIssuer('downtime-monitor')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-of-thirty-two-bytes!!'));
    expect((await api.call('GET', '/auth/me', { token: forged })).status).toBe(401);
  });

  it('answers 401 to an expired token', async () => {
    const { id, token } = await api.user('ada@example.com');
    expect((await api.call('GET', '/auth/me', { token })).status).toBe(200);
    // Issued two hours ago by the same service and secret: expired an hour ago.
    const old = createTokenService({ secret: JWT_SECRET, clock: () => Date.now() - 2 * 3600_000 });
    const expired = (await old.issue({ id, token_generation: 0 })).token;
    const res = await api.call('GET', '/auth/me', { token: expired });
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/expired/);
  });

  it('answers 401 to a token with a past exp made directly with jose', async () => {
    const { id } = await api.user('ada@example.com');
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ gen: 0 })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(id)
      .setIssuer('downtime-monitor')
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(new TextEncoder().encode(JWT_SECRET));
    expect((await api.call('GET', '/api/summary', { token: expired })).status).toBe(401);
  });
});
