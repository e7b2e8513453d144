// Push monitors' two routes (DESIGN "Monitor types"):
// - /push/{token} (GET or POST, no login): a job's heartbeat, written as one check through the
//   store (observer `push`). status=up|down (default up), msg (≤ 1 KiB; the error message of a
//   down push, ignored on an up one), ping (ms; the check's duration). Rate limited per token.
//   An unknown token and a malformed one get the same 404 after the same work (hash and lookup).
//   A paused monitor answers 200 with recorded: false and nothing is written. The token is never
//   logged: an unexpected error is logged without the path and answered 503.
// - POST /api/monitors/{id}/push-token: a new token; the old one is refused from the answer on.

import { createRoute, z } from '@hono/zod-openapi';
import { newCheckId } from '../../store/ids.ts';
import { inMaintenance } from '../../store/maintenance-schedule.ts';
import { pushCheck as buildPushCheck } from '../../store/push-check.ts';
import type { Check, Monitor } from '../../store/types.ts';
import { createRateLimiter, type RateLimiter } from '../auth/rate-limit.ts';
import { bearerSecurity, callerId, jsonContent, MonitorIdParams } from '../common.ts';
import type { ApiApp, RouteDeps } from '../deps.ts';
import { MonitorSchema, monitorJson } from '../monitors/monitor-json.ts';
import { notFoundProblem, ProblemError, problemResponses, validationProblem } from '../problem.ts';
import { newPushToken, pushTokenHash, pushUrl } from './token.ts';

export const PUSH_OBSERVER = 'push';
export const MAX_PUSH_MESSAGE_BYTES = 1024;
const MAX_PING_MS = 3_600_000;

/** 1 push a second per token, bursts of 10; at most 100,000 tokens remembered (least recently used dropped). */
export const PUSH_RATE = { capacity: 10, refillPerSecond: 1, maxKeys: 100_000 } as const;

const PushQuery = z
  .object({
    status: z.enum(['up', 'down'], { message: 'must be up or down' }).default('up').openapi({ param: { name: 'status', in: 'query' }, example: 'up' }),
    msg: z
      .string()
      .refine((v) => Buffer.byteLength(v) <= MAX_PUSH_MESSAGE_BYTES, { message: `must be at most ${MAX_PUSH_MESSAGE_BYTES} bytes in UTF-8` })
      .optional()
      .openapi({ param: { name: 'msg', in: 'query' }, description: 'Why the job failed: the message of a down push (ignored on an up one)', example: 'disk full' }),
    ping: z.coerce
      .number({ message: 'must be a number of milliseconds' })
      .min(0, 'must be at least 0 ms')
      .max(MAX_PING_MS, `must be at most ${MAX_PING_MS} ms`)
      .optional()
      .openapi({ param: { name: 'ping', in: 'query' }, description: 'How long the job took, ms: recorded as the check duration', example: 1234 }),
  })
  .strict();

const PushTokenParams = z.object({ token: z.string().max(256).openapi({ param: { name: 'token', in: 'path' }, example: '3q2-7Xr0bJ9kA1lQ8sWm5YtZc4dVf6hN' }) });

const PushReply = z
  .object({ recorded: z.boolean(), status: z.enum(['up', 'down']), reason: z.string().optional() })
  .openapi('PushReply', { example: { recorded: true, status: 'up' } });

export function registerPushRoutes(app: ApiApp, deps: RouteDeps, limiter: RateLimiter = createRateLimiter({ ...PUSH_RATE, clock: deps.clock })): void {
  const { store, config, clock, log } = deps;

  const handle = async (token: string, query: z.output<typeof PushQuery>): Promise<z.infer<typeof PushReply>> => {
    const hash = pushTokenHash(token);
    const verdict = limiter.take(hash);
    if (!verdict.allowed) {
      throw new ProblemError({
        status: 429,
        detail: `too many pushes for this monitor; retry in ${verdict.retryAfterSeconds} s`,
        headers: { 'Retry-After': String(verdict.retryAfterSeconds) },
      });
    }
    try {
      const monitor = await store.findMonitorByPushTokenHash(hash);
      if (!monitor || monitor.type !== 'push') throw notFoundProblem('push monitor');
      if (monitor.paused) return { recorded: false, status: query.status, reason: 'the monitor is paused' };
      const now = clock();
      const windows = await store.listMaintenanceWindows(monitor.owner_id);
      const check = pushCheck(monitor, now, query);
      await store.appendChecks([inMaintenance(windows, monitor, now) ? { ...check, maintenance: true } : check]);
      return { recorded: true, status: query.status };
    } catch (error) {
      if (error instanceof ProblemError) throw error;
      // Not rethrown as it is: the generic error log names the request path, which holds the token.
      log.error({ err: error }, 'push not recorded');
      throw new ProblemError({ status: 503, detail: 'the push could not be recorded; retry' });
    }
  };

  for (const method of ['get', 'post'] as const) {
    app.openapi(
      createRoute({
        tags: ['push'],
        method,
        path: '/push/{token}',
        summary: `A push monitor's heartbeat (${method.toUpperCase()}; no login: the token is the credential)`,
        description:
          'Records one check (observer `push`). Parameters travel in the query string for GET and POST alike. An unknown token answers 404; ' +
          `more than ${PUSH_RATE.capacity} pushes in a burst, or above ${PUSH_RATE.refillPerSecond} a second, 429 with Retry-After. A paused monitor records nothing.`,
        request: { params: PushTokenParams, query: PushQuery },
        responses: { 200: { description: 'Recorded (or not, for a paused monitor)', ...jsonContent(PushReply) }, ...problemResponses(400, 404, 429, 503) },
      }),
      async (c) => c.json(await handle(c.req.valid('param').token, c.req.valid('query')), 200),
    );
  }

  app.openapi(
    createRoute({
      tags: ['monitors'],
      security: bearerSecurity,
      method: 'post',
      path: '/api/monitors/{id}/push-token',
      summary: "A new secret push URL for a push monitor; the old one stops working at once",
      description: 'The answer is the monitor with its new `push_url`, shown this once: only its hash is kept.',
      request: { params: MonitorIdParams },
      responses: { 200: { description: 'The monitor with its new push_url', ...jsonContent(MonitorSchema) }, ...problemResponses(400, 401, 404) },
    }),
    async (c) => {
      const owner = callerId(c);
      const { id } = c.req.valid('param');
      const current = await store.getMonitor(owner, id);
      if (!current) throw notFoundProblem('monitor');
      if (current.type !== 'push') throw validationProblem([{ path: 'id', message: `is a ${current.type} monitor: only push monitors have a push URL` }]);
      const { token, hash } = newPushToken();
      const updated = await store.updateMonitor(owner, id, { push_token_hash: hash });
      if (!updated) throw notFoundProblem('monitor');
      return c.json(monitorJson(updated, pushUrl(config.publicUrl, token)), 200);
    },
  );
}

/** The check a push writes: at `now`, due again within interval + grace. */
export function pushCheck(monitor: Monitor, now: number, push: { status: 'up' | 'down'; msg?: string | undefined; ping?: number | undefined }): Check {
  const down = push.status === 'down';
  return buildPushCheck(monitor, {
    id: newCheckId(now),
    observer: PUSH_OBSERVER,
    timestamp: now,
    next_at: now + (monitor.interval_seconds + monitor.grace_seconds) * 1000,
    status: push.status,
    duration_us: Math.round((push.ping ?? 0) * 1000),
    error_type: down ? 'reported' : null,
    error_message: down ? (push.msg?.trim() || 'the job reported down') : null,
  });
}
