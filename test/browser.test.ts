// The web pages in a real browser (Debian's Chromium, headless) against the whole product run as
// `node main.ts`: sign up and log in through the forms, add a public monitor on a local target,
// watch it turn red when the target stops and green when it comes back, publish a status page and
// open it logged out, create an API key, use it and revoke it. Screenshots (desktop and phone) go
// to test-output/screenshots/.
//
// Without /usr/bin/chromium the suite is skipped with a loud notice, unless REQUIRE_BROWSER=1
// (CI), where it fails instead.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProduct, type RunningProduct } from './support/product.ts';
import { startTarget, type Target } from './support/target.ts';

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SHOTS = join(import.meta.dirname, '..', 'test-output', 'screenshots');
const PASSWORD = 'a long enough password';
const EMAIL = 'watcher@example.test';
const SLUG = 'browser-test';
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
/** Interval 2 s, then up to 5 s until the page polls: red or green must show within this. */
const TURN_WITHIN_MS = 15_000;
/** How long a page may take to show what a poll waits for, on a busy machine. */
const POLL = { timeout: 10_000, interval: 100 };

const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.REQUIRE_BROWSER !== '1') {
  console.warn(
    `\n*** SKIPPING test/browser.test.ts: ${CHROMIUM} is missing (apt-get install chromium). ` +
      'Set REQUIRE_BROWSER=1 to make this a failure. ***\n',
  );
}

