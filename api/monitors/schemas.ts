// Monitor request and response shapes: one discriminated union on `type` (http, tcp, dns, push;
// absent = http), so every route takes every type through the same handler. The interval floor and default
// come from the server's configuration, so the schemas are built per app by monitorSchemas(limits).
// Unknown fields are refused (.strict()) so a typo such as "intervall" is an error, not a silent
// default; a field of another type is refused too.

import { z } from '@hono/zod-openapi';
import { DEFAULT_TLS_EXPIRY_DAYS, dnsUri } from '../../store/monitor-types.ts';
import {
  HTTP_METHODS,
  MONITOR_TYPES,
  type Monitor,
  type MonitorType,
  type MonitorInput,
  type MonitorPatch,
} from '../../store/types.ts';
import { PageQueryFields } from '../common.ts';
import { type FieldError, fieldErrors } from '../problem.ts';
import { expectStatus, hiddenCharacterProblem, monitorName, requestHeaders, tags, targetUrl, timeZone } from './fields.ts';
import { COMMON_FIELDS, fieldsOf } from './common-fields.ts';
import { dnsQuerySchema, jsonAssertions, requestBody, tcpUrl } from './type-fields.ts';

export { MonitorListSchema, MonitorPageSchema, MonitorSchema, monitorJson } from './monitor-json.ts';

export type IntervalLimits = { minIntervalSeconds: number; defaultIntervalSeconds: number };

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Per bulk request: 50,000 monitors are 50 requests, each one transaction or bulk write. */
export const BULK_MAX_MONITORS = 1_000;
// Low enough for monitors of local targets probed every second.
const MIN_TIMEOUT_MS = 100;
const MAX_INTERVAL_SECONDS = 86_400;
export const DEFAULT_GRACE_SECONDS = 60;
/** A push monitor's `url`: it has no target; its checks name it so (ECS url.scheme `push`). */
export const PUSH_MONITOR_URL = 'push:';

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
    body: requestBody,
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
      .openapi({ description: 'Text the response body must contain (or must not, with keyword_absent)' }),
    keyword_absent: z.boolean({ message: 'must be true or false' }).openapi({ description: 'true: down when the keyword is found' }),
    json_assertions: jsonAssertions,
    max_response_ms: int(1, 60_000, ' ms').nullable().openapi({ description: 'Slower is down (error.type slow); null = only the timeout' }),
    headers: requestHeaders,
    dns: dnsQuerySchema,
    confirm_failures: int(1, 10),
    confirm_recoveries: int(1, 10),
    remind_every_minutes: int(0, 10_080, ' minutes').openapi({ description: '0 = no reminders' }),
    paused: z.boolean({ message: 'must be true or false' }),
    tags,
    timezone: timeZone.nullable().openapi({ description: 'IANA zone for notifications and history; null = UTC' }),
    public: z.boolean({ message: 'must be true or false' }).openapi({ description: 'Shown on the public status page' }),
    grace_seconds: int(0, MAX_INTERVAL_SECONDS, ' seconds').openapi({
      description: 'push: how late a heartbeat may be, beyond interval_seconds, before a missed (down) check is written',
      example: DEFAULT_GRACE_SECONDS,
    }),
    tls_expiry_days: z
      .array(z.number({ message: 'must be a number of days' }).int('must be a whole number').min(1, 'must be at least 1 day').max(365, 'must be at most 365 days'))
      .max(5, 'must list at most 5 thresholds')
      .refine((days) => new Set(days).size === days.length, 'must not list a threshold twice')
      .openapi({
        description: 'Days before the certificate expires at which contacts get one [CERT] message each (per certificate); [] = never',
        example: [...DEFAULT_TLS_EXPIRY_DAYS],
      }),
  };
}

/** What a monitor of a type leaves at its neutral value (store/monitor-types.ts). */
const NOT_HTTP = {
  method: 'GET',
  body: null,
  expect_status: '200-399',
  keyword: null,
  keyword_absent: false,
  json_assertions: [],
  max_response_ms: null,
  headers: {},
} as const satisfies Partial<MonitorInput>;

/** What a monitor of a type other than push leaves at its neutral value. */
const NOT_PUSH = { grace_seconds: 0 } as const satisfies Partial<MonitorInput>;

