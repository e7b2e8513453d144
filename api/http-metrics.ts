// Records every request in metrics.httpRequests and metrics.httpDuration, labelled by the route
// pattern ("/api/monitors/:id"), never the raw path, so label cardinality stays bounded; and, when
// a tracer is given, wraps it in an `api.request` span carrying the same labels.

import type { Tracer } from '@opentelemetry/api';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Metrics } from '../telemetry/metrics.ts';
import { withSpan } from '../telemetry/otel.ts';
import type { AppEnv } from './deps.ts';

/**
 * The route the request was headed for, even when middleware (auth, body limit) answered first;
 * only wildcard middleware patterns matching means an unknown route.
 */
function routeOf(c: Context<AppEnv>): string {
  return matchedRoutes(c).findLast((r) => !r.path.endsWith('*'))?.path ?? 'unmatched';
}

export function httpMetrics(metrics: Metrics, tracer?: Tracer): MiddlewareHandler<AppEnv> {
  const measured: MiddlewareHandler<AppEnv> = async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const labels = { method: c.req.method, route: routeOf(c) };
      metrics.httpRequests.add(1, { ...labels, status: c.res.status });
      metrics.httpDuration.record((performance.now() - started) / 1000, labels);
    }
  };
  if (!tracer) return measured;
  return (c, next) =>
    withSpan(tracer, 'api.request', { 'http.request.method': c.req.method }, async (span) => {
      await measured(c, next);
      span.setAttributes({ 'http.route': routeOf(c), 'http.response.status_code': c.res.status });
    });
}
