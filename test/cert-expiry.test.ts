// Certificate expiry end to end: `node main.ts` probes a real HTTPS server on 127.0.0.1 whose
// certificate (made by openssl for this test) expires in 5 days, and mails one [CERT] message,
// for the 7-day threshold, through a real SMTP server; the product restarted on the same storage
// sends nothing again. On each store the run has.

import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../alerting/testing/smtp-sink.ts';
import { createTestPki, type TestPki } from '../collector/testing/certs.ts';
import { apiClient, eventually, newUser } from './support/api-client.ts';
import { scenarioBackends, type OpenedBackend } from './support/backends.ts';
import { startProduct, type RunningProduct } from './support/product.ts';

type CheckJson = { 'event.id': string; 'tls.server.hash.sha256': string | null; 'tls.server.x509.not_after': string | null };
type NotificationJson = { kind: string; incident_id: string | null; status: string; address: string };

describe.each(scenarioBackends())('certificate expiry end to end on $name', (backend) => {
  let storage: OpenedBackend;
  let smtp: SmtpSink;
  let pki: TestPki;
  let https: Server;
  let dir: string;
  const processes: RunningProduct[] = [];

  beforeEach(async () => {
    storage = await backend.open();
    smtp = await startSmtpSink();
    pki = createTestPki('Downtime Test CA');
    dir = mkdtempSync(join(tmpdir(), 'cert-e2e-'));
    writeFileSync(join(dir, 'ca.pem'), pki.caCert);
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    https?.close();
    await smtp.stop();
    await storage.close();
    pki.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = () =>
    startProduct({
      ...storage.env,
      JWT_SECRET: 'cert-expiry-scenario-secret-'.repeat(2),
      ALLOW_PRIVATE_TARGETS: 'true',
      MIN_INTERVAL_SECONDS: '1',
      SMTP_URL: smtp.url,
      MAIL_FROM: 'uptime@example.test',
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
    }).then((running) => {
      processes.push(running);
      return running;
    });

  it('mails one [CERT] message for a certificate 5 days from expiry, and nothing more after a restart', { timeout: 180_000 }, async () => {
    const leaf = pki.issue(['127.0.0.1'], { days: 5 });
    const sha256 = new X509Certificate(leaf.cert).fingerprint256.replaceAll(':', '').toLowerCase();
    https = createServer({ key: leaf.key, cert: leaf.cert }, (_req, res) => res.end('ok'));
    https.listen(0, '127.0.0.1');
    await once(https, 'listening');
    const url = `https://127.0.0.1:${(https.address() as AddressInfo).port}/`;

    let product = await start();
    const user = await newUser(product.url, 'ops@example.test');
    const created = await user.post<{ id: string; tls_expiry_days: number[] }>('/api/monitors', { name: 'Cert shop', url, interval_seconds: 1, timeout_ms: 800 });
    expect(created.status).toBe(201);
    expect(created.body.tls_expiry_days).toEqual([14, 7, 1]);
    const id = created.body.id;
    expect((await user.post(`/api/monitors/${id}/contacts`, { type: 'email', address: 'certs@example.test' })).status).toBe(201);

    const certMails = () => smtp.mails.filter((m) => m.subject.startsWith('[CERT]'));
    await eventually(async () => certMails().length >= 1, 90_000, 'the [CERT] mail');
    const [mail] = certMails();
    expect(mail!.to).toEqual(['certs@example.test']);
    expect(mail!.subject).toMatch(new RegExp(`^\\[CERT\\] Cert shop: certificate for 127\\.0\\.0\\.1:\\d+ expires in 4 days \\(\\d{4}-\\d\\d-\\d\\d\\), issued by Downtime Test CA$`));
    expect(mail!.text).toContain(`SHA-256: ${sha256}`);
    expect(mail!.text).toContain('Threshold: 7 days before expiry');

    // The check the page reads carries the certificate the message was about.
    const [latest] = (await user.get<{ items: CheckJson[] }>(`/api/monitors/${id}/checks?limit=1`)).body.items;
    expect(latest!['tls.server.hash.sha256']).toBe(sha256);
    const told = await eventually(async () => {
      const items = (await user.get<{ items: NotificationJson[] }>(`/api/monitors/${id}/notifications`)).body.items;
      return items.length === 1 && items[0]!.status === 'sent' && items;
    }, 30_000, 'the delivery listed as sent');
    expect(told[0]).toMatchObject({ kind: 'cert', incident_id: null, address: 'certs@example.test' });

    // Restart on the same storage: probes go on, nothing is told again.
    const checksBefore = (await user.get<{ items: CheckJson[] }>(`/api/monitors/${id}/checks?limit=1000`)).body.items.length;
    await product.stop();
    processes.splice(processes.indexOf(product), 1);
    product = await start();
    const again = await newUserToken(product.url);
    await eventually(async () => (await again.get<{ items: CheckJson[] }>(`/api/monitors/${id}/checks?limit=1000`)).body.items.length >= checksBefore + 5, 60_000, 'five checks after the restart');
    await new Promise((r) => setTimeout(r, 3_000)); // the alerting role has folded them: no second message may come
    expect(certMails()).toHaveLength(1);
    expect((await again.get<{ items: NotificationJson[] }>(`/api/monitors/${id}/notifications`)).body.items).toHaveLength(1);
  });
});

/** The same user, logged in on the restarted product. */
async function newUserToken(base: string) {
  const res = await fetch(`${base}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ops@example.test', password: 'a long enough password' }),
    signal: AbortSignal.timeout(10_000),
  });
  const { access_token } = (await res.json()) as { access_token: string };
  return apiClient(base, access_token);
}
