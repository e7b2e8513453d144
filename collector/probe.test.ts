// Probes against real HTTP(S) servers on 127.0.0.1: timings, certificates and every failure type.

import { X509Certificate } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import type { SecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LookupFn } from './check/connect.ts';
import { createProbeTrust } from './config.ts';
import { probe, type ProbeOptions } from './probe.ts';
import { createTestPki, type TestPki } from './testing/certs.ts';
import { testMonitor } from './testing/monitor.ts';
import { httpsTarget, httpTarget, type Target } from './testing/servers.ts';
import { freePort } from '../test/support/free-port.ts';

/** Public-looking names for tests, answered locally instead of by DNS. */
function fakeDns(map: Record<string, string>): LookupFn {
  return async (hostname) => {
    const address = map[hostname];
    if (address === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return { address, family: address.includes(':') ? 6 : 4 };
  };
}

/** A TCP server on 127.0.0.1 that answers the first bytes it receives with `reply`, verbatim. */
async function rawTarget(reply: string): Promise<{ url: string }> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end(reply));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const target: Target = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    port: (server.address() as AddressInfo).port,
    requests: [],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  targets.push(target);
  return target;
}

let pki: TestPki;
let trust: SecureContext;
const targets: Target[] = [];
const open = async (t: Promise<Target>) => {
  const target = await t;
  targets.push(target);
  return target;
};

beforeAll(() => {
  pki = createTestPki();
  trust = createProbeTrust(pki.caCert);
});
afterAll(async () => {
  await Promise.all(targets.map((t) => t.close()));
  pki.dispose();
});

const base: ProbeOptions = { allowPrivate: true, observer: 'test-observer' };

