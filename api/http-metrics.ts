// Records every request in metrics.httpRequests and metrics.httpDuration, labelled by the route
// pattern ("/api/monitors/:id"), never the raw path, so label cardinality stays bounded.

import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Metrics } from '../telemetry/metrics.ts';
import type { AppEnv } from './deps.ts';

export function httpMetrics(metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      // The route the request was headed for, even when middleware (auth, body limit) answered
      // first; only wildcard middleware patterns matching means an unknown route.
      const route = matchedRoutes(c).findLast((r) => !r.path.endsWith('*'))?.path ?? 'unmatched';
      const labels = { method: c.req.method, route };
      metrics.httpRequests.add(1, { ...labels, status: c.res.status });
      metrics.httpDuration.record((performance.now() - started) / 1000, labels);
    }
  };
}
