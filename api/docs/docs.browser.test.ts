// /docs in a real browser (Debian's Chromium, headless): Swagger UI renders every operation from
// /openapi.json under its Content-Security-Policy, with no request leaving our server. Skipped
// with a notice without /usr/bin/chromium, unless REQUIRE_BROWSER=1.

import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApp, type RunningServer } from '../serve.ts';
import { startTestApi, type TestApi } from '../testing.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.REQUIRE_BROWSER !== '1') {
  console.warn(`\n*** SKIPPING api/docs/docs.browser.test.ts: ${CHROMIUM} is missing. ***\n`);
}

describe.skipIf(!haveBrowser && process.env.REQUIRE_BROWSER !== '1')('/docs in Chromium', () => {
  let api: TestApi;
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    api = await startTestApi();
    server = await serveApp(api.app, { port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await api?.close();
  });

  it('renders every operation offline without errors', async () => {
    const origin = `http://127.0.0.1:${server.port}`;
    const page = await browser.newPage();
    const foreign: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${origin}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 15_000 });
    const operations = await page.locator('.opblock-summary-path').allTextContents();
    expect(operations.map((p) => p.replace(/\u200b/g, ''))).toEqual(
      expect.arrayContaining(['/api/monitors', '/api/monitors/{id}/checks', '/auth/token', '/readyz']),
    );
    // One block per operation of the document, whatever routes are added later.
    const spec = (await (await fetch(`${origin}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.values(spec.paths).reduce((n, ops) => n + Object.keys(ops).filter((k) => k !== 'parameters').length, 0);
    expect(documented).toBeGreaterThan(20);
    expect(await page.locator('.opblock').count()).toBe(documented);
    expect(await page.locator('button.authorize').count()).toBe(1);
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
  });
});
