// The foundation's "done when", tried as a new user would: the whole product in a child process,
// every step through the HTTP API only.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, eventually, newUser } from './support/api-client.ts';
import { startProduct, runProductExpectingFailure, type RunningProduct } from './support/product.ts';
import { scenarioBackends, type OpenedBackend } from './support/backends.ts';
import { startTarget, type Target } from './support/target.ts';
import { startDnsServer, type DnsTestServer } from '../collector/testing/dns-server.ts';
import { startSmtpSink, type SmtpSink } from '../alerting/testing/smtp-sink.ts';

describe.each(scenarioBackends())('a new user on $name', (backend) => {
  let storage: OpenedBackend;
  let product: RunningProduct;
  let target: Target;
  let smtp: SmtpSink;
  let dns: DnsTestServer;

  beforeAll(async () => {
    storage = await backend.open();
    target = await startTarget();
    dns = await startDnsServer({ 'shop.test': { records: [{ type: 'A', data: '192.0.2.10' }] } });
    smtp = await startSmtpSink();
    product = await startProduct({
      ...storage.env,
      JWT_SECRET: 'new-user-scenario-secret-'.repeat(2),
      ALLOW_PRIVATE_TARGETS: 'true',
      MIN_INTERVAL_SECONDS: '1',
      DEFAULT_INTERVAL_SECONDS: '1',
      SMTP_URL: smtp.url,
      MAIL_FROM: 'monitor@example.test',
    });
  });

  afterAll(async () => {
    await product?.stop();
    await target?.down();
    await dns?.close();
    await smtp?.stop();
    await storage?.close();
  });

  it('monitors a local target end to end and keeps tenants apart', async () => {
    const alice = await newUser(product.url, 'alice@example.test');
    const me = await alice.get('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.email).toBe('alice@example.test');

    const created = await alice.post('/api/monitors', {
      name: 'Local target',
      url: target.url,
      interval_seconds: 1,
      timeout_ms: 800,
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;

    for (const address of ['one@example.test', 'two@example.test']) {
      const contact = await alice.post(`/api/monitors/${id}/contacts`, { type: 'email', address });
      expect(contact.status).toBe(201);
    }
    const contacts = await alice.get(`/api/monitors/${id}/contacts`);
    expect(contacts.body.items ?? contacts.body).toHaveLength(2);

    // Within one interval (plus the write batch), checks appear.
    const checks = await eventually(async () => {
      const page = await alice.get(`/api/monitors/${id}/checks?limit=10`);
      return page.body.items?.length > 0 ? page.body.items : null;
    }, 10_000, 'first checks');
    expect(checks[0]['monitor.status']).toBe('up');
    expect(checks[0]['http.response.status_code']).toBe(200);

    const history = await alice.get(`/api/monitors/${id}/history?bucket=hour`);
    expect(history.status).toBe(200);
    const filled = history.body.buckets.filter((b: { checks: number }) => b.checks > 0);
    expect(filled.length).toBeGreaterThanOrEqual(1);
    expect(filled.at(-1).uptime).toBe(1);

    const summary = await alice.get('/api/summary');
    expect(summary.status).toBe(200);
    const row = (summary.body.items ?? summary.body).find((m: { monitor_id: string }) => m.monitor_id === id);
    expect(row).toBeDefined();
    expect(row.status).toBe('up');

    // The target stops: down checks caused by connect failures.
    await target.down();
    const down = await eventually(async () => {
      const page = await alice.get(`/api/monitors/${id}/checks?status=down&limit=5`);
      return page.body.items?.length > 0 ? page.body.items : null;
    }, 10_000, 'a down check');
    expect(down[0]['monitor.status']).toBe('down');
    expect(down[0]['error.type']).toBe('connect');
    await target.up();

    // A second user sees none of it and can change none of it.
    const bob = await newUser(product.url, 'bob@example.test');
    for (const path of [`/api/monitors/${id}`, `/api/monitors/${id}/checks`, `/api/monitors/${id}/history`, `/api/monitors/${id}/contacts`, `/api/monitors/${id}/incidents`, `/api/monitors/${id}/notifications`]) {
      expect((await bob.get(path)).status, path).toBe(404);
    }
    expect((await bob.patch(`/api/monitors/${id}`, { name: 'mine now' })).status).toBe(404);
    expect((await bob.delete(`/api/monitors/${id}`)).status).toBe(404);
    expect((await bob.post(`/api/monitors/${id}/contacts`, { type: 'email', address: 'bob@example.test' })).status).toBe(404);
    const bobs = await bob.get('/api/monitors');
    expect(bobs.body.items ?? bobs.body).toHaveLength(0);
    expect((await alice.get(`/api/monitors/${id}`)).body.name).toBe('Local target');
  });

  it('monitors a TCP port and DNS records end to end, and lists them by type', async () => {
    const carol = await newUser(product.url, 'carol@example.test');
    const port = await carol.post('/api/monitors', { type: 'tcp', name: 'Shop port', url: `tcp://127.0.0.1:${target.port}`, interval_seconds: 1, timeout_ms: 800 });
    expect(port.status).toBe(201);
    const record = await carol.post('/api/monitors', {
      type: 'dns',
      name: 'Shop address',
      dns: { name: 'shop.test', record_type: 'A', resolver: dns.address, expect: '192.0.2.10' },
      interval_seconds: 1,
      timeout_ms: 800,
    });
    expect(record.status).toBe(201);
    const gone = await carol.post('/api/monitors', {
      type: 'dns',
      name: 'Old address',
      dns: { name: 'old.shop.test', record_type: 'A', resolver: dns.address },
      interval_seconds: 1,
      timeout_ms: 800,
    });
    expect(gone.status).toBe(201);

    const firstCheck = (id: string, status = '') =>
      eventually(async () => {
        const page = await carol.get(`/api/monitors/${id}/checks?limit=5${status}`);
        return page.body.items?.length > 0 ? page.body.items[0] : null;
      }, 15_000, `a check of ${id}`);

    const connected = await firstCheck(port.body.id);
    expect(connected).toMatchObject({ 'monitor.type': 'tcp', 'monitor.status': 'up', 'http.request.method': null, 'error.type': null, 'url.scheme': 'tcp' });
    expect(connected['tcp.rtt.connect.us']).toBeGreaterThan(0);

    const answered = await firstCheck(record.body.id);
    expect(answered).toMatchObject({
      'monitor.type': 'dns',
      'monitor.status': 'up',
      'dns.question.name': 'shop.test',
      'dns.question.type': 'A',
      'dns.answers.data': ['192.0.2.10'],
      'dns.response_code': 'NOERROR',
    });
    expect(answered['resolve.rtt.us']).toBeGreaterThan(0);

    const missing = await firstCheck(gone.body.id);
    expect(missing).toMatchObject({ 'monitor.status': 'down', 'error.type': 'dns', 'dns.response_code': 'NXDOMAIN', 'dns.answers.data': [] });
    expect(missing['error.message']).toMatch(/old\.shop\.test A: no such name \(NXDOMAIN\)/);

    const listed = await carol.get('/api/monitors?type=dns');
    expect(listed.body.items.map((m: { id: string }) => m.id)).toEqual([record.body.id, gone.body.id]);

    await target.down();
    const refused = await firstCheck(port.body.id, '&status=down');
    expect(refused).toMatchObject({ 'monitor.status': 'down', 'error.type': 'connect' });
    await target.up();
  });

  it('records a cron job\'s pushes, mails DOWN on a down push, and writes a missed check when it falls silent', async () => {
    const dave = await newUser(product.url, 'dave@example.test');
    const created = await dave.post('/api/monitors', { type: 'push', name: 'Nightly backup', interval_seconds: 2, grace_seconds: 1, confirm_failures: 1 });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const secret: string = created.body.push_url;
    expect(secret).toMatch(/\/push\/[A-Za-z0-9_-]{32}$/);
    expect((await dave.post(`/api/monitors/${id}/contacts`, { type: 'email', address: 'ops@example.test' })).status).toBe(201);
    // The job calls the path it was given, on this server.
    const push = (query = '', method = 'GET') => fetch(product.url + new URL(secret).pathname + query, { method });

    expect((await push()).status).toBe(200);
    expect((await push('?status=down&msg=disk%20full&ping=2500', 'POST')).status).toBe(200);
    const downMail = await eventually(async () => smtp.mails.find((m) => m.subject.includes('Nightly backup') && /DOWN/.test(m.subject)) ?? null, 30_000, 'a DOWN mail');
    expect(downMail.text).toContain('disk full');
    expect((await push('?status=up')).status).toBe(200);
    // Elasticsearch shows a write to searches within about a second.
    const pushed = await eventually(async () => {
      const page = await dave.get(`/api/monitors/${id}/checks?limit=10`);
      return page.body.items?.length >= 3 ? page : null;
    }, 10_000, 'three pushed checks');
    expect(pushed.body.items.map((c: Record<string, unknown>) => [c['monitor.status'], c['observer.name'], c['error.type']])).toEqual([
      ['up', 'push', null],
      ['down', 'push', 'reported'],
      ['up', 'push', null],
    ]);

    // Silence: the collector writes a missed check 3 s after the last push (+ its settle margin).
    const missed = await eventually(async () => {
      const page = await dave.get(`/api/monitors/${id}/checks?status=down&limit=5`);
      return page.body.items?.find((c: Record<string, unknown>) => c['error.type'] === 'missed') ?? null;
    }, 30_000, 'a missed check');
    expect(missed).toMatchObject({ 'monitor.type': 'push', 'monitor.status': 'down' });

    // A new URL; the old one is refused at once; the token is in no log line.
    const fresh = await dave.post(`/api/monitors/${id}/push-token`, {});
    expect(fresh.status).toBe(200);
    expect((await push()).status).toBe(404);
    const token = new URL(secret).pathname.split('/').at(-1)!;
    expect(product.output()).not.toContain(token);
  });

  it('serves the API docs and the OpenAPI document', async () => {
    const anon = apiClient(product.url);
    expect((await anon.get('/openapi.json')).body.openapi).toMatch(/^3\.1/);
    const docs = await fetch(product.url + '/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('<html');
  });
});

describe('private targets', () => {
  it('refuses a monitor on 127.0.0.1 without ALLOW_PRIVATE_TARGETS, with the reason', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dm-private-'));
    const product = await startProduct({ DATA_DIR: dataDir });
    try {
      const user = await newUser(product.url, 'carol@example.test');
      const refused = await user.post('/api/monitors', { name: 'Loopback', url: 'http://127.0.0.1:8080/' });
      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(JSON.stringify(refused.body)).toMatch(/private|loopback/i);
      expect(JSON.stringify(refused.body)).toContain('ALLOW_PRIVATE_TARGETS');
    } finally {
      await product.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('start-up configuration', () => {
  it('stops with one line naming a bad variable', async () => {
    const result = await runProductExpectingFailure({ PORT: 'eighty', DATA_DIR: join(tmpdir(), 'dm-never-used') });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('invalid PORT="eighty": expected a whole number from 0 to 65535');
  });

  it('stops with one line naming a search engine it cannot reach', async () => {
    const result = await runProductExpectingFailure({ ELASTICSEARCH_URL: 'http://127.0.0.1:9', JWT_SECRET: 'x'.repeat(32) });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^cannot open the Elasticsearch store at http:\/\/127\.0\.0\.1:9: /);
  });

  it('never echoes a secret in that line', async () => {
    const result = await runProductExpectingFailure({ JWT_SECRET: 'short-secret' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('JWT_SECRET');
    expect(result.stderr).not.toContain('short-secret');
  });
});
