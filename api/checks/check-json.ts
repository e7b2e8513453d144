// A check as the API shows it: the ECS document (store/ecs.ts, the one mapping) flattened to
// dotted keys, as Kibana and Heartbeat name fields ("monitor.status", "http.response.status_code").
// Every key is always present, null when the probe did not reach that phase, so clients can rely
// on one shape. The tenant field is left out: the caller is the owner.

import { z } from '@hono/zod-openapi';
import { checkToEcs } from '../../store/ecs.ts';
import { DNS_RECORD_TYPES, ERROR_TYPES, HTTP_METHODS, MONITOR_TYPES, type Check } from '../../store/types.ts';
import { IsoTime } from '../common.ts';

const us = z.number().int().nullable().openapi({ description: 'microseconds' });
const time = IsoTime.nullable();

export const CheckSchema = z
  .object({
    '@timestamp': IsoTime,
    'event.id': z.string(),
    'monitor.id': z.string(),
    'monitor.name': z.string(),
    'monitor.type': z.enum(MONITOR_TYPES),
    'monitor.status': z.enum(['up', 'down']),
    'monitor.duration.us': us,
    'monitor.timespan.gte': time,
    'monitor.timespan.lt': time,
    'monitor.maintenance': z.boolean().openapi({ description: 'Probed inside a maintenance window (no alert is sent for it)' }),
    'url.full': z.string(),
    'url.domain': z.string().nullable(),
    'url.scheme': z.string().nullable(),
    'url.port': z.number().int().nullable(),
    'http.request.method': z.enum(HTTP_METHODS).nullable().openapi({ description: 'null for tcp and dns checks' }),
    'http.response.status_code': z.number().int().nullable(),
    'http.response.body.bytes': z.number().int().nullable(),
    'http.rtt.response_header.us': us,
    'http.rtt.total.us': us,
    'resolve.ip': z.string().nullable(),
    'resolve.rtt.us': us,
    'tcp.rtt.connect.us': us,
    'tls.rtt.handshake.us': us,
    'tls.version': z.string().nullable(),
    'tls.version_protocol': z.string().nullable(),
    'tls.server.x509.not_after': time,
    'tls.server.x509.issuer.common_name': z.string().nullable(),
    'tls.server.hash.sha256': z.string().nullable().openapi({ description: "SHA-256 fingerprint of the server's certificate (lowercase hex)" }),
    'dns.question.name': z.string().nullable(),
    'dns.question.type': z.enum(DNS_RECORD_TYPES).nullable(),
    'dns.answers.data': z.array(z.string()).nullable().openapi({ description: 'The answers, in the order received (dns checks)' }),
    'dns.response_code': z.string().nullable().openapi({ example: 'NXDOMAIN' }),
    'error.type': z.enum(ERROR_TYPES).nullable(),
    'error.message': z.string().nullable(),
    'observer.name': z.string().nullable(),
    'observer.geo.name': z.string().nullable(),
    'summary.up': z.number().int().nullable(),
    'summary.down': z.number().int().nullable(),
    'summary.status': z.enum(['up', 'down']).nullable(),
  })
  .openapi('Check', { description: 'One probe result, ECS field names flattened to dotted keys' });

export type CheckJson = z.infer<typeof CheckSchema>;

/** Each key with its path in the document: the dotted name is the path (ECS), walked without copying. */
const PATHS = (Object.keys(CheckSchema.shape) as Array<keyof CheckJson>).map((key) => [key, key.split('.')] as const);

function valueAt(doc: object, path: readonly string[]): unknown {
  let value: unknown = doc;
  for (const step of path) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[step];
  }
  return value ?? null;
}

export function checkJson(check: Check): CheckJson {
  const doc = checkToEcs(check);
  const json: Record<string, unknown> = {};
  for (const [key, path] of PATHS) json[key] = valueAt(doc, path);
  // The document leaves the field out unless true; the API always answers it. Answers are an
  // array of objects in the document ({data}), one list of strings here.
  json['monitor.maintenance'] = check.maintenance === true;
  json['dns.answers.data'] = check.dns?.answers ?? null;
  return json as CheckJson;
}
