// The product against a secured cluster: nginx terminates TLS in front of the test run's search
// engine, with a CA and certificate made by openssl now, and checks an API key or a password
// (test/support/tls-proxy.ts). The store opens through it with a CA file or a CA fingerprint and
// either credential; an untrusted certificate or refused credentials stop start-up with one line
// that names what to set, and no secret ever reaches the output.
// Needs nginx (Debian package `nginx`): skipped with a notice without it, failed with
// REQUIRE_ELASTICSEARCH=1 (as in CI).

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { openStore, StoreUnavailableError } from '../main.ts';
import { dropNamespace, freshNamespace, newTestClient, refreshNamespace } from '../elastic/store/testing.ts';
import { makeCheck, monitorInput } from '../store/testing/fixtures.ts';
import { eventually, newUser } from './support/api-client.ts';
import { runProductExpectingFailure, startProduct } from './support/product.ts';
import { startTarget } from './support/target.ts';
import { findNginx, startTlsProxy, type TlsProxy } from './support/tls-proxy.ts';

const esUrl = inject('esUrl');
const nginx = findNginx();
if (!nginx && process.env.REQUIRE_ELASTICSEARCH === '1') {
  throw new Error('REQUIRE_ELASTICSEARCH=1 but nginx is not installed: the TLS and authentication tests need it (apt-get install nginx)');
}
if (esUrl && !nginx) {
  console.warn(
    '\n' + '*'.repeat(88) + '\n*** NO NGINX: test/elasticsearch-tls.test.ts (TLS and auth to Elasticsearch) is SKIPPED.\n' +
      '*** Install the Debian package nginx to run it; with REQUIRE_ELASTICSEARCH=1 this is a failure.\n' + '*'.repeat(88) + '\n',
  );
}

const JWT_SECRET = 'tls-scenario-secret-'.repeat(3);
const colonless = (fingerprint: string) => fingerprint.replaceAll(':', '').toLowerCase();

