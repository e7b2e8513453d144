// Monitor responses: one shape per type (a discriminated union on `type`), each with only the
// fields of its type, built from the stored Monitor by monitorJson.

import { z } from '@hono/zod-openapi';
import { DNS_RECORD_TYPES, HTTP_METHODS, JSON_ASSERTION_OPS, type Monitor } from '../../store/types.ts';
import { IsoTime, iso, NextCursor } from '../common.ts';
import { COMMON_FIELDS, fieldsOf } from './common-fields.ts';

const common = {
  id: z.string(),
  name: z.string(),
  interval_seconds: z.number().int(),
  timeout_ms: z.number().int(),
  confirm_failures: z.number().int(),
  confirm_recoveries: z.number().int(),
  remind_every_minutes: z.number().int(),
  paused: z.boolean(),
  tags: z.array(z.string()),
  timezone: z.string().nullable(),
  public: z.boolean(),
  tls_expiry_days: z.array(z.number().int()).openapi({ description: 'Days before a certificate expires when its contacts are told; [] = off' }),
  created_at: IsoTime,
  updated_at: IsoTime,
};

const HttpMonitorSchema = z
  .object({
    type: z.literal('http'),
    url: z.string(),
    method: z.enum(HTTP_METHODS),
    body: z.string().nullable(),
    expect_status: z.string(),
    keyword: z.string().nullable(),
    keyword_absent: z.boolean(),
    json_assertions: z.array(z.object({ path: z.string(), op: z.enum(JSON_ASSERTION_OPS), value: z.union([z.string(), z.number(), z.boolean(), z.null()]) })),
    max_response_ms: z.number().int().nullable(),
    headers: z.record(z.string(), z.string()),
    ...common,
  })
  .openapi('HttpMonitor');
const TcpMonitorSchema = z.object({ type: z.literal('tcp'), url: z.string(), ...common }).openapi('TcpMonitor');
const DnsMonitorSchema = z
  .object({
    type: z.literal('dns'),
    url: z.string().openapi({ description: 'The question as an RFC 4501 URI, e.g. dns://1.1.1.1/example.com?type=A' }),
    dns: z.object({ name: z.string(), record_type: z.enum(DNS_RECORD_TYPES), resolver: z.string().nullable(), expect: z.string().nullable() }),
    ...common,
  })
  .openapi('DnsMonitor');

const PushMonitorSchema = z
  .object({
    type: z.literal('push'),
    grace_seconds: z.number().int(),
    push_url: z.string().optional().openapi({
      description:
        'The secret URL a job calls (GET or POST, ?status=up|down&msg=…&ping=ms). Only its hash is stored: it is shown in the answer that creates the monitor ' +
        'and in the one of POST /api/monitors/{id}/push-token, never again',
      example: 'https://uptime.example.com/push/3q2-7Xr0bJ9kA1lQ8sWm5YtZc4dVf6hN',
    }),
    ...common,
  })
  .openapi('PushMonitor');

export const MonitorSchema = z.discriminatedUnion('type', [HttpMonitorSchema, TcpMonitorSchema, DnsMonitorSchema, PushMonitorSchema]).openapi('Monitor');

export const MonitorListSchema = z.object({ items: z.array(MonitorSchema) }).openapi('MonitorList');

export const MonitorPageSchema = z.object({ items: z.array(MonitorSchema), next_cursor: NextCursor }).openapi('MonitorPage');

/** `pushUrl`: the push monitor's secret URL, given only when it was just made (creation, regeneration). */
export function monitorJson(m: Monitor, pushUrl?: string): z.infer<typeof MonitorSchema> {
  const shared = { id: m.id, ...fieldsOf(m, COMMON_FIELDS), created_at: iso(m.created_at), updated_at: iso(m.updated_at) };

  if (m.type === 'push') return { type: 'push', grace_seconds: m.grace_seconds, ...(pushUrl === undefined ? {} : { push_url: pushUrl }), ...shared };
  if (m.type === 'tcp') return { type: 'tcp', url: m.url, ...shared };
  if (m.type === 'dns' && m.dns !== null) return { type: 'dns', url: m.url, dns: m.dns, ...shared };
  return {
    type: 'http',
    url: m.url,
    method: m.method,
    body: m.body,
    expect_status: m.expect_status,
    keyword: m.keyword,
    keyword_absent: m.keyword_absent,
    json_assertions: m.json_assertions,
    max_response_ms: m.max_response_ms,
    headers: m.headers,
    ...shared,
  };
}
