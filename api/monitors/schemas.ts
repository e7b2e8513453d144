// Monitor request and response shapes. The interval floor and default come from the server's
// configuration, so the schemas are built per app by monitorSchemas(limits). Unknown fields are
// refused (.strict()) so a typo such as "intervall" is an error, not a silent default.

import { z } from '@hono/zod-openapi';
import { HTTP_METHODS, type Monitor } from '../../store/types.ts';
import { IsoTime, iso, NextCursor, PageQueryFields } from '../common.ts';
import type { FieldError } from '../problem.ts';
import { expectStatus, hiddenCharacterProblem, monitorName, requestHeaders, tags, targetUrl, timeZone } from './fields.ts';

export type IntervalLimits = { minIntervalSeconds: number; defaultIntervalSeconds: number };

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Per bulk request: 50,000 monitors are 50 requests, each one transaction or bulk write. */
export const BULK_MAX_MONITORS = 1_000;
// Low enough for monitors of local targets probed every second.
const MIN_TIMEOUT_MS = 100;
const MAX_INTERVAL_SECONDS = 86_400;

/** A probe must end before the next one starts. */
export function timeoutVersusInterval(timeoutMs: number, intervalSeconds: number): FieldError | null {
  if (timeoutMs < intervalSeconds * 1000) return null;
  return {
    path: 'timeout_ms',
    message: `must be less than interval_seconds (${intervalSeconds} s = ${intervalSeconds * 1000} ms)`,
  };
}

/** 10 s, or 80% of a shorter interval, so that leaving timeout_ms out is never an error. */
export function defaultTimeout(intervalSeconds: number): number {
  return Math.max(MIN_TIMEOUT_MS, Math.min(DEFAULT_TIMEOUT_MS, Math.floor(intervalSeconds * 800)));
}

function fields(limits: IntervalLimits) {
  const min = limits.minIntervalSeconds;
  const int = (low: number, high: number, unit = '') =>
    z
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(low, `must be at least ${low}${unit}`)
      .max(high, `must be at most ${high}${unit}`);
  return {
    name: monitorName,
    url: targetUrl,
    method: z.enum(HTTP_METHODS, { message: `must be one of ${HTTP_METHODS.join(', ')}` }),
    interval_seconds: z
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(min, `must be at least ${min} seconds (this server's MIN_INTERVAL_SECONDS)`)
      .max(MAX_INTERVAL_SECONDS, `must be at most ${MAX_INTERVAL_SECONDS} seconds (one day)`)
      .openapi({ example: limits.defaultIntervalSeconds }),
    timeout_ms: int(MIN_TIMEOUT_MS, 60_000, ' ms').openapi({ example: DEFAULT_TIMEOUT_MS }),
    expect_status: expectStatus,
    keyword: z
      .string()
      .min(1, 'must not be empty (use null for no keyword)')
      .max(1024, 'must be at most 1024 characters')
      .nullable()
      .openapi({ description: 'Text the response body must contain' }),
    headers: requestHeaders,
    confirm_failures: int(1, 10),
    confirm_recoveries: int(1, 10),
    remind_every_minutes: int(0, 10_080, ' minutes').openapi({ description: '0 = no reminders' }),
    paused: z.boolean({ message: 'must be true or false' }),
    tags,
    timezone: timeZone.nullable().openapi({ description: 'IANA zone for notifications and history; null = UTC' }),
    public: z.boolean({ message: 'must be true or false' }).openapi({ description: 'Shown on the public status page' }),
  };
}

