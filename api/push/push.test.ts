// Push monitors through the real API over a real SQLite store: creation shows the secret URL
// once, pushes (GET and POST) become checks, bad input is named, unknown tokens are 404 like
// malformed ones, a hammered token gets 429 with Retry-After, a paused monitor records nothing,
// and a regenerated token refuses the old one at once.

import { describe, expect, it } from 'vitest';
import type { CheckJson } from '../checks/check-json.ts';
import { useSignedInApi } from '../testing.ts';
import { PUSH_RATE } from './routes.ts';

type PushMonitorJson = { id: string; type: 'push'; grace_seconds: number; interval_seconds: number; push_url?: string };
type Checks = { items: CheckJson[] };

describe('push monitors', () => {
  // A clock that moves only when told: the rate limiter's refill is then exact.
  let now = Date.UTC(2026, 10, 30, 12, 0, 0);
  const api = useSignedInApi({ clock: () => now, email: 'push@example.com' });

  async function createPush(body: Record<string, unknown> = {}) {
    const created = await api.call<PushMonitorJson>('POST', '/api/monitors', { token: api.token, json: { type: 'push', name: 'Nightly backup', ...body } });
    expect(created.status).toBe(201);
    return created.body;
  }
  const pathOf = (url: string) => new URL(url).pathname + new URL(url).search;
  const checks = async (id: string) => (await api.call<Checks>('GET', `/api/monitors/${id}/checks?from=2026-01-01T00:00:00Z`, { token: api.token })).body.items;

  it('shows the push URL once, under PUBLIC_URL; defaults grace_seconds to 60', async () => {
    const monitor = await createPush({ interval_seconds: 3600 });
    expect(monitor).toMatchObject({ type: 'push', interval_seconds: 3600, grace_seconds: 60 });
    expect(monitor.push_url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/push\/[A-Za-z0-9_-]{32}$/);
    const read = await api.call<PushMonitorJson>('GET', `/api/monitors/${monitor.id}`, { token: api.token });
    expect(read.body).not.toHaveProperty('push_url');
    expect(read.body).not.toHaveProperty('push_token_hash');
    expect(read.body).not.toHaveProperty('url');
    // The stored hash is not the token.
    const stored = await api.store.getMonitor((await api.store.listAllMonitors())[0]!.owner_id, monitor.id);
    expect(stored?.push_token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(monitor.push_url).not.toContain(stored!.push_token_hash!);
  });

  it('refuses a url, a grace out of bounds, and fields of other types, naming them', async () => {
    const refused = await api.call<{ errors: { path: string; message: string }[] }>('POST', '/api/monitors', {
      token: api.token,
      json: { type: 'push', name: 'x', url: 'https://example.com', grace_seconds: -1 },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e) => e.path).sort()).toEqual(['grace_seconds', 'url']);
    const http = await api.call<{ errors: { path: string }[] }>('POST', '/api/monitors', { token: api.token, json: { name: 'x', url: 'https://example.com', grace_seconds: 5 } });
    expect(http.status).toBe(400);
    expect(http.body.errors[0]?.path).toBe('grace_seconds');
  });

  it('a GET push is an up check; a POST down push a down check with its message and ping', async () => {
    const monitor = await createPush();
    const up = await api.call<{ recorded: boolean; status: string }>('GET', pathOf(monitor.push_url!));
    expect(up).toMatchObject({ status: 200, body: { recorded: true, status: 'up' } });
    now += 1000;
    const down = await api.call('POST', `${pathOf(monitor.push_url!)}?status=down&msg=${encodeURIComponent('disk full on /backup')}&ping=1234.5`);
    expect(down.status).toBe(200);
    const [latest, first] = await checks(monitor.id);
    expect(first).toMatchObject({ 'monitor.status': 'up', 'monitor.type': 'push', 'observer.name': 'push', 'error.type': null, 'error.message': null });
    expect(latest).toMatchObject({
      'monitor.status': 'down',
      'error.type': 'reported',
      'error.message': 'disk full on /backup',
      'monitor.duration.us': 1_234_500,
    });
    // An up push's msg is ignored.
    now += 1000;
    await api.call('GET', `${pathOf(monitor.push_url!)}?status=up&msg=fine`);
    expect((await checks(monitor.id))[0]).toMatchObject({ 'monitor.status': 'up', 'error.message': null });
  });

  it('refuses bad parameters, naming them', async () => {
    const monitor = await createPush();
    const path = pathOf(monitor.push_url!);
    for (const [query, field] of [
      ['status=sideways', 'status'],
      [`msg=${'x'.repeat(1025)}`, 'msg'],
      ['ping=-5', 'ping'],
      ['ping=soon', 'ping'],
      ['colour=red', 'colour'],
    ] as const) {
      const reply = await api.call<{ errors: { path: string }[] }>('GET', `${path}?${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.body.errors[0]?.path, query).toBe(field);
    }
    expect(await checks(monitor.id)).toEqual([]);
  });

  it('an unknown token and a malformed one get the same 404', async () => {
    await createPush();
    const unknown = await api.call('GET', '/push/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    const malformed = await api.call('POST', '/push/not-a-token');
    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(404);
    expect(malformed.body).toEqual(unknown.body);
  });

  it(`answers 429 with Retry-After past a burst of ${PUSH_RATE.capacity}, per token, and recovers`, async () => {
    const [a, b] = [await createPush(), await createPush({ name: 'Other job' })];
    for (let i = 0; i < PUSH_RATE.capacity; i++) expect((await api.call('GET', pathOf(a.push_url!))).status).toBe(200);
    const limited = await api.call('GET', pathOf(a.push_url!));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await checks(a.id)).length).toBe(PUSH_RATE.capacity);
    // Another token is not affected.
    expect((await api.call('GET', pathOf(b.push_url!))).status).toBe(200);
    now += 1000;
    expect((await api.call('GET', pathOf(a.push_url!))).status).toBe(200);
  });

  it('a paused monitor answers 200 and records nothing', async () => {
    const monitor = await createPush({ paused: true });
    const reply = await api.call('GET', pathOf(monitor.push_url!));
    expect(reply).toMatchObject({ status: 200, body: { recorded: false } });
    expect(await checks(monitor.id)).toEqual([]);
  });

  it('regenerating refuses the old URL at once; the new one works; only push monitors have one', async () => {
    const monitor = await createPush();
    const fresh = await api.call<PushMonitorJson>('POST', `/api/monitors/${monitor.id}/push-token`, { token: api.token });
    expect(fresh.status).toBe(200);
    expect(fresh.body.push_url).toMatch(/\/push\/[A-Za-z0-9_-]{32}$/);
    expect(fresh.body.push_url).not.toBe(monitor.push_url);
    expect((await api.call('GET', pathOf(monitor.push_url!))).status).toBe(404);
    expect((await api.call('GET', pathOf(fresh.body.push_url!))).status).toBe(200);
    // Another user cannot regenerate it.
    const other = await api.user('other@example.com');
    expect((await api.call('POST', `/api/monitors/${monitor.id}/push-token`, { token: other.token })).status).toBe(404);
    const http = await api.call<{ id: string }>('POST', '/api/monitors', { token: api.token, json: { name: 'Site', url: 'https://example.com' } });
    const refused = await api.call<{ errors: { path: string; message: string }[] }>('POST', `/api/monitors/${http.body.id}/push-token`, { token: api.token });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]?.message).toMatch(/only push monitors/);
  });

  it('bulk creation shows each push monitor its own URL; a patch keeps the token', async () => {
    const bulk = await api.call<{ items: PushMonitorJson[] }>('POST', '/api/monitors/bulk', {
      token: api.token,
      json: { monitors: [{ type: 'push', name: 'a' }, { name: 'site', url: 'https://example.com' }, { type: 'push', name: 'b', grace_seconds: 0 }] },
    });
    expect(bulk.status).toBe(201);
    const [a, site, b] = bulk.body.items;
    expect(a!.push_url).not.toBe(b!.push_url);
    expect(site).not.toHaveProperty('push_url');
    expect(b!.grace_seconds).toBe(0);
    const patched = await api.call<PushMonitorJson>('PATCH', `/api/monitors/${a!.id}`, { token: api.token, json: { grace_seconds: 300, interval_seconds: 120 } });
    expect(patched.body).toMatchObject({ grace_seconds: 300, interval_seconds: 120 });
    expect((await api.call('GET', pathOf(a!.push_url!))).status).toBe(200);
    const foreign = await api.call<{ errors: { path: string }[] }>('PATCH', `/api/monitors/${a!.id}`, { token: api.token, json: { url: 'https://example.com' } });
    expect(foreign.status).toBe(400);
  });
});