/** Fields a caller may send per type, besides the common ones: the one list the API keeps. */
export const TYPE_FIELDS = {
  http: ['url', 'method', 'body', 'expect_status', 'keyword', 'keyword_absent', 'json_assertions', 'max_response_ms', 'headers'],
  tcp: ['url'],
  dns: ['dns'],
  push: ['grace_seconds'],
} as const satisfies Record<MonitorType, readonly (keyof MonitorInput)[]>;

export const API_MONITOR_TYPES = MONITOR_TYPES;

/** Cross-field rules of every type, as field errors. */
function crossFieldProblems(m: MonitorInput): FieldError[] {
  const problems: FieldError[] = [];
  const timeout = timeoutVersusInterval(m.timeout_ms, m.interval_seconds);
  if (timeout) problems.push(timeout);
  if (m.type !== 'http') return problems;
  if (m.body !== null && (m.method === 'GET' || m.method === 'HEAD')) {
    problems.push({ path: 'body', message: `a ${m.method} request carries no body: use POST, PUT, PATCH, DELETE or OPTIONS` });
  }
  if (m.keyword_absent && m.keyword === null) problems.push({ path: 'keyword_absent', message: 'needs a keyword (the text that must not appear)' });
  if (m.max_response_ms !== null && m.max_response_ms >= m.timeout_ms) {
    problems.push({ path: 'max_response_ms', message: `must be less than timeout_ms (${m.timeout_ms} ms): a slower probe times out first` });
  }
  if (m.json_assertions.length > 0 && m.method === 'HEAD') {
    problems.push({ path: 'json_assertions', message: 'a HEAD response has no body to assert on' });
  }
  return problems;
}

export function monitorSchemas(limits: IntervalLimits) {
  const f = fields(limits);
  const common = {
    name: f.name,
    interval_seconds: f.interval_seconds.default(limits.defaultIntervalSeconds),
    timeout_ms: f.timeout_ms.optional().openapi({
      description: `Default ${DEFAULT_TIMEOUT_MS} ms, or less when the interval is shorter`,
    }),
    confirm_failures: f.confirm_failures.default(2),
    confirm_recoveries: f.confirm_recoveries.default(1),
    remind_every_minutes: f.remind_every_minutes.default(0),
    paused: f.paused.default(false),
    tags: f.tags.default([]),
    timezone: f.timezone.default(null),
    public: f.public.default(false),
    tls_expiry_days: f.tls_expiry_days.default([...DEFAULT_TLS_EXPIRY_DAYS]),
  };
  const { name, ...notName } = common;
  const http = z
    .object({
      // Absent: http, so that clients written before monitor types keep working.
      type: z.literal('http').default('http'),
      name,
      url: f.url,
      method: f.method.default('GET'),
      body: f.body.default(null),
      expect_status: f.expect_status.default('200-399'),
      keyword: f.keyword.default(null),
      keyword_absent: f.keyword_absent.default(false),
      json_assertions: f.json_assertions.default([]),
      max_response_ms: f.max_response_ms.default(null),
      headers: f.headers.default({}),
      ...notName,
    })
    .strict()
    .openapi('HttpMonitorCreate', {
      example: {
        type: 'http',
        name: 'Orders API',
        url: 'https://api.example.com/orders/health',
        method: 'POST',
        body: '{"probe":true}',
        headers: { 'Content-Type': 'application/json' },
        json_assertions: [{ path: '$.status', op: '==', value: 'ok' }],
        max_response_ms: 2000,
      },
    });
  const tcp = z
    .object({ type: z.literal('tcp'), url: tcpUrl, ...common })
    .strict()
    .openapi('TcpMonitorCreate', { example: { type: 'tcp', name: 'Postgres', url: 'tcp://db.example.com:5432', interval_seconds: 60 } });
  const dns = z
    .object({ type: z.literal('dns'), dns: f.dns, ...common })
    .strict()
    .openapi('DnsMonitorCreate', {
      example: { type: 'dns', name: 'Mail exchanger', dns: { name: 'example.com', record_type: 'MX', resolver: '1.1.1.1', expect: '10 mx.example.com' } },
    });
  // No url: the secret push URL is made by the route (api/push/), which fills push_token_hash.
  const push = z
    .object({ type: z.literal('push'), grace_seconds: f.grace_seconds.default(DEFAULT_GRACE_SECONDS), ...common })
    .strict()
    .openapi('PushMonitorCreate', { example: { type: 'push', name: 'Nightly backup', interval_seconds: 86_400, grace_seconds: 3_600 } });
  const create = z
    .discriminatedUnion('type', [http, tcp, dns, push], {
      error: (issue) => (issue.code === 'invalid_union' ? `must be one of ${API_MONITOR_TYPES.join(', ')} (default http)` : undefined),
    })
    .openapi('MonitorCreate', { description: 'One of the monitor types, told apart by `type` (default http)' })
    .transform((m, ctx): MonitorInput => {
      const timeout_ms = m.timeout_ms ?? defaultTimeout(m.interval_seconds);
      const input: MonitorInput =
        m.type === 'http'
          ? { ...m, ...NOT_PUSH, timeout_ms, dns: null }
          : m.type === 'tcp'
            ? { ...m, ...NOT_HTTP, ...NOT_PUSH, timeout_ms, dns: null }
            : m.type === 'dns'
              ? { ...m, ...NOT_HTTP, ...NOT_PUSH, timeout_ms, url: dnsUri(m.dns) }
              : { ...m, ...NOT_HTTP, timeout_ms, url: PUSH_MONITOR_URL, dns: null };
      for (const problem of crossFieldProblems(input)) ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
      return input;
    });
  // No defaults here: an absent field keeps its stored value. The handler merges the patch into
  // the stored monitor and validates the result as a whole with `create` (monitorPatched).
  const patch = z
    .object({
      ...f,
      type: z.enum(API_MONITOR_TYPES).openapi({ description: 'Cannot change; may be sent if it is the current type' }),
      url: z.string().openapi({ description: 'http(s) URL for http monitors; tcp://host:port or tls://host:port for tcp ones' }),
    })
    .partial()
    .strict()
    .openapi('MonitorPatch');
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
          { type: 'tcp', name: 'Shop database', url: 'tcp://db.shop.example.com:5432', interval_seconds: 60 },
          { type: 'dns', name: 'Shop address', dns: { name: 'shop.example.com', record_type: 'A' } },
        ],
      },
    });
  return { create, patch, bulkCreate };
}