export function monitorSchemas(limits: IntervalLimits) {
  const f = fields(limits);
  const create = z
    .object({
      name: f.name,
      url: f.url,
      method: f.method.default('GET'),
      interval_seconds: f.interval_seconds.default(limits.defaultIntervalSeconds),
      timeout_ms: f.timeout_ms.optional().openapi({
        description: `Default ${DEFAULT_TIMEOUT_MS} ms, or less when the interval is shorter`,
      }),
      expect_status: f.expect_status.default('200-399'),
      keyword: f.keyword.default(null),
      headers: f.headers.default({}),
      confirm_failures: f.confirm_failures.default(2),
      confirm_recoveries: f.confirm_recoveries.default(1),
      remind_every_minutes: f.remind_every_minutes.default(0),
      paused: f.paused.default(false),
      tags: f.tags.default([]),
      timezone: f.timezone.default(null),
      public: f.public.default(false),
    })
    .strict()
    .openapi('MonitorCreate')
    .transform((m, ctx) => {
      const timeout_ms = m.timeout_ms ?? defaultTimeout(m.interval_seconds);
      const problem = timeoutVersusInterval(timeout_ms, m.interval_seconds);
      if (problem) ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
      return { ...m, timeout_ms };
    });
  // No defaults here: an absent field keeps its stored value.
  const patch = z.object(f).partial().strict().openapi('MonitorPatch');
  const bulkCreate = z
    .object({
      monitors: z
        .array(create)
        .min(1, 'must list at least one monitor')
        .max(BULK_MAX_MONITORS, `must list at most ${BULK_MAX_MONITORS} monitors (send several requests)`),
    })
    .strict()
    .openapi('MonitorBulkCreate', {
      example: {
        monitors: [
          { name: 'Shop', url: 'https://shop.example.com/health', interval_seconds: 60, tags: ['prod'] },
          { name: 'Blog', url: 'https://blog.example.com/', interval_seconds: 300 },
        ],
      },
    });
  return { create, patch, bulkCreate };
}

export const MonitorSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    url: z.string(),
    method: z.enum(HTTP_METHODS),
    interval_seconds: z.number().int(),
    timeout_ms: z.number().int(),
    expect_status: z.string(),
    keyword: z.string().nullable(),
    headers: z.record(z.string(), z.string()),
    confirm_failures: z.number().int(),
    confirm_recoveries: z.number().int(),
    remind_every_minutes: z.number().int(),
    paused: z.boolean(),
    tags: z.array(z.string()),
    timezone: z.string().nullable(),
    public: z.boolean(),
    created_at: IsoTime,
    updated_at: IsoTime,
  })
  .openapi('Monitor');

export const MonitorListSchema = z.object({ items: z.array(MonitorSchema) }).openapi('MonitorList');

export const MonitorPageSchema = z.object({ items: z.array(MonitorSchema), next_cursor: NextCursor }).openapi('MonitorPage');

const queryText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .superRefine((value, ctx) => {
      const problem = hiddenCharacterProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

export const MonitorListQuery = z
  .object({
    q: queryText(200).optional().openapi({ param: { name: 'q', in: 'query' }, example: 'shop' }),
    tag: queryText(64).optional().openapi({ param: { name: 'tag', in: 'query' }, example: 'production' }),
    status: z
      .enum(['up', 'down', 'paused', 'maintenance'], { message: 'must be up, down, paused or maintenance' })
      .optional()
      .openapi({ param: { name: 'status', in: 'query' }, example: 'down' }),
    ...PageQueryFields,
  })
  .strict();

export function monitorJson(m: Monitor): z.infer<typeof MonitorSchema> {
  return {
    id: m.id,
    name: m.name,
    url: m.url,
    method: m.method,
    interval_seconds: m.interval_seconds,
    timeout_ms: m.timeout_ms,
    expect_status: m.expect_status,
    keyword: m.keyword,
    headers: m.headers,
    confirm_failures: m.confirm_failures,
    confirm_recoveries: m.confirm_recoveries,
    remind_every_minutes: m.remind_every_minutes,
    paused: m.paused,
    tags: m.tags,
    timezone: m.timezone,
    public: m.public,
    created_at: iso(m.created_at),
    updated_at: iso(m.updated_at),
  };
}