describe.skipIf(!haveBrowser && process.env.REQUIRE_BROWSER !== '1')('web dashboard and status page in Chromium', () => {
  let dataDir: string;
  let product: RunningProduct;
  let target: Target;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** Requests the pages made to anything but our server: must stay empty (offline pages). */
  const foreign: string[] = [];
  const pageErrors: string[] = [];

  async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('request', (request) => {
      if (!request.url().startsWith(product.url) && !request.url().startsWith('data:')) foreign.push(request.url());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    if (!haveBrowser) throw new Error(`REQUIRE_BROWSER=1 but ${CHROMIUM} is missing`);
    await mkdir(SHOTS, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'dm-browser-'));
    target = await startTarget();
    product = await startProduct({
      DATA_DIR: dataDir,
      ALLOW_PRIVATE_TARGETS: 'true',
      MIN_INTERVAL_SECONDS: '1',
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 30_000 });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await product?.stop();
    await target?.down();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('turns a monitor red and green without a reload, and publishes only public monitors', { timeout: 120_000 }, async () => {
    const page = await newPage();

    // Not logged in: the dashboard sends us to the login page; sign up there.
    await page.goto(product.url + '/');
    await page.waitForURL(/\/login\?next=%2F$/);
    await shot(page, 'login-desktop');
    await page.getByRole('tab', { name: 'Create account' }).click();
    const signup = page.locator('#signup-form');
    await signup.getByLabel('Email').fill(EMAIL);
    await signup.getByLabel('Password').fill(PASSWORD);
    await signup.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(product.url + '/');
    await expect.poll(() => page.locator('#whoami').textContent(), POLL).toBe(EMAIL);

    // Add a public monitor on the local target and a private one.
    await page.getByText('Add a monitor').click();
    const form = page.locator('#monitor-form');
    await form.getByLabel('Name').fill('Local shop');
    await form.getByLabel('URL').fill(target.url);
    await form.getByLabel('Interval (seconds)').fill('2');
    await form.getByLabel('Show on public status page').check();
    await form.getByRole('button', { name: 'Add monitor' }).click();
    // Wait for the first monitor to be listed: the form resets when its request completes.
    await page.locator('li.monitor', { hasText: 'Local shop' }).waitFor();
    expect(await page.locator('#monitor-form-error').textContent()).toBe('');
    await expect.poll(() => form.getByLabel('Name').inputValue(), POLL).toBe('');
    await form.getByLabel('Name').fill('Private admin');
    await form.getByLabel('URL').fill(target.url + 'admin');
    await form.getByLabel('Interval (seconds)').fill('2');
    await form.getByRole('button', { name: 'Add monitor' }).click();
    await page.locator('li.monitor', { hasText: 'Private admin' }).waitFor();
    expect(await page.locator('#monitor-form-error').textContent()).toBe('');

    const shop = page.locator('li.monitor', { hasText: 'Local shop' });
    const admin = page.locator('li.monitor', { hasText: 'Private admin' });
    await shop.locator('.badge[data-status=up]').waitFor({ timeout: TURN_WITHIN_MS });
    await expect.poll(() => shop.locator('.badge').textContent(), POLL).toContain('Up');
    await admin.locator('.badge[data-status=up]').waitFor({ timeout: TURN_WITHIN_MS });
    await shop.locator('.bar').waitFor();
    await expect.poll(() => shop.locator('.bar span').count(), POLL).toBe(90);
    // Today's cell (the last) shows today's checks, not the grey of a day without any.
    await expect.poll(() => shop.locator('.bar span').last().getAttribute('class'), POLL).toBe('u-full');

    // Publish the status page.
    await page.locator('#status-settings summary').click();
    await page.locator('#slug-form').getByLabel('Address').fill(SLUG);
    await page.locator('#slug-form').getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.locator('#slug-notice').textContent(), POLL).toContain(`/status/${SLUG}`);
    await shot(page, 'dashboard-up-desktop');

    // Target down: red without a reload.
    await target.down();
    const downSince = Date.now();
    await shop.locator('.badge[data-status=down]').waitFor({ timeout: TURN_WITHIN_MS });
    expect(await shop.locator('.badge').textContent()).toContain('Down');
    const turnedRedMs = Date.now() - downSince;
    await expect.poll(() => page.locator('#counts').textContent(), POLL).toContain('Down');
    // The list says why: the last check's failure.
    await expect.poll(() => shop.locator('.down-reason').textContent(), POLL).toMatch(/^Down: connect/);
    await expect.poll(() => shop.locator('.bar span').last().getAttribute('class'), POLL).not.toBe('u-full');
    await shot(page, 'dashboard-down-desktop');

    // The monitor page: its chart, checks with the failure, and back to green when the target returns.
    await shop.locator('a.monitor-name').click();
    await page.waitForURL(/\/monitors\/[^/]+$/);
    await expect.poll(() => page.locator('#name').textContent(), POLL).toBe('Local shop');
    await page.locator('#status .badge[data-status=down]').waitFor();
    await page.locator('#chart svg path.line-total').waitFor();
    await expect.poll(() => page.locator('#checks').textContent(), POLL).toContain('connect');
    await shot(page, 'monitor-down-desktop');
    await target.up();
    const upSince = Date.now();
    await page.locator('#status .badge[data-status=up]').waitFor({ timeout: TURN_WITHIN_MS });
    const turnedGreenMs = Date.now() - upSince;
    await page.locator('#chart svg circle.down-mark').first().waitFor();
    await shot(page, 'monitor-up-desktop');
    console.log(`browser test: red after ${turnedRedMs} ms, green after ${turnedGreenMs} ms`);

    // Logged out, in a fresh browser context: the status page shows the public monitor only.
    const visitor = await newPage();
    await visitor.goto(`${product.url}/status/${SLUG}`);
    const listed = visitor.locator('#monitors li.monitor');
    await expect.poll(() => listed.count(), POLL).toBe(1);
    await expect.poll(() => listed.first().textContent(), POLL).toContain('Local shop');
    await listed.first().locator('.badge[data-status=up]').waitFor({ timeout: TURN_WITHIN_MS });
    await expect.poll(() => visitor.locator('#hero').textContent(), POLL).toContain('All systems operational');
    expect(await visitor.locator('#status-dot').getAttribute('class')).toBe('brand-dot up');
    // The kind of check, and its average time under an http monitor's word for it.
    expect(await listed.first().locator('.monitor-kind').textContent()).toBe('HTTP');
    await expect.poll(() => listed.first().locator('.monitor-latency').textContent(), POLL).toMatch(/^Response time [\d.]+ m?s \(24 h average\)$/);
    // The outage just seen is in the incident history, without the target's address.
    await expect.poll(() => visitor.locator('#incidents tbody tr').count(), POLL).toBe(1);
    expect(await visitor.locator('#incidents tbody tr').first().textContent()).toMatch(/Local shop.*Connection failed/);
    expect(await visitor.content()).not.toContain('Private admin');
    expect(await visitor.content()).not.toContain(String(target.port));
    await shot(visitor, 'status-desktop');

    // A phone: log in through the form, then the dashboard and the status page.
    const phone = await newPage(PHONE);
    await phone.goto(product.url + '/');
    await phone.waitForURL(/\/login/);
    await phone.locator('#login-form').getByLabel('Email').fill(EMAIL);
    await phone.locator('#login-form').getByLabel('Password').fill(PASSWORD);
    await phone.locator('#login-form').getByRole('button', { name: 'Log in' }).click();
    await phone.waitForURL(product.url + '/');
    await phone.locator('li.monitor .bar').first().waitFor();
    await shot(phone, 'dashboard-phone');
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    expect(width, 'no sideways scrolling on a phone').toBeLessThanOrEqual(390);
    await phone.locator('li.monitor a.monitor-name', { hasText: 'Local shop' }).click();
    await phone.locator('#chart svg').waitFor();
    await shot(phone, 'monitor-phone');
    await phone.goto(`${product.url}/status/${SLUG}`);
    await phone.locator('#monitors li.monitor .bar').waitFor();
    await shot(phone, 'status-phone');

    expect(foreign, 'requests to other hosts').toEqual([]);
    expect(pageErrors, 'uncaught errors in the pages').toEqual([]);
  });

  /** A logged-in page (the account the first test created). */
  async function loggedIn(): Promise<Page> {
    const page = await newPage();
    await page.goto(product.url + '/login');
    await page.locator('#login-form').getByLabel('Email').fill(EMAIL);
    await page.locator('#login-form').getByLabel('Password').fill(PASSWORD);
    await page.locator('#login-form').getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(product.url + '/');
    return page;
  }

  it('edits every setting of a monitor from its page, and names the field the server refuses', { timeout: 90_000 }, async () => {
    const page = await loggedIn();
    await page.getByText('Add a monitor').click();
    const add = page.locator('#monitor-form');
    await add.getByLabel('Name').fill('Young API');
    await add.getByLabel('URL').fill(target.url + 'api');
    await add.getByLabel('Interval (seconds)').fill('2');
    await add.getByRole('button', { name: 'Add monitor' }).click();
    const item = page.locator('li.monitor', { hasText: 'Young API' });
    await item.locator('.badge[data-status=up]').waitFor({ timeout: TURN_WITHIN_MS });
    await item.locator('a.monitor-name').click();
    await page.waitForURL(/\/monitors\/[^/]+$/);
    const monitorId = page.url().split('/').pop() ?? '';

    // A monitor a few seconds old has one hourly bucket: the day chart still shows it, as dots.
    await page.getByRole('button', { name: '24 hours' }).click();
    await page.locator('#chart svg circle.point.line-total').first().waitFor();
    await page.getByRole('button', { name: '1 hour' }).click();

    await page.locator('#edit-monitor summary').click();
    const form = page.locator('#edit-form');
    await expect.poll(() => form.getByLabel('Name').inputValue(), POLL).toBe('Young API');
    expect(await form.getByLabel('Interval (seconds)').inputValue()).toBe('2');

    // The server's refusal names the field, and the field is marked.
    await form.getByLabel('Timeout (ms)').fill('5000');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.locator('#edit-error').textContent(), POLL).toContain('timeout_ms');
    expect(await form.getByLabel('Timeout (ms)').getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('Name').fill('Young API v2');
    await form.getByLabel('URL').fill(target.url + 'v2');
    await form.getByLabel('Method').selectOption('HEAD');
    await form.getByLabel('Expected status').fill('200,204');
    await form.getByLabel('Keyword').fill('good');
    await form.getByLabel('Request headers').fill('Authorization: Bearer abc\nX-Probe: browser');
    await form.getByLabel('Interval (seconds)').fill('30');
    await form.getByLabel('Timeout (ms)').fill('4000');
    await form.getByLabel('Failures before down').fill('3');
    await form.getByLabel('Successes before up').fill('2');
    await form.getByLabel('Remind every (minutes)').fill('15');
    await form.getByLabel('Tags').fill('production, eu');
    await form.getByLabel('Time zone').fill('Europe/Paris');
    await form.getByLabel('Show on public status page').check();
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.locator('#edit-notice').textContent(), POLL).toContain('Saved');
    expect(await page.locator('#edit-error').textContent()).toBe('');
    await expect.poll(() => page.locator('#name').textContent(), POLL).toBe('Young API v2');
    await expect.poll(() => page.locator('#tags').textContent(), POLL).toBe('productioneu');
    await shot(page, 'monitor-edit-desktop');

    // What the API now holds, read with the page's own token.
    const saved = await page.evaluate(async (id) => {
      const token = localStorage.getItem('downtime-monitor.token');
      const res = await fetch(`/api/monitors/${id}`, { headers: { authorization: `Bearer ${token}` } });
      return res.json();
    }, monitorId);
    expect(saved).toMatchObject({
      name: 'Young API v2',
      url: target.url + 'v2',
      method: 'HEAD',
      expect_status: '200,204',
      keyword: 'good',
      headers: { Authorization: 'Bearer abc', 'X-Probe': 'browser' },
      interval_seconds: 30,
      timeout_ms: 4000,
      confirm_failures: 3,
      confirm_recoveries: 2,
      remind_every_minutes: 15,
      tags: ['production', 'eu'],
      timezone: 'Europe/Paris',
      public: true,
    });

    // The list shows the tags.
    await page.goto(product.url + '/');
    const edited = page.locator('li.monitor', { hasText: 'Young API v2' });
    await expect.poll(() => edited.locator('.tag').allTextContents(), POLL).toEqual(['production', 'eu']);

    // Filters: a tag on a monitor filters by it; text and status narrow the list.
    await page.evaluate(async (url) => {
      const token = localStorage.getItem('downtime-monitor.token');
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      await fetch('/api/monitors', { method: 'POST', headers, body: JSON.stringify({ name: 'Staging site', url, tags: ['staging'], paused: true }) });
    }, target.url + 'staging');
    const names = async () => (await page.locator('li.monitor a.monitor-name').allTextContents()).filter((n) => n === 'Young API v2' || n === 'Staging site');
    await expect.poll(names, POLL).toEqual(expect.arrayContaining(['Young API v2', 'Staging site']));
    await edited.locator('button.tag', { hasText: 'eu' }).click();
    await expect.poll(names, POLL).toEqual(['Young API v2']);
    await page.locator('#filters select[name=tag]').selectOption('staging');
    await expect.poll(names, POLL).toEqual(['Staging site']);
    await page.locator('#filters select[name=tag]').selectOption('');
    await page.locator('#filters input[name=q]').fill('YOUNG API');
    await expect.poll(names, POLL).toEqual(['Young API v2']);
    await page.locator('#filters select[name=status]').selectOption('paused');
    await expect.poll(names, POLL).toEqual([]);
    await expect.poll(() => page.locator('#no-match').isVisible(), POLL).toBe(true);
    await page.locator('#filters input[name=q]').fill('');
    await expect.poll(names, POLL).toEqual(['Staging site']);
    expect(pageErrors, 'uncaught errors in the pages').toEqual([]);
  });

  it('adds chat and paging contacts from a monitor page, saying what each address is, and names the field refused', { timeout: 60_000 }, async () => {
    const page = await loggedIn();
    // Paused: nothing is probed, so no message is ever sent to the addresses below.
    const monitorId = await page.evaluate(async (url) => {
      const token = localStorage.getItem('downtime-monitor.token');
      const res = await fetch('/api/monitors', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Paged API', url, paused: true }),
      });
      return (await res.json()).id as string;
    }, target.url + 'paged');
    await page.goto(`${product.url}/monitors/${monitorId}`);
    const form = page.locator('#contact-form');
    const address = form.getByLabel('Address');
    await form.getByLabel('Type').selectOption('slack');
    expect(await address.getAttribute('placeholder')).toContain('hooks.slack.com');
    await address.fill('https://hooks.slack.example/services/T0/B0/abc');
    await form.getByRole('button', { name: 'Add contact' }).click();
    await expect.poll(() => page.locator('#contacts').textContent(), POLL).toContain('https://hooks.slack.example/services/T0/B0/abc');
    expect(await page.locator('#contacts').textContent()).toContain('slack');

    await form.getByLabel('Type').selectOption('pagerduty');
    expect(await address.getAttribute('placeholder')).toContain('routing key');
    await address.fill('not-a-key');
    await form.getByRole('button', { name: 'Add contact' }).click();
    await expect.poll(() => page.locator('#contact-error').textContent(), POLL).toMatch(/address.*routing key/);
    await shot(page, 'monitor-contacts-desktop');
    expect(pageErrors, 'uncaught errors in the pages').toEqual([]);
  });

  it('shows the title and description set in the dashboard on the public page, as text', { timeout: 60_000 }, async () => {
    const page = await loggedIn();
    await page.locator('#status-settings summary').click();
    const form = page.locator('#slug-form');
    // The form shows the current setting: the address published by the first test.
    await expect.poll(() => form.getByLabel('Address').inputValue(), POLL).toBe(SLUG);
    const title = 'Acme « Cloud » status';
    const description = 'Shop & API <img src=x onerror="window.__hacked=1"><script>window.__hacked=2</script>';
    await form.getByLabel('Title').fill(title);
    await form.getByLabel('Description').fill(description);
    await form.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.locator('#slug-notice').textContent(), POLL).toContain(`/status/${SLUG}`);
    // Saved: a reload shows the same text in the form.
    await page.reload();
    await page.locator('#status-settings summary').click();
    await expect.poll(() => form.getByLabel('Title').inputValue(), POLL).toBe(title);
    expect(await form.getByLabel('Description').inputValue()).toBe(description);

    const visitor = await newPage();
    await visitor.goto(`${product.url}/status/${SLUG}`);
    await expect.poll(() => visitor.locator('#title').textContent(), POLL).toBe(title);
    expect(await visitor.title()).toBe(title);
    await expect.poll(() => visitor.locator('#description').textContent(), POLL).toBe(description);
    expect(await visitor.locator('#description').isVisible()).toBe(true);
    // The markup in the description stayed text: no element made of it, nothing ran.
    expect(await visitor.locator('#description *').count()).toBe(0);
    expect(await visitor.evaluate(() => (window as unknown as { __hacked?: number }).__hacked)).toBeUndefined();
    await shot(visitor, 'status-titled-desktop');

    // Cleared in the dashboard: the page is titled by its address again, without a description.
    await form.getByLabel('Title').fill('');
    await form.getByLabel('Description').fill('');
    await form.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(async () => (await page.request.get(`${product.url}/public/status/${SLUG}`)).json(), POLL).toMatchObject({
      title: SLUG,
      description: null,
    });
    // A new visitor (the first one's browser may keep the public answer for its max-age, 5 s).
    const next = await newPage();
    await next.goto(`${product.url}/status/${SLUG}`);
    await expect.poll(() => next.locator('#title').textContent(), POLL).toBe(SLUG);
    expect(await next.locator('#description').isVisible()).toBe(false);
    expect(pageErrors, 'uncaught errors in the pages').toEqual([]);
  });

  it('shows a not-found view, with nothing to act on, for an unknown monitor and an unpublished status page', { timeout: 60_000 }, async () => {
    const page = await loggedIn();
    await page.goto(product.url + '/monitors/no-such-monitor');
    await page.locator('#not-found').waitFor({ state: 'visible' });
    expect(await page.locator('#not-found').textContent()).toContain('Monitor not found');
    expect(await page.locator('#delete').count()).toBe(0);
    expect(await page.locator('#toggle-pause').count()).toBe(0);
    expect(await page.locator('#edit-form').count()).toBe(0);
    expect(await page.title()).toContain('not found');
    await shot(page, 'monitor-not-found');

    const visitor = await newPage();
    const response = await visitor.goto(`${product.url}/status/nobody-published-this`);
    expect(response?.status()).toBe(404);
    await expect.poll(() => visitor.locator('#hero').textContent(), POLL).toBe('There is no status page at this address.');
    expect(await visitor.locator('#monitors').count()).toBe(0);
    expect(await visitor.locator('#status-dot').getAttribute('class')).toBe('brand-dot unknown');
    await shot(visitor, 'status-not-found');
    expect(pageErrors, 'uncaught errors in the pages').toEqual([]);
  });

  it('creates an API key shown once, which the API accepts, lists it without its secret and revokes it', { timeout: 60_000 }, async () => {
    const page = await loggedIn();
    await page.locator('#api-keys summary').click();
    const list = page.locator('#api-key-list');
    await expect.poll(() => list.textContent(), POLL).toContain('No API keys yet.');
    const form = page.locator('#api-key-form');
    await form.getByLabel('Name').fill('Browser CI');
    await form.getByLabel('Expires after').fill('2030-06-15');
    await form.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByLabel('New API key');
    await expect.poll(() => shown.inputValue(), POLL).toMatch(/^dm_[A-Za-z0-9_-]{16}_[A-Za-z0-9_-]{43}$/);
    const key = await shown.inputValue();
    const secret = key.slice(-43);
    // Copied to the clipboard, or (no clipboard permission) left selected with a hint.
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.locator('#copy-notice').textContent(), POLL).toMatch(/^(Copied|Selected)/);
    const row = list.locator('tbody tr', { hasText: 'Browser CI' });
    await row.waitFor();
    expect(await row.textContent()).toContain('2030');
    expect(await list.textContent()).not.toContain(secret);
    await shot(page, 'api-keys-desktop');

    // The key works on the API by itself, as this account.
    const withKey = () => page.request.get(`${product.url}/api/monitors`, { headers: { authorization: `Bearer ${key}` } });
    const res = await withKey();
    expect(res.status()).toBe(200);
    expect(((await res.json()) as { items: Array<{ name: string }> }).items.map((m) => m.name)).toContain('Local shop');

    // Once dismissed it is gone from the page for good: a reload lists the key without it.
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await shown.isVisible()).toBe(false);
    await page.reload();
    await page.locator('#api-keys summary').click();
    await expect.poll(() => row.textContent(), POLL).toMatch(/ago/);
    expect(await page.content()).not.toContain(secret);

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Revoke Browser CI' }).click();
    await expect.poll(() => list.textContent(), POLL).toContain('No API keys yet.');
    expect((await withKey()).status()).toBe(401);
    expect(pageErrors, 'uncaught errors in the pages').toEqual([]);
  });

  it('colours a bad day by its share of uptime, not solid red', async () => {
    const page = await newPage();
    await page.goto(`${product.url}/status/${SLUG}`);
    // The page's own module, imported in the page. A string, because the test runner rewrites
    // import() in this file's code.
    const cell = await page.evaluate<{ className: string; image: string }>(`(async () => {
      const { uptimeBar } = await import('/assets/js/bars.js');
      const bar = uptimeBar([{ start: '2025-01-15T00:00:00Z', uptime: 0.76, checks: 100 }], { timeZone: 'UTC' });
      document.body.append(bar);
      const span = bar.querySelector('.bar span');
      return { className: span.className, image: getComputedStyle(span).backgroundImage };
    })()`);
    expect(cell.className).toBe('u-major');
    // Green up to 76% from the bottom, red above.
    expect(cell.image).toMatch(/^linear-gradient\(to top, rgb\(\d+, \d+, \d+\) 76%, rgb\(\d+, \d+, \d+\) 76%\)$/);
  });

  it('shows "Maintenance" on the dashboard and the status page while a window covers a monitor', { timeout: 60_000 }, async () => {
    // A user of its own, set up through the API, so that this case runs alone too.
    const email = 'planner@example.test';
    const json = async (method: string, path: string, body: unknown, token?: string) => {
      const res = await fetch(product.url + path, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      return (await res.json()) as Record<string, unknown>;
    };
    await json('POST', '/auth/signup', { email, password: PASSWORD });
    const token = String((await json('POST', '/auth/token', { email, password: PASSWORD })).access_token);
    await json('POST', '/api/monitors', { name: 'Planned work', url: target.url + 'planned', interval_seconds: 2, public: true }, token);
    await json('PUT', '/api/status-page', { slug: 'planned-work' }, token);
    await json('POST', '/api/maintenance', { name: 'upgrade', all: true, start: new Date(Date.now() - 60_000).toISOString(), end: new Date(Date.now() + 3_600_000).toISOString() }, token);

    const page = await newPage();
    await page.goto(product.url + '/login');
    await page.locator('#login-form').getByLabel('Email').fill(email);
    await page.locator('#login-form').getByLabel('Password').fill(PASSWORD);
    await page.locator('#login-form').getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(product.url + '/');
    const item = page.locator('li.monitor', { hasText: 'Planned work' });
    await item.locator('.badge[data-status=maintenance]').waitFor({ timeout: TURN_WITHIN_MS });
    expect(await item.locator('.badge').textContent()).toContain('Maintenance');
    await shot(page, 'maintenance-desktop');

    const visitor = await newPage();
    await visitor.goto(`${product.url}/status/planned-work`);
    await visitor.locator('.badge[data-status=maintenance]').waitFor({ timeout: TURN_WITHIN_MS });
    expect(await visitor.locator('.badge[data-status=maintenance]').textContent()).toContain('Maintenance');
  });
});
