// GET /api/monitors/{id}/history: uptime and response times per hour or day, in a time zone
// (the monitor's own by default). Every bucket of the range is present so charts have no gaps;
// the number of buckets is capped so one request cannot ask for years of hours.

import { createRoute, z } from '@hono/zod-openapi';
import { bearerSecurity, callerId, iso, isoQueryTime, IsoTime, jsonContent, MonitorIdParams } from '../common.ts';
import type { ApiApp, RouteDeps } from '../deps.ts';
import { timeZone } from '../monitors/fields.ts';
import { notFoundProblem, problemResponses, validationProblem } from '../problem.ts';

export const MAX_BUCKETS = 2000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BUCKET_MS = { hour: HOUR, day: DAY } as const;
/** Default span when `from` is not given: a day of hours, a month of days. */
const DEFAULT_SPAN = { hour: DAY, day: 30 * DAY } as const;

const HistoryQuery = z.object({
  from: isoQueryTime('from', 'Start of the range (default: 24 h before `to` for hours, 30 days for days)'),
  to: isoQueryTime('to', 'End of the range (default: now)'),
  bucket: z
    .enum(['hour', 'day'], { message: 'must be hour or day' })
    .default('hour')
    .openapi({ param: { name: 'bucket', in: 'query' } }),
  tz: timeZone.optional().openapi({ param: { name: 'tz', in: 'query' }, description: "Default: the monitor's time zone, else UTC" }),
});

const ratio = z.number().min(0).max(1).nullable().openapi({ description: 'up / (up + down): maintenance checks left out; null without such checks' });
const maintenance = z.number().int().openapi({ description: 'Checks probed during a maintenance window: in checks, neither up nor down' });
const ms = z.number().nullable();

const HistorySchema = z
  .object({
    bucket: z.enum(['hour', 'day']),
    tz: z.string(),
    from: IsoTime,
    to: IsoTime,
    buckets: z.array(
      z.object({
        start: IsoTime,
        checks: z.number().int(),
        up: z.number().int(),
        down: z.number().int(),
        maintenance,
        uptime: ratio,
        response_ms: z.object({ avg: ms, p95: ms, max: ms }),
      }),
    ),
    totals: z.object({ checks: z.number().int(), up: z.number().int(), down: z.number().int(), maintenance, uptime: ratio }),
  })
  .openapi('History');

export function registerHistoryRoutes(app: ApiApp, deps: RouteDeps): void {
  const { store, clock } = deps;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/monitors/{id}/history',
      tags: ['history'],
      security: bearerSecurity,
      summary: 'Uptime and response time per hour or day',
      request: { params: MonitorIdParams, query: HistoryQuery },
      responses: { 200: { description: 'Buckets and totals', ...jsonContent(HistorySchema) }, ...problemResponses(400, 401, 404) },
    }),
    async (c) => {
      const owner = callerId(c);
      const { id } = c.req.valid('param');
      const query = c.req.valid('query');
      const to = query.to ?? clock();
      const from = query.from ?? to - DEFAULT_SPAN[query.bucket];
      if (from >= to) throw validationProblem([{ path: 'from', message: 'must be earlier than to' }]);
      // Approximate (DST days are 23 or 25 hours) but enough to bound the work.
      const buckets = Math.ceil((to - from) / BUCKET_MS[query.bucket]);
      if (buckets > MAX_BUCKETS) {
        throw validationProblem([
          { path: 'from', message: `the range holds ${buckets} ${query.bucket} buckets; at most ${MAX_BUCKETS} are allowed (use bucket=day or a shorter range)` },
        ]);
      }
      const monitor = await store.getMonitor(owner, id);
      if (!monitor) throw notFoundProblem('monitor');
      const tz = query.tz ?? monitor.timezone ?? 'UTC';
      const history = await store.history(owner, id, { from, to, bucket: query.bucket, tz });
      if (!history) throw notFoundProblem('monitor');
      return c.json(
        {
          bucket: query.bucket,
          tz,
          from: iso(from),
          to: iso(to),
          buckets: history.buckets.map((b) => ({ ...b, start: iso(b.start) })),
          totals: history.totals,
        },
        200,
      );
    },
  );
}
