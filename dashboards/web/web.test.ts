// The status page endpoints and the pages' files, through the real API app on a real SQLite file:
// opting in and out, what the public read shows (and never shows), and that the pages load
// nothing from outside the server.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type ApiApp } from '../../api/app.ts';
import type { Store } from '../../store/contract.ts';
import { openSqliteStore } from '../../store/sqlite/open.ts';
import type { Check, Incident, Monitor } from '../../store/types.ts';
import { initialState } from '../../alerting/state-machine.ts';
import { createMetrics, type Metrics } from '../../telemetry/metrics.ts';
import { loadAssets } from './assets.ts';
import { mountWeb } from './routes.ts';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const DAY = 86_400_000;
const ASSETS = join(import.meta.dirname, 'assets');

let dir: string;
let store: Store;
let metrics: Metrics;
let app: ApiApp;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dm-web-'));
  store = await openSqliteStore({ dataDir: dir, clock: () => NOW });
  metrics = createMetrics();
  app = createApp({
    store,
    config: {
      jwtSecret: 'test-secret-that-is-long-enough-for-hs256!!',
      allowPrivateTargets: true,
      minIntervalSeconds: 1,
      defaultIntervalSeconds: 60,
      publicUrl: 'https://uptime.example.test/',
    },
    channels: new Set(['email']),
    log: pino({ level: process.env.TEST_LOG ?? 'silent' }),
    metrics,
    clock: () => NOW,
    extraRoutes: (a) => mountWeb(a, { store, publicUrl: 'https://uptime.example.test/', clock: () => NOW }),
  });
});

