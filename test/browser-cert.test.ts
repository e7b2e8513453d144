// The monitor page in Chromium says when the certificate its latest check saw expires: the
// product probes a 127.0.0.1 HTTPS server whose certificate (openssl, this test's CA) expires in
// 5 days, and the page shows "certificate expires in 4 days (…)" (4 whole days and some hours);
// its edit form changes the thresholds (tls_expiry_days), empty for none.

import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../collector/testing/certs.ts';
import { newUser } from './support/api-client.ts';
import { startProduct, type RunningProduct } from './support/product.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);

describe.skipIf(!haveBrowser && process.env.REQUIRE_BROWSER !== '1')('certificate expiry on the monitor page, in Chromium', () => {
  let dir: string;
  let pki: TestPki;
  let https: Server;
  let product: RunningProduct;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dm-browser-cert-'));
    pki = createTestPki('Downtime Test CA');
    writeFileSync(join(dir, 'ca.pem'), pki.caCert);
    const leaf = pki.issue(['127.0.0.1'], { days: 5 });
    https = createServer({ key: leaf.key, cert: leaf.cert }, (_req, res) => res.end('ok'));
    https.listen(0, '127.0.0.1');
    await once(https, 'listening');
    product = await startProduct({
      DATA_DIR: join(dir, 'data'),
      ALLOW_PRIVATE_TARGETS: 'true',
      MIN_INTERVAL_SECONDS: '1',
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'], timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await product?.stop();
    https?.close();
    pki?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows "certificate expires in 4 days" from the latest check, and edits the thresholds', { timeout: 90_000 }, async () => {
    const email = 'certs@example.test';
    const password = 'a long enough password';
    const user = await newUser(product.url, email, password);
    const url = `https://127.0.0.1:${(https.address() as AddressInfo).port}/`;
    const created = await user.post<{ id: string }>('/api/monitors', { name: 'Cert shop', url, interval_seconds: 1, timeout_ms: 800 });
    expect(created.status).toBe(201);
    const token = (await (await fetch(`${product.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })).json()) as { access_token: string };

    const context = await browser.newContext();
    // Signed in as the dashboard keeps its session (dashboards/web/assets/js/api.js).
    await context.addInitScript((t) => localStorage.setItem('downtime-monitor.token', t), token.access_token);
    const page = await context.newPage();
    await page.goto(`${product.url}/monitors/${created.body.id}`);
    await expect.poll(() => page.locator('#certificate').textContent(), { timeout: 30_000, interval: 200 }).toMatch(/^certificate expires in 4 days \(.+\)$/);

    // The thresholds are edited from the same page; the server's refusal names the field.
    await page.locator('#edit-monitor summary').click();
    const form = page.locator('#edit-form');
    const thresholds = form.getByLabel('Certificate warnings (days)');
    await expect.poll(() => thresholds.inputValue(), { timeout: 10_000 }).toBe('14, 7, 1');
    await thresholds.fill('30, 30');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.locator('#edit-error').textContent(), { timeout: 10_000 }).toContain('tls_expiry_days');
    await thresholds.fill('30, 7');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.locator('#edit-notice').textContent(), { timeout: 10_000 }).toContain('Saved');
    expect((await user.get<{ tls_expiry_days: number[] }>(`/api/monitors/${created.body.id}`)).body.tls_expiry_days).toEqual([30, 7]);
    await thresholds.fill('');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(async () => (await user.get<{ tls_expiry_days: number[] }>(`/api/monitors/${created.body.id}`)).body.tls_expiry_days, { timeout: 10_000 }).toEqual([]);
    await context.close();
  });
});
