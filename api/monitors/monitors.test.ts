import { z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { checkOf, useSignedInApi, type SignedInApi } from '../testing.ts';
import type { Problem } from '../problem.ts';
import type { MonitorSchema } from './schemas.ts';

type MonitorJson = Extract<z.infer<typeof MonitorSchema>, { type: 'http' }>;

describe('monitors', () => {
  const api = useSignedInApi();

  const post = <T = MonitorJson>(json: unknown) => api.call<T>('POST', '/api/monitors', { token: api.token, json });

  it('creates with defaults, reads, lists, updates and deletes', async () => {
    const created = await post({ name: 'Homepage', url: 'https://example.com/' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Homepage',
      url: 'https://example.com/',
      method: 'GET',
      interval_seconds: 60,
      timeout_ms: 10_000,
      expect_status: '200-399',
      keyword: null,
      headers: {},
      confirm_failures: 2,
      confirm_recoveries: 1,
      remind_every_minutes: 0,
      paused: false,
      tags: [],
      timezone: null,
      public: false,
    });
    expect(created.body).not.toHaveProperty('owner_id');
    expect(created.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const id = created.body.id;

    expect((await api.call<MonitorJson>('GET', `/api/monitors/${id}`, { token: api.token })).body.name).toBe('Homepage');
    const list = await api.call<{ items: MonitorJson[] }>('GET', '/api/monitors', { token: api.token });
    expect(list.body.items.map((m) => m.id)).toEqual([id]);

    const patched = await api.call<MonitorJson>('PATCH', `/api/monitors/${id}`, {
      token: api.token,
      json: { name: 'Home', paused: true, tags: ['prod', 'eu', 'prod'], timezone: 'Europe/Paris', headers: { 'X-Probe': '1' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Home', paused: true, tags: ['prod', 'eu'], timezone: 'Europe/Paris', url: 'https://example.com/' });
    expect(patched.body.headers).toEqual({ 'X-Probe': '1' });

    expect((await api.call('DELETE', `/api/monitors/${id}`, { token: api.token })).status).toBe(204);
    expect((await api.call('GET', `/api/monitors/${id}`, { token: api.token })).status).toBe(404);
    expect((await api.call('DELETE', `/api/monitors/${id}`, { token: api.token })).status).toBe(404);
  });

  it('creates a thousand monitors in one request, in order, all or none', async () => {
    const monitors = Array.from({ length: 1_000 }, (_, i) => ({ name: `site ${i}`, url: `https://site${i}.example.com/health`, tags: ['fleet'] }));
    const created = await api.call<{ items: MonitorJson[] }>('POST', '/api/monitors/bulk', { token: api.token, json: { monitors } });
    expect(created.status).toBe(201);
    expect(created.body.items.map((m) => m.name)).toEqual(monitors.map((m) => m.name));
    expect(created.body.items[999]).toMatchObject({ url: 'https://site999.example.com/health', interval_seconds: 60, tags: ['fleet'] });
    const listed = await api.call<{ items: MonitorJson[] }>('GET', '/api/monitors?limit=1000', { token: api.token });
    expect(listed.body.items.map((m) => m.id)).toEqual(created.body.items.map((m) => m.id));

    const other = (await api.user('bob@example.com')).token;
    expect((await api.call<{ items: MonitorJson[] }>('GET', '/api/monitors', { token: other })).body.items).toEqual([]);

    const bad = await api.call<Problem>('POST', '/api/monitors/bulk', {
      token: api.token,
      json: { monitors: [{ name: 'ok', url: 'https://ok.example.com/' }, { name: 'private', url: 'http://10.0.0.1/' }, { name: 'slow', url: 'https://s.example.com/', interval_seconds: 60, timeout_ms: 60_000 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.path)).toEqual(['monitors.2.timeout_ms']);
    const refused = await api.call<Problem>('POST', '/api/monitors/bulk', {
      token: api.token,
      json: { monitors: [{ name: 'ok', url: 'https://ok.example.com/' }, { name: 'private', url: 'http://10.0.0.1/' }] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.map((e) => e.path)).toEqual(['monitors.1.url']);
    expect((await api.call<{ items: MonitorJson[] }>('GET', '/api/monitors?limit=1000', { token: api.token })).body.items).toHaveLength(1_000);

    const tooMany = await api.call<Problem>('POST', '/api/monitors/bulk', { token: api.token, json: { monitors: [...monitors, monitors[0]] } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors?.[0]).toMatchObject({ path: 'monitors', message: expect.stringContaining('at most 1000') });
    const oversized = await api.call<Problem>('POST', '/api/monitors/bulk', {
      token: api.token,
      json: { monitors: [{ name: 'x'.repeat(100), url: `https://example.com/${'p'.repeat(1_100_000)}` }] },
    });
    expect(oversized.status).toBe(413);
    // One monitor's create keeps its smaller limit (512 KiB).
    const large = await post({ name: 'big', url: `https://example.com/${'p'.repeat(600_000)}` });
    expect(large.status).toBe(413);
    expect((await api.call('POST', '/api/monitors/bulk', { json: { monitors } })).status).toBe(401);
  });

  it('finds monitors by text, tag and status, a page at a time', async () => {
    type Page = { items: MonitorJson[]; next_cursor: string | null };
    const created = await api.call<{ items: MonitorJson[] }>('POST', '/api/monitors/bulk', {
      token: api.token,
      json: {
        monitors: [
          { name: 'Shop', url: 'https://shop.example.com/', tags: ['prod'] },
          { name: 'Blog', url: 'https://blog.example.com/', tags: ['web'] },
          { name: 'Old shop', url: 'https://old.example.com/', tags: ['prod'], paused: true },
        ],
      },
    });
    const owner = (await api.store.getUserByEmail('ada@example.com'))!.id;
    const [shop, blog] = await Promise.all(created.body.items.slice(0, 2).map(async (m) => (await api.store.getMonitor(owner, m.id))!));
    await api.store.appendChecks([
      checkOf(shop!, Date.now() - 1_000, { status: 'down', error_type: 'status', error_message: 'status 503' }),
      checkOf(blog!, Date.now() - 1_000),
    ]);
    const names = async (query: string) => (await api.call<Page>('GET', `/api/monitors?${query}`, { token: api.token })).body.items.map((m) => m.name);
    expect(await names('q=SHOP')).toEqual(['Shop', 'Old shop']);
    expect(await names('tag=prod')).toEqual(['Shop', 'Old shop']);
    expect(await names('status=paused')).toEqual(['Old shop']);
    expect(await names('status=down')).toEqual(['Shop']);
    expect(await names('status=up')).toEqual(['Blog']);
    expect(await names('status=up&tag=prod')).toEqual([]);
    expect(await names('status=maintenance')).toEqual([]);
    const window = await api.call('POST', '/api/maintenance', {
      token: api.token,
      json: { name: 'Shop upgrade', monitor_ids: [shop!.id], start: new Date(Date.now() - 60_000).toISOString(), end: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect(window.status).toBe(201);
    expect(await names('status=maintenance')).toEqual(['Shop']);
    expect(await names('status=down')).toEqual([]);

    const first = await api.call<Page>('GET', '/api/monitors?limit=2', { token: api.token });
    expect(first.body.items.map((m) => m.name)).toEqual(['Shop', 'Blog']);
    const rest = await api.call<Page>('GET', `/api/monitors?limit=2&cursor=${first.body.next_cursor}`, { token: api.token });
    expect(rest.body).toMatchObject({ items: [{ name: 'Old shop' }], next_cursor: null });

    const bad = await api.call<Problem>('GET', '/api/monitors?status=broken&cursor=nope&q=%01', { token: api.token });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.path).sort()).toEqual(['q', 'status']);
    const badCursor = await api.call<Problem>('GET', '/api/monitors?cursor=nope', { token: api.token });
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors?.[0]?.path).toBe('cursor');
  });

  it('refuses a private target with the reason (unless allowed: below)', async () => {
    const refused = await post<Problem>({ name: 'Local', url: 'http://127.0.0.1:8080/' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.errors[0]).toEqual({ path: 'url', message: expect.stringMatching(/loopback.*ALLOW_PRIVATE_TARGETS/) });
    const viaPatch = await post({ name: 'Public', url: 'https://example.com/' });
    const patched = await api.call('PATCH', `/api/monitors/${viaPatch.body.id}`, { token: api.token, json: { url: 'http://169.254.169.254/' } });
    expect(patched.status).toBe(400);
    expect(patched.body.errors[0]?.message).toMatch(/metadata/);
  });

  // IPv6 forms that carry an IPv4 address, and Azure's platform address, refused at creation.
  it.each([
    ['http://[::127.0.0.1]:8080/', /IPv4-compatible address ::7f00:1 .*loopback address 127\.0\.0\.1/],
    ['http://[::ffff:0:127.0.0.1]/', /IPv4-translated/],
    ['http://[64:ff9b::169.254.169.254]/', /NAT64 .*cloud metadata/],
    ['http://[64:ff9b:1::a00:1]/', /NAT64/],
    ['http://[2002:a00:1::1]/', /6to4 .*private address 10\.0\.0\.1/],
    ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', /Teredo/],
    ['http://[fec0::1]/', /site-local/],
    ['http://168.63.129.16/', /cloud metadata address 168\.63\.129\.16/],
  ])('refuses %s at creation, naming what it embeds', async (url, reason) => {
    const res = await post<Problem>({ name: 'Embedded', url });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'url', message: expect.stringMatching(reason) }]);
    expect(res.body.errors[0]?.message).toMatch(/ALLOW_PRIVATE_TARGETS is off/);
  });

  it('stores the URL as parsed, so the URL shown is the URL probed', async () => {
    const created = await post({ name: 'Shop', url: 'HTTPS://Shop.Example.COM:443/a b/../health?q=1 2' });
    expect(created.status).toBe(201);
    expect(created.body.url).toBe('https://shop.example.com/health?q=1%202');
    const patched = await api.call<MonitorJson>('PATCH', `/api/monitors/${created.body.id}`, {
      token: api.token,
      json: { url: 'http://EXAMPLE.com:80' },
    });
    expect(patched.body.url).toBe('http://example.com/');
    expect((await api.call<MonitorJson>('GET', `/api/monitors/${created.body.id}`, { token: api.token })).body.url).toBe('http://example.com/');
  });

  it('names the interval floor when interval_seconds is below it', async () => {
    const res = await post<Problem>({ name: 'Fast', url: 'https://example.com/', interval_seconds: 5 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'interval_seconds', message: "must be at least 20 seconds (this server's MIN_INTERVAL_SECONDS)" }]);
    expect(res.body.detail).toMatch(/^interval_seconds: must be at least 20 seconds/);
  });

  it('refuses an unknown field, naming it', async () => {
    const res = await post<Problem>({ name: 'Typo', url: 'https://example.com/', intervall: 60 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'intervall', message: 'unknown field' }]);
    const patch = await api.call('PATCH', '/api/monitors/anything', { token: api.token, json: { owner_id: 'someone' } });
    expect(patch.status).toBe(400);
    expect(patch.body.errors).toEqual([{ path: 'owner_id', message: 'unknown field' }]);
  });

  it('requires name and url', async () => {
    const res = await post<Problem>({});
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'name', message: 'is required' },
      { path: 'url', message: 'is required' },
    ]);
  });

  it('checks timeout against the stored interval on PATCH', async () => {
    const created = await post({ name: 'Homepage', url: 'https://example.com/', interval_seconds: 30, timeout_ms: 5000 });
    const res = await api.call('PATCH', `/api/monitors/${created.body.id}`, { token: api.token, json: { timeout_ms: 45_000 } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'timeout_ms', message: expect.stringMatching(/less than interval_seconds \(30 s/) }]);
    const both = await api.call<MonitorJson>('PATCH', `/api/monitors/${created.body.id}`, {
      token: api.token,
      json: { interval_seconds: 120, timeout_ms: 45_000 },
    });
    expect(both.status).toBe(200);
    expect(both.body).toMatchObject({ interval_seconds: 120, timeout_ms: 45_000 });
  });
});

describe('monitors on a server with other settings', () => {
  const post = (api: SignedInApi, json: unknown) => api.call<MonitorJson>('POST', '/api/monitors', { token: api.token, json });

  describe('ALLOW_PRIVATE_TARGETS on', () => {
    const api = useSignedInApi({ config: { allowPrivateTargets: true } });
    it('accepts a private target', async () => {
      const accepted = await post(api, { name: 'Local', url: 'http://127.0.0.1:8080/' });
      expect(accepted.status).toBe(201);
    });
  });

  describe('MIN_INTERVAL_SECONDS and DEFAULT_INTERVAL_SECONDS of 1', () => {
    const api = useSignedInApi({ config: { minIntervalSeconds: 1, defaultIntervalSeconds: 1 } });
    it('keeps the default timeout below a short interval', async () => {
      const res = await post(api, { name: 'Fast', url: 'https://example.com/' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ interval_seconds: 1, timeout_ms: 800 });
    });
  });
});

// Validation never reaches the store, so one app serves the whole table.
describe('monitor validation', () => {
  const api = useSignedInApi({ scope: 'describe' });

  const post = <T = Problem>(json: unknown) => api.call<T>('POST', '/api/monitors', { token: api.token, json });

  it.each([
    ['a non-http URL', { url: 'ftp://example.com/file' }, 'url', /http or https, not ftp/],
    ['a relative URL', { url: '/health' }, 'url', /absolute URL/],
    ['credentials in the URL', { url: 'https://user:pw@example.com/' }, 'url', /credentials/],
    ['a URL over 2048 characters', { url: `https://example.com/${'a'.repeat(2040)}` }, 'url', /at most 2048/],
    ['an empty name', { name: '' }, 'name', /must not be empty/],
    ['a name over 200 characters', { name: 'n'.repeat(201) }, 'name', /at most 200/],
    ['a malformed expect_status', { expect_status: '2xx' }, 'expect_status', /"200-399"/],
    ['an inverted status range', { expect_status: '399-200' }, 'expect_status', /status codes/],
    ['a timeout above 60 s', { timeout_ms: 60_001 }, 'timeout_ms', /at most 60000 ms/],
    ['a timeout not below the interval', { interval_seconds: 30, timeout_ms: 30_000 }, 'timeout_ms', /less than interval_seconds \(30 s/],
    ['confirm_failures of 0', { confirm_failures: 0 }, 'confirm_failures', /at least 1/],
    ['confirm_recoveries of 11', { confirm_recoveries: 11 }, 'confirm_recoveries', /at most 10/],
    ['reminders beyond a week', { remind_every_minutes: 10_081 }, 'remind_every_minutes', /at most 10080/],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone', /IANA/],
    ['an offset instead of a zone', { timezone: '+01:00' }, 'timezone', /IANA/],
    ['21 tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags', /at most 20/],
    ['a 65-character tag', { tags: ['x'.repeat(65)] }, 'tags.0', /at most 64/],
    ['a keyword over 1024 characters', { keyword: 'k'.repeat(1025) }, 'keyword', /at most 1024/],
    ['a Host header', { headers: { Host: 'evil.example' } }, 'headers.Host', /cannot be set: the probe sends the URL's host/],
    ['a hop-by-hop header', { headers: { 'Transfer-Encoding': 'chunked' } }, 'headers.Transfer-Encoding', /hop-by-hop/],
    ['an Expect header', { headers: { Expect: '100-continue' } }, 'headers.Expect', /cannot be set: .*every probe would fail/],
    ['an expect header in lower case', { headers: { expect: '100-continue' } }, 'headers.expect', /cannot be set/],
    ['a Connection header', { headers: { Connection: 'close' } }, 'headers.Connection', /hop-by-hop/],
    ['a Keep-Alive header', { headers: { 'Keep-Alive': 'timeout=5' } }, 'headers.Keep-Alive', /hop-by-hop/],
    ['a Proxy-Connection header', { headers: { 'Proxy-Connection': 'keep-alive' } }, 'headers.Proxy-Connection', /hop-by-hop/],
    ['a TE header', { headers: { TE: 'trailers' } }, 'headers.TE', /hop-by-hop/],
    ['a Trailer header', { headers: { Trailer: 'Expires' } }, 'headers.Trailer', /hop-by-hop/],
    ['an Upgrade header', { headers: { Upgrade: 'websocket' } }, 'headers.Upgrade', /hop-by-hop/],
    ['a Content-Length header', { headers: { 'Content-Length': '10' } }, 'headers.Content-Length', /cannot be set: the probe/],
    ['a header value with a line break', { headers: { 'X-A': 'a\r\nX-B: b' } }, 'headers.X-A', /must not contain control characters \(U\+000D\)/],
    ['a header value with NUL', { headers: { 'X-A': 'a\u0000b' } }, 'headers.X-A', /control characters \(U\+0000\)/],
    ['a header value with another control character', { headers: { 'X-A': 'a\u0007b' } }, 'headers.X-A', /control characters \(U\+0007\)/],
    ['a header value beyond Latin-1', { headers: { 'X-A': 'caf\u00e9 \u20ac' } }, 'headers.X-A', /U\+20AC/],
    ['a URL with a line feed inside', { url: 'https://exam\nple.com/' }, 'url', /must not contain control characters \(U\+000A\)/],
    ['a URL with a carriage return', { url: 'https://example.com/a\rb' }, 'url', /control characters \(U\+000D\)/],
    ['a URL with NUL', { url: 'https://example.com/\u0000' }, 'url', /control characters \(U\+0000\)/],
    ['a URL with a tab inside', { url: 'https://example.com/a\tb' }, 'url', /control characters \(U\+0009\)/],
    ['a URL with a C1 control', { url: 'https://example.com/\u0085x' }, 'url', /control characters \(U\+0085\)/],
    ['a URL with DEL', { url: 'https://example.com/\u007fx' }, 'url', /control characters \(U\+007F\)/],
    ['a URL with a bidi override', { url: 'https://example.com/\u202egnp.exe' }, 'url', /bidirectional formatting characters \(U\+202E\)/],
    ['a URL with a bidi isolate', { url: 'https://example.com/\u2066x\u2069' }, 'url', /bidirectional formatting characters \(U\+2066\)/],
    ['a name with a line feed', { name: 'Home\npage' }, 'name', /must not contain control characters \(U\+000A\)/],
    ['a name with NUL', { name: 'Home\u0000' }, 'name', /control characters \(U\+0000\)/],
    ['a name with a C1 control', { name: 'Home\u009bpage' }, 'name', /control characters \(U\+009B\)/],
    ['a name with a bidi override', { name: 'Home\u202Apage' }, 'name', /bidirectional formatting characters \(U\+202A\)/],
    ['too many headers', { headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v'])) }, 'headers', /at most 20/],
    ['an unknown method', { method: 'TRACE' }, 'method', /GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS/],
    ['a fractional interval', { interval_seconds: 30.5 }, 'interval_seconds', /whole number/],
    ['a string for paused', { paused: 'yes' }, 'paused', /true or false/],
  ])('refuses %s with a 400 naming the field', async (_what, fields, path, message) => {
    const res = await post<Problem>({ name: 'Homepage', url: 'https://example.com/', ...fields });
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ path, message: expect.stringMatching(message) });
  });
});