describe.skipIf(!esUrl || !nginx)('the Elasticsearch store behind TLS and authentication (nginx)', () => {
  let proxy: TlsProxy;
  let direct: Client;
  const namespaces: string[] = [];

  beforeAll(async () => {
    proxy = await startTlsProxy({ upstream: esUrl as string });
    direct = newTestClient(esUrl as string);
  });

  afterAll(async () => {
    for (const namespace of namespaces) await dropNamespace(direct, namespace).catch(() => undefined);
    await direct?.close();
    await proxy?.stop();
  });

  const storeEnv = (variables: Record<string, string>) => {
    const namespace = freshNamespace();
    namespaces.push(namespace);
    return { STORE: 'elasticsearch', JWT_SECRET, ELASTICSEARCH_NAMESPACE: namespace, ...variables };
  };

  type Way = { trust: string; auth: string; env: (p: TlsProxy) => Record<string, string> };
  const ways: Way[] = [
    {
      trust: 'a CA file',
      auth: 'an API key',
      env: (p) => ({ ELASTICSEARCH_URL: p.apiKeyUrl, ELASTICSEARCH_CA_FILE: p.pki.caFile, ELASTICSEARCH_API_KEY: p.apiKey }),
    },
    {
      trust: 'a CA file',
      auth: 'a user name and password',
      env: (p) => ({ ELASTICSEARCH_URL: p.basicUrl, ELASTICSEARCH_CA_FILE: p.pki.caFile, ELASTICSEARCH_USERNAME: p.username, ELASTICSEARCH_PASSWORD: p.password }),
    },
    {
      trust: "a CA fingerprint as openssl prints it (AA:BB:…)",
      auth: 'an API key',
      env: (p) => ({ ELASTICSEARCH_URL: p.apiKeyUrl, ELASTICSEARCH_CA_FINGERPRINT: p.pki.caFingerprint, ELASTICSEARCH_API_KEY: p.apiKey }),
    },
    {
      trust: 'a CA fingerprint as Elasticsearch prints it (plain hex)',
      auth: 'a user name and password',
      env: (p) => ({
        ELASTICSEARCH_URL: p.basicUrl,
        ELASTICSEARCH_CA_FINGERPRINT: colonless(p.pki.caFingerprint),
        ELASTICSEARCH_USERNAME: p.username,
        ELASTICSEARCH_PASSWORD: p.password,
      }),
    },
  ];

  it.each(ways)('opens the store with $trust and $auth, and writes and reads checks through it', async (way) => {
    const env = storeEnv(way.env(proxy));
    const store = await openStore(loadConfig(env));
    try {
      const owner = await store.createUser({ email: `tls-${randomBytes(4).toString('hex')}@example.test`, password_hash: 'scrypt$hash' });
      const monitor = await store.createMonitor(owner.id, monitorInput({ name: 'Behind TLS' }));
      const start = Date.now() - 60_000;
      const checks = [makeCheck(monitor, start), makeCheck(monitor, start + 20_000, { status: 'down' }), makeCheck(monitor, start + 40_000)];
      await store.appendChecks(checks);
      await refreshNamespace(direct, env.ELASTICSEARCH_NAMESPACE);
      const page = await store.listChecks(owner.id, monitor.id, { limit: 10 });
      expect(page?.items).toEqual([...checks].reverse());
    } finally {
      await store.close();
    }
  });

  type Refusal = { what: string; env: (p: TlsProxy) => Record<string, string>; says: RegExp };
  const wrongKey = `wrong-${randomBytes(12).toString('base64')}`;
  const wrongPassword = `wrong-${randomBytes(12).toString('base64url')}`;
  const refusals: Refusal[] = [
    {
      what: 'a certificate signed by a private CA when no CA is given',
      env: (p) => ({ ELASTICSEARCH_URL: p.apiKeyUrl, ELASTICSEARCH_API_KEY: p.apiKey }),
      says: /its TLS certificate is not signed by a public CA: set ELASTICSEARCH_CA_FILE to the CA certificate that signed it .*, or ELASTICSEARCH_CA_FINGERPRINT to that CA's SHA-256 fingerprint \(SELF_SIGNED_CERT_IN_CHAIN\)$/,
    },
    {
      what: 'a certificate the CA file did not sign',
      env: (p) => ({ ELASTICSEARCH_URL: p.apiKeyUrl, ELASTICSEARCH_CA_FILE: p.pki.otherCaFile, ELASTICSEARCH_API_KEY: p.apiKey }),
      says: /its TLS certificate is not signed by the CA in ELASTICSEARCH_CA_FILE=\S+other-ca\.crt: set it to the CA certificate that signed the server's \(SELF_SIGNED_CERT_IN_CHAIN\)$/,
    },
    {
      what: 'a fingerprint that matches no certificate of the server',
      env: (p) => ({ ELASTICSEARCH_URL: p.apiKeyUrl, ELASTICSEARCH_CA_FINGERPRINT: p.pki.otherCaFingerprint, ELASTICSEARCH_API_KEY: p.apiKey }),
      says: /ELASTICSEARCH_CA_FINGERPRINT matches none of the certificates the server presents: check it .*, or set ELASTICSEARCH_CA_FILE$/,
    },
    {
      what: "the fingerprint of the server's own certificate instead of its CA's",
      env: (p) => ({ ELASTICSEARCH_URL: p.apiKeyUrl, ELASTICSEARCH_CA_FINGERPRINT: p.pki.serverFingerprint, ELASTICSEARCH_API_KEY: p.apiKey }),
      says: /ELASTICSEARCH_CA_FINGERPRINT is the fingerprint of the server's own certificate, not of a CA/,
    },
    {
      what: 'a forged certificate that sends the pinned CA along but is not signed by it',
      env: (p) => ({ ELASTICSEARCH_URL: p.forgedUrl, ELASTICSEARCH_CA_FINGERPRINT: p.pki.caFingerprint, ELASTICSEARCH_API_KEY: p.apiKey }),
      says: /its TLS certificate is not signed by the CA that ELASTICSEARCH_CA_FINGERPRINT names: check the fingerprint, or set ELASTICSEARCH_CA_FILE \(CERT_SIGNATURE_FAILURE\)$/,
    },
    {
      what: 'the same forged certificate with the CA file',
      env: (p) => ({ ELASTICSEARCH_URL: p.forgedUrl, ELASTICSEARCH_CA_FILE: p.pki.caFile, ELASTICSEARCH_API_KEY: p.apiKey }),
      says: /its TLS certificate is not signed by the CA in ELASTICSEARCH_CA_FILE=\S+ca\.crt: .* \(CERT_SIGNATURE_FAILURE\)$/,
    },
    {
      what: 'a host the certificate does not list',
      env: (p) => ({ ELASTICSEARCH_URL: p.unlistedHostUrl, ELASTICSEARCH_CA_FILE: p.pki.caFile, ELASTICSEARCH_API_KEY: p.apiKey }),
      says: /its TLS certificate is not valid for 127\.0\.0\.2 \(ERR_TLS_CERT_ALTNAME_INVALID\): use in ELASTICSEARCH_URL a host name or address the certificate lists$/,
    },
    {
      what: 'a CA file that does not exist',
      env: (p) => ({ ELASTICSEARCH_URL: p.apiKeyUrl, ELASTICSEARCH_CA_FILE: join(tmpdir(), 'no-such-ca.crt'), ELASTICSEARCH_API_KEY: p.apiKey }),
      says: /cannot read ELASTICSEARCH_CA_FILE=\S+no-such-ca\.crt \(ENOENT\)$/,
    },
    {
      what: 'a wrong API key',
      env: (p) => ({ ELASTICSEARCH_URL: p.apiKeyUrl, ELASTICSEARCH_CA_FILE: p.pki.caFile, ELASTICSEARCH_API_KEY: wrongKey }),
      says: /the server refused ELASTICSEARCH_API_KEY \(401\): set a valid, unexpired API key$/,
    },
    {
      what: 'a wrong password',
      env: (p) => ({ ELASTICSEARCH_URL: p.basicUrl, ELASTICSEARCH_CA_FILE: p.pki.caFile, ELASTICSEARCH_USERNAME: p.username, ELASTICSEARCH_PASSWORD: wrongPassword }),
      says: /the server refused ELASTICSEARCH_USERNAME\/ELASTICSEARCH_PASSWORD \(401\): check the user name and password$/,
    },
    {
      what: 'no credentials at all',
      env: (p) => ({ ELASTICSEARCH_URL: p.apiKeyUrl, ELASTICSEARCH_CA_FILE: p.pki.caFile }),
      says: /the server requires authentication \(401\): set ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD$/,
    },
  ];

  it.each(refusals)('refuses to open the store on $what, with one line naming what to set', async (refusal) => {
    const env = refusal.env(proxy);
    const error = await openStore(loadConfig(storeEnv(env))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message.startsWith(`cannot open the Elasticsearch store at ${new URL(env.ELASTICSEARCH_URL!).origin}: `)).toBe(true);
    expect(message).toMatch(refusal.says);
    for (const secret of [proxy.apiKey, proxy.password, wrongKey, wrongPassword]) expect(message).not.toContain(secret);
  });

  const startUpRefusals = refusals.filter((r) => /no CA is given|matches no certificate|wrong API key|wrong password/.test(r.what));

  it.each(startUpRefusals)('`node main.ts` exits with 1 and one line on $what', async (refusal) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tls-refusal-'));
    try {
      const env = refusal.env(proxy);
      const result = await runProductExpectingFailure({ ...storeEnv(env), DATA_DIR: dataDir });
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]!.startsWith(`cannot open the Elasticsearch store at ${new URL(env.ELASTICSEARCH_URL!).origin}: `)).toBe(true);
      expect(lines[0]).toMatch(refusal.says);
      for (const secret of [proxy.apiKey, proxy.password, wrongKey, wrongPassword]) {
        expect(result.stderr + result.stdout).not.toContain(secret);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!esUrl || !nginx)('the whole product on a secured cluster (nginx)', () => {
  it.each([
    { auth: 'an API key', secret: (p: TlsProxy) => p.apiKey, env: (p: TlsProxy) => ({ ELASTICSEARCH_URL: p.apiKeyUrl, ELASTICSEARCH_API_KEY: p.apiKey }) },
    {
      auth: 'a password',
      secret: (p: TlsProxy) => p.password,
      env: (p: TlsProxy) => ({ ELASTICSEARCH_URL: p.basicUrl, ELASTICSEARCH_USERNAME: p.username, ELASTICSEARCH_PASSWORD: p.password }),
    },
  ])(
    'probes and stores checks through TLS with a CA fingerprint and $auth, and never logs the secret, even when the cluster is away for a while',
    async (way) => {
      const proxy = await startTlsProxy({ upstream: esUrl as string });
      const direct = newTestClient(esUrl as string);
      const namespace = freshNamespace();
      const dataDir = await mkdtemp(join(tmpdir(), 'tls-product-'));
      const target = await startTarget();
      const product = await startProduct({
        ...way.env(proxy),
        ELASTICSEARCH_CA_FINGERPRINT: proxy.pki.caFingerprint,
        STORE: 'elasticsearch',
        ELASTICSEARCH_NAMESPACE: namespace,
        JWT_SECRET,
        DATA_DIR: dataDir,
        ALLOW_PRIVATE_TARGETS: 'true',
        MIN_INTERVAL_SECONDS: '1',
        DEFAULT_INTERVAL_SECONDS: '1',
      });
      try {
        const user = await newUser(product.url, 'tls@example.test');
        const created = await user.post('/api/monitors', { name: 'Local target', url: target.url, interval_seconds: 1, timeout_ms: 800 });
        expect(created.status).toBe(201);
        const checks = await eventually(
          async () => {
            await refreshNamespace(direct, namespace);
            const page = await user.get(`/api/monitors/${created.body.id}/checks?limit=5`);
            return page.status === 200 && page.body.items.length > 0 ? page.body.items : null;
          },
          60_000,
          'a check stored through the TLS proxy',
        );
        expect(checks[0]).toMatchObject({ 'monitor.status': 'up', 'url.full': target.url });

        // The cluster goes away for a while: the failed requests are logged, with their errors…
        const before = product.logs.length;
        await proxy.down();
        await eventually(
          async () => product.logs.slice(before).some((entry) => Number(entry.level) >= 40 && entry.err),
          60_000,
          'a logged failure to reach the cluster',
        );
        await proxy.up();
        expect(await product.stop()).toBe(0);
        // …and neither the start, the work, the failures nor the shutdown printed the credential.
        expect(product.output()).not.toContain(way.secret(proxy));
        expect(product.output()).not.toContain(Buffer.from(`${proxy.username}:${proxy.password}`).toString('base64'));
      } finally {
        await product.stop();
        await target.down();
        await proxy.stop();
        await dropNamespace(direct, namespace).catch(() => undefined);
        await direct.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    150_000,
  );
});
