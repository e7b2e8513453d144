// The HTTP API: one Hono app (with @hono/zod-openapi) carrying every route of DESIGN.md's "HTTP
// API", built from injected dependencies. Nothing happens at import; createApp does no I/O.
//
// Example (main.ts):
//   const app = createApp({ store, config, channels, log, metrics });
//   const server = await serveApp(app, { port: 3000, host: '127.0.0.1' });
//   …
//   await server.close();
//
// Extra pages (web dashboard, /status/<slug>) are registered through `extraRoutes`, which
// receives the app after the API's routes and before the docs are generated: routes added with
// app.openapi() appear in /openapi.json, plain app.get() ones do not.

import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { registerApiKeyRoutes } from './api-keys/routes.ts';
import { createApiKeyHasher } from './auth/api-keys.ts';
import { registerAuthRoutes } from './auth/routes.ts';
import { createTokenService } from './auth/tokens.ts';
import { registerCheckRoutes } from './checks/routes.ts';
import { registerContactRoutes } from './contacts/routes.ts';
import type { ApiApp, ApiDeps, AppEnv, RouteDeps } from './deps.ts';
import { registerDocsRoutes } from './docs/routes.ts';
import { registerExportRoutes } from './export/routes.ts';
import { registerHistoryRoutes } from './history/routes.ts';
import { httpMetrics } from './http-metrics.ts';
import { registerIncidentRoutes } from './incidents/routes.ts';
import { registerMaintenanceRoutes } from './maintenance/routes.ts';
import { BULK_MONITORS_PATH, registerMonitorRoutes } from './monitors/routes.ts';
import { registerNotificationRoutes } from './notifications/routes.ts';
import { registerOpsRoutes } from './ops/routes.ts';
import { registerPushRoutes } from './push/routes.ts';
import { notFound, onError, ProblemError, problemResponse, validationHook } from './problem.ts';
import { registerSummaryRoutes } from './summary/routes.ts';

export type { ApiApp, ApiConfig, ApiDeps } from './deps.ts';
export { serveApp, type RunningServer } from './serve.ts';

/** Request bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 64 * 1024;
const API_VERSION = '1.0.0';

/** The bulk monitor creation's limit: a thousand monitors with headers and tags. */
export const BULK_MAX_BODY_BYTES = 1024 * 1024;
/** One monitor's create or patch: its probe body alone may be 64 KiB, up to 6 bytes a character once JSON-escaped. */
export const MONITOR_MAX_BODY_BYTES = 512 * 1024;
const ONE_MONITOR_PATH = /^\/api\/monitors(?:\/[^/]+)?$/;

/** Refuses bodies above maxSize with 413 before they are parsed. */
function limitBodies(maxSize: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize,
    // The rest of an oversized body is never read, so the connection cannot carry another
    // request: say so and let the server end it after the answer. Advertising keep-alive here
    // made the HTTP server drop the socket once its bounded drain of the unread body gave up,
    // and a keep-alive client's next request failed on it.
    onError: (c) =>
      problemResponse(
        c,
        new ProblemError({ status: 413, detail: `request body exceeds ${maxSize} bytes`, headers: { connection: 'close' } }),
      ),
  });
}

export function createApp(deps: ApiDeps): ApiApp {
  const routeDeps: RouteDeps = { ...deps, clock: deps.clock ?? Date.now };
  const app: ApiApp = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const tokens = createTokenService({ secret: deps.config.jwtSecret, clock: routeDeps.clock });
  const apiKeyHasher = createApiKeyHasher(deps.config.jwtSecret);

  app.onError(onError(deps.log));
  app.notFound(notFound);
  app.use('*', httpMetrics(deps.metrics, deps.tracer));
  const ordinaryBodies = limitBodies(MAX_BODY_BYTES);
  const monitorBodies = limitBodies(MONITOR_MAX_BODY_BYTES);
  app.use('*', (c, next) => {
    if (c.req.path === BULK_MONITORS_PATH) return next();
    return ONE_MONITOR_PATH.test(c.req.path) ? monitorBodies(c, next) : ordinaryBodies(c, next);
  });
  app.use(BULK_MONITORS_PATH, limitBodies(BULK_MAX_BODY_BYTES));

  registerOpsRoutes(app, routeDeps);
  registerAuthRoutes(app, routeDeps, tokens, apiKeyHasher);
  registerApiKeyRoutes(app, routeDeps, apiKeyHasher);
  registerMonitorRoutes(app, routeDeps);
  registerPushRoutes(app, routeDeps);
  registerContactRoutes(app, routeDeps);
  registerCheckRoutes(app, routeDeps);
  registerHistoryRoutes(app, routeDeps);
  registerIncidentRoutes(app, routeDeps);
  registerNotificationRoutes(app, routeDeps);
  registerSummaryRoutes(app, routeDeps);
  registerMaintenanceRoutes(app, routeDeps);
  registerExportRoutes(app, routeDeps);
  deps.extraRoutes?.(app);
  registerDocsRoutes(app, { version: API_VERSION });
  return app;
}