afterEach(async () => {
  await store.close();
  await metrics.shutdown();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

async function signUp(email: string): Promise<{ token: string; id: string }> {
  const password = 'a long enough password';
  const user = await call('POST', '/auth/signup', undefined, { email, password });
  expect(user.status).toBe(201);
  const token = await call('POST', '/auth/token', undefined, { email, password });
  return { token: token.json.access_token, id: user.json.id };
}

function check(monitor: Monitor, timestamp: number, status: 'up' | 'down', n: number): Check {
  return {
    id: `${monitor.id}-${n}`,
    monitor_id: monitor.id,
    owner_id: monitor.owner_id,
    monitor_name: monitor.name,
    monitor_type: 'http',
    url: monitor.url,
    method: 'GET',
    observer: 'test',
    timestamp,
    next_at: timestamp + 60_000,
    status,
    duration_us: 12_000,
    status_code: status === 'up' ? 200 : 503,
    body_bytes: 10,
    resolved_ip: '127.0.0.1',
    dns_us: null,
    connect_us: 100,
    tls_us: null,
    first_byte_us: 9_000,
    total_us: 11_000,
    tls_version: null,
    cert_not_after: null,
    cert_issuer: null,
    cert_sha256: null,
    error_type: status === 'up' ? null : 'status',
    error_message: null,
  };
}

/** Writes incidents the way the alerting evaluator does: with a change of the monitor's alert state. */
async function recordIncidents(monitor: Monitor, incidents: Array<Partial<Incident> & Pick<Incident, 'id' | 'started_at' | 'resolved_at'>>) {
  let version: number | null = null;
  for (const incident of incidents) {
    version = await store.compareAndSetAlertState(monitor.id, version, { ...initialState(monitor.id, NOW), updated_at: NOW }, {
      incident: {
        owner_id: monitor.owner_id,
        monitor_id: monitor.id,
        cause_type: 'status',
        cause_message: 'status 503 is not in 200-399',
        cause_status_code: 503,
        check_id: `${incident.id}-check`,
        ...incident,
      },
    });
  }
}

describe('public status page', () => {
  it('shows only public monitors: names, status and daily uptime, never URLs, ids or private monitors', async () => {
    const alice = await signUp('alice@example.test');
    const shop = await call('POST', '/api/monitors', alice.token, {
      name: 'Shop', url: 'http://127.0.0.1:9/health?token=s3cret-in-url', public: true,
    });
    const admin = await call('POST', '/api/monitors', alice.token, { name: 'Secret admin', url: 'http://127.0.0.1:9/admin' });
    expect(shop.status).toBe(201);
    expect(admin.status).toBe(201);
    const shopMonitor = (await store.getMonitor(alice.id, shop.json.id))!;
    const adminMonitor = (await store.getMonitor(alice.id, admin.json.id))!;
    await store.appendChecks([
      check(shopMonitor, NOW - 2 * DAY, 'up', 1),
      check(shopMonitor, NOW - 2 * DAY + 60_000, 'down', 2),
      check(shopMonitor, NOW - 60_000, 'up', 3),
      check(shopMonitor, NOW - 30_000, 'down', 4),
      check(adminMonitor, NOW - 30_000, 'up', 5),
    ]);

    expect((await call('GET', '/public/status/acme')).status).toBe(404);
    const published = await call('PUT', '/api/status-page', alice.token, { slug: 'Acme' });
    expect(published.status).toBe(200);
    expect(published.json).toEqual({ slug: 'acme', url: 'https://uptime.example.test/status/acme', title: null, description: null });

    const page = await call('GET', '/public/status/acme');
    expect(page.status).toBe(200);
    expect(page.json.status).toBe('down');
    // No title set: the page is titled by its slug.
    expect(page.json).toMatchObject({ slug: 'acme', title: 'acme', description: null });
    expect(page.json.monitors).toHaveLength(1);
    const [monitor] = page.json.monitors;
    expect(monitor).toMatchObject({ name: 'Shop', status: 'down', last_check_at: new Date(NOW - 30_000).toISOString() });
    expect(monitor.days).toHaveLength(90);
    expect(monitor.days.at(-1)).toEqual({ date: '2025-01-15', checks: 2, uptime: 0.5 });
    expect(monitor.days.at(-3)).toEqual({ date: '2025-01-13', checks: 2, uptime: 0.5 });
    expect(monitor.days.at(-2)).toEqual({ date: '2025-01-14', checks: 0, uptime: null });
    expect(monitor.days[0].date).toBe('2024-10-18');
    expect(monitor.uptime['90d']).toBe(0.5);
    for (const secret of ['s3cret', '127.0.0.1', 'Secret admin', shop.json.id, admin.json.id, alice.id, 'alice@']) {
      expect(page.text).not.toContain(secret);
    }
  });

  it("lists the public monitors' incidents of the last 14 days, newest first, with the kind of failure only", async () => {
    const alice = await signUp('alice@example.test');
    const shop = (await call('POST', '/api/monitors', alice.token, { name: 'Shop', url: 'http://127.0.0.1:9/', public: true })).json;
    const admin = (await call('POST', '/api/monitors', alice.token, { name: 'Secret admin', url: 'http://127.0.0.1:9/admin' })).json;
    const shopMonitor = (await store.getMonitor(alice.id, shop.id))!;
    await recordIncidents(shopMonitor, [
      { id: 'inc-old', started_at: NOW - 20 * DAY, resolved_at: NOW - 20 * DAY + 60_000 },
      { id: 'inc-503', started_at: NOW - 3 * DAY, resolved_at: NOW - 3 * DAY + 119_000 },
      {
        id: 'inc-now',
        started_at: NOW - 600_000,
        resolved_at: null,
        cause_type: 'connect',
        cause_message: 'connect ECONNREFUSED 10.1.2.3:443',
        cause_status_code: null,
      },
    ]);
    await recordIncidents((await store.getMonitor(alice.id, admin.id))!, [{ id: 'inc-admin', started_at: NOW - DAY, resolved_at: NOW - DAY + 1000 }]);
    await call('PUT', '/api/status-page', alice.token, { slug: 'acme' });

    const page = await call('GET', '/public/status/acme');
    expect(page.json.incidents).toEqual([
      { monitor: 'Shop', started_at: new Date(NOW - 600_000).toISOString(), resolved_at: null, duration_seconds: 600, cause: 'Connection failed' },
      {
        monitor: 'Shop',
        started_at: new Date(NOW - 3 * DAY).toISOString(),
        resolved_at: new Date(NOW - 3 * DAY + 119_000).toISOString(),
        duration_seconds: 119,
        cause: 'HTTP 503',
      },
    ]);
    expect(page.text).not.toContain('10.1.2.3');
    expect(page.text).not.toContain('Secret admin');
  });

  it('names the kind of check of each type and its 24-hour time under the right word, never the target', async () => {
    const alice = await signUp('alice@example.test');
    const created: Record<string, any> = {};
    for (const body of [
      { name: 'Shop', url: 'http://127.0.0.1:9/health', public: true },
      { name: 'Checkout', url: 'https://pay.internal.example:8443/pay?token=s3cret', public: true },
      { type: 'tcp', name: 'Database', url: 'tcp://db.internal.example:5432', public: true },
      { type: 'tcp', name: 'Mail', url: 'tls://mail.internal.example:993', public: true },
      { type: 'dns', name: 'Mail exchanger', dns: { name: 'corp.internal.example', record_type: 'MX', resolver: '10.9.8.7:5353' }, public: true },
      { type: 'push', name: 'Nightly backup', public: true },
    ]) {
      const res = await call('POST', '/api/monitors', alice.token, body);
      expect(res.status, JSON.stringify(res.json)).toBe(201);
      created[body.name] = res.json;
    }
    const monitor = async (name: string) => (await store.getMonitor(alice.id, created[name].id))!;
    const typed = async (name: string, n: number, fields: Partial<Check>) => {
      const m = await monitor(name);
      return { ...check(m, NOW - 60_000 * n, 'up', n), monitor_type: m.type, ...fields };
    };
    await store.appendChecks([
      await typed('Shop', 1, { total_us: 11_000 }),
      await typed('Shop', 2, { total_us: 13_000 }),
      await typed('Checkout', 3, { total_us: 182_400 }),
      await typed('Database', 4, { method: null, status_code: null, total_us: null, first_byte_us: null, duration_us: 3_000 }),
      // A failing connect's time is a timeout's, not the port's speed: not in the average.
      { ...(await typed('Database', 5, { method: null, status_code: null, total_us: null, first_byte_us: null, duration_us: 5_000_000 })), status: 'down', error_type: 'timeout' },
      await typed('Mail', 6, { method: null, status_code: null, total_us: null, first_byte_us: null, duration_us: 25_000 }),
      await typed('Mail exchanger', 7, { method: null, status_code: null, total_us: null, first_byte_us: null, duration_us: 1_500 }),
      await typed('Nightly backup', 8, { method: null, status_code: null, total_us: null, first_byte_us: null, observer: 'push', duration_us: 250_000 }),
    ]);
    await call('PUT', '/api/status-page', alice.token, { slug: 'acme' });

    const page = await call('GET', '/public/status/acme');
    expect(page.status).toBe(200);
    expect(page.json.monitors.map((m: any) => [m.name, m.kind, m.latency])).toEqual([
      ['Shop', 'HTTP', { label: 'Response time', avg_ms_24h: 12 }],
      ['Checkout', 'HTTPS', { label: 'Response time', avg_ms_24h: 182.4 }],
      ['Database', 'TCP port', { label: 'Connect time', avg_ms_24h: 3 }],
      ['Mail', 'TLS port', { label: 'Connect and TLS handshake time', avg_ms_24h: 25 }],
      ['Mail exchanger', 'DNS MX record', { label: 'Resolve time', avg_ms_24h: 1.5 }],
      // A push's time is what the job reported, not a time of ours: none is shown.
      ['Nightly backup', 'Heartbeat', null],
    ]);
    const token = new URL(created['Nightly backup'].push_url).pathname.split('/').pop()!;
    for (const secret of ['internal.example', '127.0.0.1', '8443', 's3cret', '5432', '993', '10.9.8.7', '5353', 'tls://', 'tcp://', 'dns:', '/push/', token]) {
      expect(page.text).not.toContain(secret);
    }
  });

  it('shows the title and description its owner set, as typed; the next PUT replaces them', async () => {
    const alice = await signUp('alice@example.test');
    const text = {
      slug: 'acme',
      title: '  Acme « Cloud » status  ',
      description: 'Shop & API, <script>alert(1)</script> "live" 🚀',
    };
    const saved = await call('PUT', '/api/status-page', alice.token, text);
    expect(saved.status).toBe(200);
    expect(saved.json).toEqual({
      slug: 'acme',
      url: 'https://uptime.example.test/status/acme',
      title: 'Acme « Cloud » status',
      description: text.description,
    });
    expect((await call('GET', '/api/status-page', alice.token)).json).toEqual(saved.json);
    expect((await call('GET', '/public/status/acme')).json).toMatchObject({ title: 'Acme « Cloud » status', description: text.description });

    // Same slug, new text: the cached public answer is not served stale.
    expect((await call('PUT', '/api/status-page', alice.token, { slug: 'acme', title: 'Acme', description: '' })).status).toBe(200);
    expect((await call('GET', '/public/status/acme')).json).toMatchObject({ title: 'Acme', description: null });
    // A PUT is the whole setting: what it leaves out is cleared.
    expect((await call('PUT', '/api/status-page', alice.token, { slug: 'acme' })).json).toMatchObject({ title: null, description: null });
    expect((await call('GET', '/public/status/acme')).json).toMatchObject({ title: 'acme', description: null });
  });

  it('refuses a title or description that is too long, not text, or hides characters, naming the field', async () => {
    const alice = await signUp('alice@example.test');
    await call('PUT', '/api/status-page', alice.token, { slug: 'acme', title: 'Kept', description: 'Kept too' });
    const cases: [Record<string, unknown>, string, string][] = [
      [{ title: 'x'.repeat(101) }, 'title', 'at most 100 characters'],
      [{ description: 'x'.repeat(501) }, 'description', 'at most 500 characters'],
      [{ description: 'first line\nsecond line' }, 'description', 'control characters (U+000A)'],
      [{ title: 'Acme\u0007' }, 'title', 'control characters (U+0007)'],
      [{ title: 'Acme \u202egnp.exe' }, 'title', 'bidirectional formatting characters (U+202E)'],
      [{ description: 42 }, 'description', 'must be a string or null'],
    ];
    for (const [fields, path, message] of cases) {
      const res = await call('PUT', '/api/status-page', alice.token, { slug: 'acme', ...fields });
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.json.errors).toEqual([expect.objectContaining({ path, message: expect.stringContaining(message) })]);
    }
    const unknown = await call('PUT', '/api/status-page', alice.token, { slug: 'acme', subtitle: 'no such field' });
    expect(unknown.status).toBe(400);
    // Nothing refused was stored.
    expect((await call('GET', '/api/status-page', alice.token)).json).toMatchObject({ title: 'Kept', description: 'Kept too' });
    expect((await call('GET', '/public/status/acme')).json).toMatchObject({ title: 'Kept', description: 'Kept too' });
  });

  it('names the field when the slug is bad or taken', async () => {
    const alice = await signUp('alice@example.test');
    const bob = await signUp('bob@example.test');
    const bad = await call('PUT', '/api/status-page', alice.token, { slug: 'no spaces!' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.json.errors[0].path).toBe('slug');
    expect(bad.json.errors[0].message).toContain('lowercase letters, digits or dashes');
    expect((await call('PUT', '/api/status-page', alice.token, { slug: 'acme' })).status).toBe(200);
    const taken = await call('PUT', '/api/status-page', bob.token, { slug: 'acme' });
    expect(taken.status).toBe(409);
    expect(taken.json.detail).toContain('"acme" is taken');
    // Alice may save her own slug again.
    expect((await call('PUT', '/api/status-page', alice.token, { slug: 'acme' })).status).toBe(200);
  });

  it('goes offline at once when its owner turns it off, cached answer or not', async () => {
    const alice = await signUp('alice@example.test');
    await call('POST', '/api/monitors', alice.token, { name: 'Shop', url: 'http://127.0.0.1:9/', public: true });
    await call('PUT', '/api/status-page', alice.token, { slug: 'acme' });
    expect((await call('GET', '/public/status/acme')).json.monitors).toHaveLength(1);
    expect((await call('DELETE', '/api/status-page', alice.token)).status).toBe(204);
    expect((await call('GET', '/public/status/acme')).status).toBe(404);
    expect((await call('GET', '/api/status-page', alice.token)).json).toEqual({ slug: null, url: null, title: null, description: null });
  });

  it('requires a token to change the setting', async () => {
    const res = await call('PUT', '/api/status-page', undefined, { slug: 'acme' });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('is documented in /openapi.json', async () => {
    const spec = (await call('GET', '/openapi.json')).json;
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/status-page', '/public/status/{slug}']));
    expect(Object.keys(spec.paths['/api/status-page'])).toEqual(expect.arrayContaining(['get', 'put', 'delete']));
    const request = spec.components.schemas.StatusPageSettingsRequest;
    expect(Object.keys(request.properties)).toEqual(['slug', 'title', 'description']);
    expect(request.example).toMatchObject({ slug: 'acme', title: expect.any(String), description: expect.any(String) });
    expect(request.properties.description.maxLength).toBe(500);
    expect(spec.components.schemas.PublicStatus.required).toEqual(expect.arrayContaining(['title', 'description']));
  });
});

describe('web pages', () => {
  it('serves each page as HTML with a policy that allows only this server', async () => {
    const alice = await signUp('alice@example.test');
    await call('PUT', '/api/status-page', alice.token, { slug: 'acme' });
    for (const path of ['/', '/login', '/monitors/abc', '/status/acme', '/status/ACME']) {
      const res = await call('GET', path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.text).toContain('name="viewport"');
    }
  });

  it('answers 404 for a status page nobody published, with the page that shows its not-found view', async () => {
    const res = await call('GET', '/status/nobody-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.text).toContain('/assets/js/status.js');
  });

  it('serves assets with an ETag and refuses anything that is not one', async () => {
    const js = await call('GET', '/assets/js/status.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    const etag = js.headers.get('etag')!;
    const again = await app.request('/assets/js/status.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    for (const path of ['/assets/nope.js', '/assets/../routes.ts', '/assets/%2e%2e/routes.ts', '/assets/']) {
      expect((await call('GET', path)).status, path).toBe(404);
    }
  });

  it('loads nothing from other hosts, and every script import exists', () => {
    const assets = loadAssets(ASSETS);
    const decoder = new TextDecoder();
    for (const [name, asset] of assets) {
      const text = decoder.decode(asset.body);
      const external = [...text.matchAll(/(?:src|href|url\(|from|fetch\(|import\()\s*=?\s*["']?(https?:)?\/\//g)].filter((m) => m[0]);
      expect(external, name).toEqual([]);
      for (const [, target] of text.matchAll(/from '\.\/([\w-]+\.js)'/g)) {
        expect(assets.has(`js/${target}`), `${name} imports ${target}`).toBe(true);
      }
      for (const [, target] of text.matchAll(/(?:src|href)="\/assets\/([\w/.-]+)"/g)) {
        expect(assets.has(target!), `${name} links ${target}`).toBe(true);
      }
    }
  });
});