export type MonitorSchemas = ReturnType<typeof monitorSchemas>;

/** The stored monitor as the body that would create it: what a patch is merged into. */
export function creationBody(m: Monitor): Record<string, unknown> {
  return { type: m.type, ...fieldsOf(m, COMMON_FIELDS), ...fieldsOf(m, TYPE_FIELDS[m.type]) };
}

export type MonitorPatchBody = z.infer<MonitorSchemas['patch']>;

/**
 * The stored monitor with the patch applied, validated as a whole (every rule of its type, across
 * fields too), as the fields to write: the patch's own, plus `url` when a dns question changed.
 * Field errors name the patch's fields; a type cannot change.
 */
export function monitorPatched(
  schemas: MonitorSchemas,
  current: Monitor,
  patch: MonitorPatchBody,
): { ok: true; changes: MonitorPatch } | { ok: false; errors: FieldError[] } {
  if (patch.type !== undefined && patch.type !== current.type) {
    return {
      ok: false,
      errors: [{ path: 'type', message: `cannot change (this is a ${current.type} monitor): create a ${patch.type} monitor instead` }],
    };
  }
  const allowed = TYPE_FIELDS[current.type];
  const foreign = Object.keys(patch).filter(
    (key) => (ALL_TYPE_FIELDS as readonly string[]).includes(key) && !(allowed as readonly string[]).includes(key),
  );
  if (foreign.length > 0) {
    return { ok: false, errors: foreign.map((key) => ({ path: key, message: `is not a field of ${current.type} monitors` })) };
  }
  const merged = schemas.create.safeParse({ ...creationBody(current), ...patch });
  if (!merged.success) return { ok: false, errors: fieldErrors(merged.error) };
  const keys = Object.keys(patch).filter((key): key is keyof MonitorInput => key !== 'type');
  if (patch.dns !== undefined) keys.push('url');
  return { ok: true, changes: Object.fromEntries(keys.map((key) => [key, merged.data[key]])) as MonitorPatch };
}

const ALL_TYPE_FIELDS = [...new Set(Object.values(TYPE_FIELDS).flat())];


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
    type: z
      .enum(MONITOR_TYPES, { message: `must be one of ${MONITOR_TYPES.join(', ')}` })
      .optional()
      .openapi({ param: { name: 'type', in: 'query' }, example: 'tcp' }),
    ...PageQueryFields,
  })
  .strict();