describe('probe: up checks', () => {
  it('records every phase, the certificate and the body of an HTTPS site', async () => {
    const issued = pki.issue(['site.test']);
    const site = await open(httpsTarget(issued, (_req, res) => res.end('hello world')));
    const before = Date.now();
    const check = await probe(testMonitor({ url: `https://site.test:${site.port}/path?q=1`, keyword: 'world' }), {
      ...base,
      secureContext: trust,
      lookup: fakeDns({ 'site.test': '127.0.0.1' }),
      scheduledAt: before,
    });
    expect(check).toMatchObject({
      status: 'up',
      status_code: 200,
      body_bytes: 11,
      resolved_ip: '127.0.0.1',
      tls_version: 'TLSv1.3',
      cert_issuer: 'Downtime Test CA',
      error_type: null,
      error_message: null,
      observer: 'test-observer',
      monitor_id: 'mon-1',
      next_at: before + 60_000,
    });
    for (const field of ['dns_us', 'connect_us', 'tls_us', 'first_byte_us', 'total_us', 'duration_us'] as const) {
      expect(check[field], field).toBeTypeOf('number');
    }
    expect(check.duration_us).toBeGreaterThanOrEqual(check.total_us ?? Infinity);
    expect(check.cert_not_after).toBeGreaterThan(before + 9 * 86_400_000);
    expect(check.cert_not_after).toBeLessThan(before + 11 * 86_400_000);
    // The fingerprint the [CERT] messages key on: lowercase hex, as ECS tls.server.hash.sha256.
    expect(check.cert_sha256).toBe(new X509Certificate(issued.cert).fingerprint256.replaceAll(':', '').toLowerCase());
    expect(site.requests[0]?.url).toBe('/path?q=1');
    expect(check.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('resolves names through the system resolver and sends method, headers and a user agent', async () => {
    const site = await open(httpTarget((_req, res) => res.end('ok')));
    const check = await probe(
      testMonitor({ url: `http://localhost:${site.port}/`, method: 'POST', headers: { 'X-Token': 'abc' } }),
      base,
    );
    expect(check.status).toBe('up');
    expect(check.dns_us).toBeTypeOf('number');
    expect(check.tls_us).toBeNull();
    const req = site.requests[0];
    expect(req?.method).toBe('POST');
    expect(req?.headers['x-token']).toBe('abc');
    expect(req?.headers['user-agent']).toMatch(/^downtime-monitor\//);
  });

  it('sends HEAD without reading a body', async () => {
    const site = await open(httpTarget((_req, res) => res.writeHead(204).end()));
    const check = await probe(testMonitor({ url: site.url, method: 'HEAD' }), base);
    expect(check).toMatchObject({ status: 'up', status_code: 204, body_bytes: 0 });
    expect(site.requests[0]?.method).toBe('HEAD');
  });

  it('reads a body larger than 1 MiB only up to the cap and still finds an early keyword', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 'a');
    big.write('needle', 10);
    big.write('late', 2 * 1024 * 1024);
    const site = await open(httpTarget((_req, res) => res.end(big)));
    const up = await probe(testMonitor({ url: site.url, keyword: 'needle' }), base);
    expect(up).toMatchObject({ status: 'up', body_bytes: 1024 * 1024 });
    const down = await probe(testMonitor({ url: site.url, keyword: 'late' }), base);
    expect(down).toMatchObject({ status: 'down', error_type: 'keyword', body_bytes: 1024 * 1024 });
    expect(down.error_message).toContain('first 1048576 bytes');
  });

  it('finds a keyword split across two body chunks', async () => {
    const site = await open(
      httpTarget((_req, res) => {
        res.write('xxxx key');
        setTimeout(() => res.end('word yyyy'), 20);
      }),
    );
    const check = await probe(testMonitor({ url: site.url, keyword: 'keyword' }), base);
    expect(check.status).toBe('up');
  });

  it('follows up to 5 redirects and reports the final status', async () => {
    const site = await open(
      httpTarget((req, res) => {
        const n = Number(req.url?.slice(1) || 0);
        if (n < 5) res.writeHead(302, { location: `/${n + 1}` }).end();
        else res.end('final');
      }),
    );
    const check = await probe(testMonitor({ url: `${site.url}/0` }), base);
    expect(check).toMatchObject({ status: 'up', status_code: 200, body_bytes: 5 });
    expect(site.requests).toHaveLength(6);
  });
});

describe('probe: failures', () => {
  it('reports an untrusted certificate as tls, with the certificate recorded', async () => {
    const site = await open(httpsTarget(pki.issue(['127.0.0.1']), (_req, res) => res.end('x')));
    const check = await probe(testMonitor({ url: site.url }), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'tls', cert_issuer: 'Downtime Test CA', status_code: null });
    expect(check.error_message).toMatch(/not trusted/);
    expect(site.requests).toHaveLength(0);
  });

  it('reports a certificate for another name as tls', async () => {
    const site = await open(httpsTarget(pki.issue(['other.test']), (_req, res) => res.end('x')));
    const check = await probe(testMonitor({ url: `https://site.test:${site.port}/` }), {
      ...base,
      secureContext: trust,
      lookup: fakeDns({ 'site.test': '127.0.0.1' }),
    });
    expect(check).toMatchObject({ status: 'down', error_type: 'tls' });
    expect(check.error_message).toMatch(/site\.test/);
  });

  it.each([
    ['a wildcard name', ['*.site.test'], 'www.site.test'],
    ['an IP address', ['127.0.0.1'], '127.0.0.1'],
  ])('accepts a trusted certificate for %s', async (_name, names, host) => {
    const site = await open(httpsTarget(pki.issue(names), (_req, res) => res.end('x')));
    const check = await probe(testMonitor({ url: `https://${host}:${site.port}/` }), {
      ...base,
      secureContext: trust,
      lookup: fakeDns({ 'www.site.test': '127.0.0.1' }),
    });
    expect(check).toMatchObject({ status: 'up', error_type: null });
  });

  it('refuses a wildcard certificate for a name two levels down', async () => {
    const site = await open(httpsTarget(pki.issue(['*.site.test']), (_req, res) => res.end('x')));
    const check = await probe(testMonitor({ url: `https://a.b.site.test:${site.port}/` }), {
      ...base,
      secureContext: trust,
      lookup: fakeDns({ 'a.b.site.test': '127.0.0.1' }),
    });
    expect(check).toMatchObject({ status: 'down', error_type: 'tls' });
    expect(check.error_message).toBe('certificate of a.b.site.test not trusted: it is issued for other names (ERR_TLS_CERT_ALTNAME_INVALID)');
  });

  it('reports a refused connection as connect', async () => {
    const port = await freePort();
    const check = await probe(testMonitor({ url: `http://127.0.0.1:${port}/` }), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'connect', connect_us: null, resolved_ip: '127.0.0.1' });
    expect(check.error_message).toContain('ECONNREFUSED');
  });

  it('reports an unresolvable host as dns', async () => {
    const check = await probe(testMonitor({ url: 'http://nonexistent.invalid/' }), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'dns', resolved_ip: null });
    expect(check.error_message).toContain('nonexistent.invalid');
  });

  it('times out within timeout_ms on a server that accepts and never answers', async () => {
    const server = createServer(() => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const started = Date.now();
      // A busy machine may stall this process past the deadline: the probe then runs again.
      let attempts = 1;
      let stalledMs = 0;
      const onStalledTimeout = (ms: number) => {
        attempts++;
        stalledMs += ms;
      };
      const check = await probe(testMonitor({ url: `http://127.0.0.1:${port}/`, timeout_ms: 400 }), { ...base, onStalledTimeout });
      const took = Date.now() - started;
      expect(check).toMatchObject({ status: 'down', error_type: 'timeout', first_byte_us: null });
      expect(check.error_message).toMatch(/^timed out after 400 ms waiting for response headers( \(this collector was itself unresponsive for \d+ ms meanwhile\))?$/);
      expect(took).toBeGreaterThanOrEqual(390);
      expect(took).toBeLessThan(attempts * 400 + stalledMs + 500);
    } finally {
      server.close();
    }
  });

  it('times out on a body that trickles slower than the deadline', async () => {
    const site = await open(
      httpTarget((_req, res) => {
        res.write('start');
        const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('.')), 50);
      }),
    );
    const check = await probe(testMonitor({ url: site.url, timeout_ms: 400 }), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'timeout', status_code: 200 });
    expect(check.first_byte_us).toBeTypeOf('number');
    expect(check.error_message).toContain('reading the body');
    expect(check.duration_us).toBeLessThan(900_000);
  });

  it.each([
    ['500', 500, '200-399'],
    ['404 outside a list', 404, '200,204,300-302'],
  ])('reports %s as status', async (_name, code, expect_status) => {
    const site = await open(httpTarget((_req, res) => res.writeHead(code).end('nope')));
    const check = await probe(testMonitor({ url: site.url, expect_status }), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'status', status_code: code, body_bytes: 4 });
    expect(check.error_message).toBe(`status ${code} is not in the expected ${expect_status}`);
  });

  it('reports a missing keyword as keyword', async () => {
    const site = await open(httpTarget((_req, res) => res.end('maintenance page')));
    const check = await probe(testMonitor({ url: site.url, keyword: 'Welcome' }), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'keyword', status_code: 200 });
    expect(check.error_message).toBe('keyword "Welcome" not found: not in the body (16 bytes)');
  });

  it('reports a redirect loop as redirects', async () => {
    const site = await open(httpTarget((req, res) => res.writeHead(301, { location: req.url === '/a' ? '/b' : '/a' }).end()));
    const check = await probe(testMonitor({ url: `${site.url}/a` }), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'redirects' });
    expect(check.error_message).toMatch(/^redirect loop: .*\/a → .*\/b → .*\/a$/);
  });

  it('reports a sixth redirect as redirects', async () => {
    const site = await open(
      httpTarget((req, res) => res.writeHead(307, { location: `/${Number(req.url?.slice(1)) + 1}` }).end()),
    );
    const check = await probe(testMonitor({ url: `${site.url}/0` }), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'redirects' });
    expect(check.error_message).toContain('more than 5 redirects');
    expect(site.requests).toHaveLength(6);
  });

  it('reports a redirect to an unparsable Location as redirects', async () => {
    const site = await rawTarget('HTTP/1.1 302 Found\r\nLocation: http://[::1\r\nContent-Length: 0\r\n\r\n');
    const check = await probe(testMonitor({ url: site.url }), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'redirects', status_code: 302 });
    expect(check.error_message).toBe(`redirect from ${site.url}/ to an invalid URL: "http://[::1"`);
  });

  it('reports a reply that is not HTTP as protocol', async () => {
    const site = await rawTarget('SSH-2.0-OpenSSH_9.6\r\n');
    const check = await probe(testMonitor({ url: site.url }), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'protocol', status_code: null, connect_us: expect.any(Number) });
    expect(check.error_message).toMatch(/^the reply from 127\.0\.0\.1:\d+ is not HTTP: .*Expected HTTP\//);
  });

  it('reports response headers over the limit as protocol', async () => {
    const site = await rawTarget(`HTTP/1.1 200 OK\r\nX-Padding: ${'a'.repeat(64 * 1024)}\r\nContent-Length: 2\r\n\r\nok`);
    const check = await probe(testMonitor({ url: site.url }), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'protocol', status_code: null });
    expect(check.error_message).toMatch(/^response headers from 127\.0\.0\.1:\d+ exceed 16384 bytes$/);
  });

  it('reports a connection closed mid-body as body', async () => {
    const site = await open(
      httpTarget((_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
        setTimeout(() => res.socket?.destroy(), 20);
      }),
    );
    const check = await probe(testMonitor({ url: site.url }), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'body', status_code: 200 });
  });
});

