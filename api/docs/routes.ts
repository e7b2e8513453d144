// The OpenAPI 3.1 document (/openapi.json) and interactive docs (/docs) served offline: the
// Swagger UI files come from the swagger-ui-dist package through this app, never from a CDN, and
// a Content-Security-Policy keeps the page from loading anything else.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BEARER } from '../common.ts';
import type { ApiApp } from '../deps.ts';
import { notFoundProblem } from '../problem.ts';

/** The only files served from swagger-ui-dist, with their media types. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>downtime-monitor API</title>
  <link rel="icon" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// validatorUrl: null keeps Swagger UI from calling validator.swagger.io.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });\n`;

const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'";

export function registerDocsRoutes(app: ApiApp, info: { version: string }): void {
  app.openAPIRegistry.registerComponent('securitySchemes', BEARER, {
    type: 'http',
    scheme: 'bearer',
    description: 'An access token from POST /auth/token (a JWT, 1 hour), or an API key from POST /api/api-keys (dm_…)',
  });
  let document: object | undefined;
  app.get('/openapi.json', (c) => {
    // Built on first request, after every route (extra ones included) has been registered.
    document ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'downtime-monitor API',
        version: info.version,
        description: 'Uptime monitoring: monitors, contacts, checks, history, incidents. Errors are application/problem+json.',
      },
    });
    return c.json(document);
  });

  app.get('/docs', (c) => c.html(PAGE, 200, { 'Content-Security-Policy': CSP }));
  app.get('/docs/init.js', (c) => c.body(INIT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));

  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Uint8Array<ArrayBuffer>>();
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) throw notFoundProblem(`docs asset ${file}`);
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = new Uint8Array(await readFile(join(dist, file)));
      cache.set(file, bytes);
    }
    return c.body(bytes, 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
  });
}
