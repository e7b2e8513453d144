// The built-in web pages, mounted on the API's app: the dashboard, the login page, a page per
// monitor and the public status page, plus their static assets and the status page endpoints.
// The pages are plain HTML and JavaScript modules from ./assets, with no build step and nothing
// loaded from elsewhere (the Content-Security-Policy says so), so they work offline.
//
// Example (main.ts):
//   createApp({ ..., extraRoutes: (app) => mountWeb(app, { store, publicUrl: config.PUBLIC_URL }) });

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'hono';
import type { ApiApp, AppEnv } from '../../api/deps.ts';
import { type Asset, loadAssets } from './assets.ts';
import { createStatusCache } from './status-page.ts';
import { registerStatusRoutes, type StatusRouteDeps } from './status-routes.ts';

export type WebDeps = {
  store: StatusRouteDeps['store'];
  publicUrl: string;
  clock?: () => number;
  /** Defaults to ./assets beside this file. */
  assetsDir?: string;
};

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Pages by route; each is an HTML shell whose script reads the rest from the API. */
const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/login': 'login.html',
  '/monitors/:id': 'monitor.html',
  '/status/:slug': 'status.html',
};

function send(c: Context<AppEnv>, asset: Asset, cacheControl: string): Response {
  const headers = {
    'Content-Type': asset.type,
    ETag: asset.etag,
    'Cache-Control': cacheControl,
    'X-Content-Type-Options': 'nosniff',
  };
  if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304, headers);
  return c.body(asset.body, 200, headers);
}

export function mountWeb(app: ApiApp, deps: WebDeps): void {
  const dir = deps.assetsDir ?? join(dirname(fileURLToPath(import.meta.url)), 'assets');
  const assets = loadAssets(dir);
  const clock = deps.clock ?? Date.now;

  for (const [path, file] of Object.entries(PAGES)) {
    const asset = assets.get(file);
    if (!asset) throw new Error(`web page ${file} is missing from ${dir}`);
    app.get(path, async (c) => {
      c.header('Content-Security-Policy', CSP);
      c.header('Referrer-Policy', 'same-origin');
      // A status page that nobody published is a 404 (for crawlers, link checkers and uptime
      // monitors pointed at it); the same page then shows its not-found view.
      if (file === 'status.html' && !(await deps.store.getUserByStatusSlug((c.req.param('slug') ?? '').toLowerCase()))) {
        return c.body(asset.body, 404, { 'Content-Type': asset.type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
      }
      return send(c, asset, 'no-cache');
    });
  }

  app.get('/assets/*', async (c, next) => {
    const asset = assets.get(c.req.path.slice('/assets/'.length));
    // Unknown files fall through to the app's 404 problem.
    if (!asset) return next();
    // Revalidated on every load (cheap with ETag), so a deploy is picked up at once.
    return send(c, asset, 'no-cache');
  });

  registerStatusRoutes(app, {
    store: deps.store,
    publicUrl: deps.publicUrl,
    clock,
    cache: createStatusCache({ ttlMs: 5_000, maxEntries: 1_000, clock }),
  });
}