describe('probe: private address protection', () => {
  const guarded: ProbeOptions = { allowPrivate: false, observer: 'test-observer' };

  it('refuses a loopback target before sending anything', async () => {
    const site = await open(httpTarget((_req, res) => res.end('secret')));
    const check = await probe(testMonitor({ url: site.url }), guarded);
    expect(check).toMatchObject({ status: 'down', error_type: 'blocked', resolved_ip: '127.0.0.1', connect_us: null });
    expect(check.error_message).toContain('loopback address 127.0.0.1');
    expect(site.requests).toHaveLength(0);
  });

  it('refuses a public-looking name that resolves to a private address', async () => {
    const check = await probe(testMonitor({ url: 'http://rebind.example/' }), {
      ...guarded,
      lookup: fakeDns({ 'rebind.example': '169.254.169.254' }),
    });
    expect(check).toMatchObject({ status: 'down', error_type: 'blocked' });
    expect(check.error_message).toContain('cloud metadata address 169.254.169.254');
  });

  it('checks the address again after a redirect', async () => {
    // 127.0.0.1 is opened on purpose (allowedRanges), the redirect target resolves to 127.0.0.2.
    const site = await open(httpTarget((_req, res) => res.writeHead(302, { location: 'http://internal.example/' }).end()));
    const check = await probe(testMonitor({ url: site.url }), {
      ...guarded,
      allowedRanges: ['127.0.0.1/32'],
      lookup: fakeDns({ 'internal.example': '127.0.0.2' }),
    });
    expect(site.requests).toHaveLength(1);
    expect(check).toMatchObject({ status: 'down', error_type: 'blocked', resolved_ip: '127.0.0.2' });
    expect(check.error_message).toContain('internal.example');
  });

  it('drops credentials when a redirect leaves the origin', async () => {
    const second = await open(httpTarget((_req, res) => res.end('ok')));
    const first = await open(httpTarget((_req, res) => res.writeHead(302, { location: second.url }).end()));
    const check = await probe(testMonitor({ url: first.url, headers: { Authorization: 'Bearer s3cret', 'X-Keep': '1' } }), base);
    expect(check.status).toBe('up');
    expect(first.requests[0]?.headers.authorization).toBe('Bearer s3cret');
    expect(second.requests[0]?.headers.authorization).toBeUndefined();
    expect(second.requests[0]?.headers['x-keep']).toBe('1');
  });
});
