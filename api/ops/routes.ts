// Operations endpoints, unauthenticated: liveness, readiness (the store answers) and Prometheus
// metrics. Readiness has its own timeout so a hung store makes the probe fail, not hang.

import { createRoute, z } from '@hono/zod-openapi';
import { jsonContent } from '../common.ts';
import type { ApiApp, RouteDeps } from '../deps.ts';
import { ProblemError, problemResponses } from '../problem.ts';

const READY_TIMEOUT_MS = 5000;

const StatusSchema = z.object({ status: z.literal('ok') }).openapi('Health');

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function registerOpsRoutes(app: ApiApp, deps: RouteDeps): void {
  const { store, metrics, log } = deps;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['operations'],
      summary: 'Liveness: the process answers',
      responses: { 200: { description: 'Alive', ...jsonContent(StatusSchema) } },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      tags: ['operations'],
      summary: 'Readiness: the store answers',
      responses: { 200: { description: 'Ready', ...jsonContent(StatusSchema) }, ...problemResponses(503) },
    }),
    async (c) => {
      try {
        await withTimeout(store.ping(), READY_TIMEOUT_MS, `the ${store.backend} store`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        log.warn({ reason }, 'readiness check failed');
        throw new ProblemError({ status: 503, detail: `store unreachable: ${reason}` });
      }
      return c.json({ status: 'ok' as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/metrics',
      tags: ['operations'],
      summary: 'Prometheus metrics (text exposition format 0.0.4)',
      responses: { 200: { description: 'Metrics', content: { 'text/plain': { schema: z.string() } } } },
    }),
    async (c) =>
      c.text(await metrics.prometheusText(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
}
