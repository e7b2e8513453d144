// Monitor types in a real browser (Debian's Chromium, headless) against the whole product: the add
// form shows the fields of the chosen type, a TCP and a DNS monitor are added through it and turn
// up, the list filters by type, each monitor page's checks table shows what its type measured,
// and the edit form offers the fields of the monitor's type only; a push monitor reads as a
// heartbeat and edits without a URL. Skipped like
// test/browser.test.ts without Chromium.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsTestServer } from '../collector/testing/dns-server.ts';
import { startProduct, type RunningProduct } from './support/product.ts';

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'];
const POLL = { timeout: 15_000, interval: 100 };
const haveBrowser = existsSync(CHROMIUM);

describe.skipIf(!haveBrowser && process.env.REQUIRE_BROWSER !== '1')('monitor types in the web dashboard', () => {
  let dataDir: string;
  let product: RunningProduct;
  let browser: Browser;
  let dns: DnsTestServer;
  let port: Server;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!haveBrowser) throw new Error(`REQUIRE_BROWSER=1 but ${CHROMIUM} is missing`);
    dataDir = await mkdtemp(join(tmpdir(), 'dm-browser-types-'));
    dns = await startDnsServer({ 'shop.test': { records: [{ type: 'A', data: '192.0.2.10' }] } });
    port = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => port.listen(0, '127.0.0.1', resolve));
    product = await startProduct({ DATA_DIR: dataDir, ALLOW_PRIVATE_TARGETS: 'true', MIN_INTERVAL_SECONDS: '1' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await product?.stop();
    await dns?.close();
    await new Promise<void>((resolve) => (port ? port.close(() => resolve()) : resolve()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** A page of a new browser context, signed up as a new user and on the monitor list. */
  async function signedUp(email: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(product.url + '/login');
    await page.getByRole('tab', { name: 'Create account' }).click();
    const signup = page.locator('#signup-form');
    await signup.getByLabel('Email').fill(email);
    await signup.getByLabel('Password').fill('a long enough password');
    await signup.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(product.url + '/');
    return page;
  }

  it('adds a TCP and a DNS monitor from the form, shows what each measured, and edits a DNS question', { timeout: 120_000 }, async () => {
    const page = await signedUp('types@example.test');
    await page.getByText('Add a monitor').click();
    const add = page.locator('#monitor-form');

    await add.getByLabel('Type').selectOption('tcp');
    expect(await add.getByLabel('URL').isVisible()).toBe(false);
    await add.getByLabel('Name').fill('Shop port');
    await add.getByLabel('Address').fill(`tcp://127.0.0.1:${(port.address() as AddressInfo).port}`);
    await add.getByLabel('Interval (seconds)').fill('2');
    await add.getByRole('button', { name: 'Add monitor' }).click();
    await page.locator('li.monitor', { hasText: 'Shop port' }).locator('.badge[data-status=up]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#monitor-form-error').textContent()).toBe('');

    await add.getByLabel('Type').selectOption('dns');
    expect(await add.getByLabel('Address').isVisible()).toBe(false);
    await add.getByLabel('Name').fill('Shop address');
    await add.getByLabel('Domain').fill('shop.test');
    await add.getByLabel('Record').selectOption('A');
    await add.getByLabel('Resolver').fill(dns.address);
    await add.getByLabel('Expected answer').fill('192.0.2.10');
    await add.getByLabel('Interval (seconds)').fill('2');
    await add.getByRole('button', { name: 'Add monitor' }).click();
    const record = page.locator('li.monitor', { hasText: 'Shop address' });
    await record.locator('.badge[data-status=up]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#monitor-form-error').textContent()).toBe('');

    // The list filters by type, as GET /api/monitors?type= does.
    const names = () => page.locator('li.monitor a.monitor-name').allTextContents();
    await page.locator('#filters select[name=type]').selectOption('dns');
    await expect.poll(names, POLL).toEqual(['Shop address']);
    await page.locator('#filters select[name=type]').selectOption('tcp');
    await expect.poll(names, POLL).toEqual(['Shop port']);
    await page.locator('#filters select[name=type]').selectOption('');
    await expect.poll(names, POLL).toEqual(['Shop port', 'Shop address']);

    // The DNS monitor's page: its question, and checks with the response code and answers.
    await record.locator('a.monitor-name').click();
    await page.waitForURL(/\/monitors\/[^/]+$/);
    await expect.poll(() => page.locator('#url').textContent(), POLL).toBe(`shop.test A @ ${dns.address}`);
    await expect.poll(() => page.locator('#checks th').allTextContents(), POLL).toEqual(['Time', 'Status', 'Response', 'Answers', 'Answer time', 'Error']);
    await expect.poll(() => page.locator('#checks tbody tr').first().textContent(), POLL).toMatch(/NOERROR.*192\.0\.2\.10/);

    // The edit form offers the DNS question, not a URL; a new expected answer turns it down.
    await page.locator('#edit-monitor summary').click();
    const form = page.locator('#edit-form');
    await expect.poll(() => form.getByLabel('Domain').inputValue(), POLL).toBe('shop.test');
    expect(await form.getByLabel('URL').isVisible()).toBe(false);
    expect(await form.getByLabel('Method').isVisible()).toBe(false);
    await form.getByLabel('Expected answer').fill('192.0.2.99');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.locator('#edit-notice').textContent(), POLL).toBe('Saved: dns.');
    await expect
      .poll(() => page.locator('#checks tbody tr').first().textContent(), POLL)
      .toContain('expected "192.0.2.99" among the answers, got "192.0.2.10"');

    // The TCP monitor's page: connect timings.
    await page.goto(product.url + '/');
    await page.locator('li.monitor', { hasText: 'Shop port' }).locator('a.monitor-name').click();
    await page.waitForURL(/\/monitors\/[^/]+$/);
    await expect.poll(() => page.locator('#checks th').allTextContents(), POLL).toEqual(['Time', 'Status', 'Address', 'Connect', 'TLS handshake', 'Error']);
    await expect.poll(() => page.locator('#checks tbody tr').first().textContent(), POLL).toMatch(/127\.0\.0\.1/);
    await expect.poll(() => page.locator('#meta').textContent(), POLL).toMatch(/accepts a connection/);
    expect(pageErrors, 'uncaught errors in the pages').toEqual([]);
  });

  it('shows a push monitor as a heartbeat, with no URL to edit', { timeout: 120_000 }, async () => {
    const page = await signedUp('push@example.test');
    // Created through the API with the page's own session, as a script would.
    const id = await page.evaluate(async () => {
      const token = localStorage.getItem('downtime-monitor.token');
      const res = await fetch('/api/monitors', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ type: 'push', name: 'Nightly backup', interval_seconds: 3600, grace_seconds: 600 }),
      });
      return (await res.json()).id as string;
    });
    await page.goto(`${product.url}/monitors/${id}`);
    await expect.poll(() => page.locator('#url').textContent(), POLL).toBe('heartbeat: a job calls its push URL');
    await expect.poll(() => page.locator('#meta').textContent(), POLL).toMatch(/a push every 3600 s, 600 s grace/);
    // A new push URL, shown once; it works, as a job would call it.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'New push URL' }).click();
    await expect.poll(() => page.locator('#push-url').textContent(), POLL).toMatch(/\/push\/[A-Za-z0-9_-]{32}$/);
    const pushUrl = (await page.locator('#push-url').textContent())!;
    expect((await fetch(product.url + new URL(pushUrl).pathname)).status).toBe(200);
    await page.locator('#edit-monitor summary').click();
    const form = page.locator('#edit-form');
    await expect.poll(() => form.getByLabel('Name').inputValue(), POLL).toBe('Nightly backup');
    expect(await form.getByLabel('URL').isVisible()).toBe(false);
    await form.getByLabel('Name').fill('Nightly backup (db)');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.locator('#edit-notice').textContent(), POLL).toBe('Saved: name.');
    expect(pageErrors, 'uncaught errors in the pages').toEqual([]);
  });
});
