// The tcp probe against real ports on 127.0.0.1: one that refuses, one that accepts, TLS ones with
// a trusted and an expired certificate, one that never answers the handshake, and the guard.

import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbeTrust } from '../config.ts';
import { probe, type ProbeOptions } from '../probe.ts';
import { createTestPki, type TestPki } from '../testing/certs.ts';
import { testMonitor } from '../testing/monitor.ts';
import { freePort } from '../../test/support/free-port.ts';

let pki: TestPki;
let trust: SecureContext;
const servers: Server[] = [];
const sockets = new Set<Socket>();

async function listen(server: Server): Promise<number> {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(() => {
  pki = createTestPki();
  trust = createProbeTrust(pki.caCert);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  pki.dispose();
});

const base: ProbeOptions = { allowPrivate: true, observer: 'test-observer' };
const tcpMonitor = (url: string, timeout_ms = 3000) => testMonitor({ type: 'tcp', url, timeout_ms });

describe('tcp probe', () => {
  it('is up when the port accepts, with the connect time and no HTTP fields', async () => {
    const port = await listen(createTcpServer((s) => s.end()));
    const check = await probe(tcpMonitor(`tcp://127.0.0.1:${port}`), base);
    expect(check).toMatchObject({
      status: 'up',
      monitor_type: 'tcp',
      method: null,
      status_code: null,
      first_byte_us: null,
      resolved_ip: '127.0.0.1',
      tls_us: null,
      error_type: null,
    });
    expect(check.connect_us).toBeGreaterThan(0);
    expect(check).not.toHaveProperty('dns');
  });

  it('is down with error.type connect when the port refuses', async () => {
    const port = await freePort();
    const check = await probe(tcpMonitor(`tcp://127.0.0.1:${port}`), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'connect', connect_us: null });
    expect(check.error_message).toMatch(new RegExp(`ECONNREFUSED.*127\\.0\\.0\\.1:${port}`));
  });

  it('connects and handshakes tls://, recording the certificate like https', async () => {
    const port = await listen(createTlsServer(pki.issue(['127.0.0.1'], { days: 12 }), (s) => s.end()));
    const check = await probe(tcpMonitor(`tls://127.0.0.1:${port}`), { ...base, secureContext: trust });
    expect(check).toMatchObject({ status: 'up', tls_version: 'TLSv1.3', cert_issuer: 'Downtime Test CA', error_type: null });
    expect(check.tls_us).toBeGreaterThan(0);
    const days = (check.cert_not_after! - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(11);
    expect(days).toBeLessThan(13);
  });

  it('is down with error.type tls on an expired certificate, the certificate still recorded', async () => {
    const port = await listen(createTlsServer(pki.issue(['127.0.0.1'], { days: -1 }), (s) => s.end()));
    const check = await probe(tcpMonitor(`tls://127.0.0.1:${port}`), { ...base, secureContext: trust });
    expect(check).toMatchObject({ status: 'down', error_type: 'tls', cert_issuer: 'Downtime Test CA' });
    expect(check.error_message).toMatch(/it has expired \(CERT_HAS_EXPIRED\)/);
    expect(check.cert_not_after).toBeLessThan(Date.now());
  });

  it('times out in the TLS handshake when a tls:// port accepts but never answers', async () => {
    const port = await listen(createTcpServer(() => {}));
    const check = await probe(tcpMonitor(`tls://127.0.0.1:${port}`, 300), { ...base, secureContext: trust });
    expect(check).toMatchObject({ status: 'down', error_type: 'timeout' });
    expect(check.error_message).toMatch(/timed out after 300 ms in the TLS handshake/);
    expect(check.connect_us).toBeGreaterThan(0);
  });

  it('refuses a private address unless private targets are allowed', async () => {
    const port = await listen(createTcpServer((s) => s.end()));
    const check = await probe(tcpMonitor(`tcp://127.0.0.1:${port}`), { ...base, allowPrivate: false });
    expect(check).toMatchObject({ status: 'down', error_type: 'blocked', connect_us: null });
    expect(check.error_message).toMatch(/loopback.*ALLOW_PRIVATE_TARGETS/);
  });
});
