// A check as the API shows it: the ECS document (store/ecs.ts, the one mapping) flattened to
// dotted keys, as Kibana and Heartbeat name fields ("monitor.status", "http.response.status_code"),
// built directly and held to that mapping by check-json.test.ts. Every key is always present, null when the probe did not reach that phase, so clients can rely
// on one shape. The tenant field is left out: the caller is the owner.

import { z } from '@hono/zod-openapi';
import { tlsVersionFields, urlFields } from '../../store/ecs.ts';
import { iso } from '../../store/iso-time.ts';
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

/**
 * The ECS document's fields, dotted, built straight from the check: a summary renders 2,500 of
 * them per call, and building each document then walking its paths cost ~12 µs a check against
 * ~2 µs. check-json.test.ts holds this to the flattened `checkToEcs` for every kind of check, so
 * that ecs.ts stays the one mapping. Keys in the schema's order, so answers keep their shape.
 */
export function checkJson(check: Check): CheckJson {
  const url = urlFields(check.url);
  const tls = tlsVersionFields(check.tls_version);
  const dns = check.dns;
  return {
    '@timestamp': iso(check.timestamp),
    'event.id': check.id,
    'monitor.id': check.monitor_id,
    'monitor.name': check.monitor_name,
    'monitor.type': check.monitor_type,
    'monitor.status': check.status,
    'monitor.duration.us': check.duration_us,
    'monitor.timespan.gte': iso(check.timestamp),
    'monitor.timespan.lt': iso(check.next_at),
    'monitor.maintenance': check.maintenance === true,
    'url.full': url.full,
    'url.domain': url.domain ?? null,
    'url.scheme': url.scheme,
    'url.port': url.port,
    'http.request.method': check.method,
    'http.response.status_code': check.status_code,
    'http.response.body.bytes': check.body_bytes,
    'http.rtt.response_header.us': check.first_byte_us,
    'http.rtt.total.us': check.total_us,
    'resolve.ip': check.resolved_ip,
    'resolve.rtt.us': check.dns_us,
    'tcp.rtt.connect.us': check.connect_us,
    'tls.rtt.handshake.us': check.tls_us,
    'tls.version': tls.version ?? null,
    'tls.version_protocol': tls.version_protocol ?? null,
    'tls.server.x509.not_after': check.cert_not_after === null ? null : iso(check.cert_not_after),
    'tls.server.x509.issuer.common_name': check.cert_issuer,
    'tls.server.hash.sha256': check.cert_sha256,
    'dns.question.name': dns?.question_name ?? null,
    'dns.question.type': dns?.question_type ?? null,
    'dns.answers.data': dns?.answers ?? null,
    'dns.response_code': dns?.response_code ?? null,
    'error.type': check.error_type,
    // ECS has no error object without a type, so no message either.
    'error.message': check.error_type === null ? null : check.error_message,
    'observer.name': check.observer,
    'observer.geo.name': check.observer,
    'summary.up': check.status === 'up' ? 1 : 0,
    'summary.down': check.status === 'down' ? 1 : 0,
    'summary.status': check.status,
  };
}
