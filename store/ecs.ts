// The one mapping between our plain `Check` and its Elastic Common Schema document (the shape the
// `uptime-checks-*` data stream stores, aligned with Elastic Heartbeat so Kibana's Uptime app and
// our dashboards read it). Also the events (`uptime-events-*`) document built from incidents and
// deliveries. Field names and types are pinned by elastic/templates/; a test walks a mapped
// document against that mapping.
//
// Tenancy: the owner is `owner.id` (keyword, not an ECS field set). Every query of a user's data
// filters on it.
//
// Example:
//   const doc = checkToEcs(check);   // { '@timestamp': '2025-…Z', event: { id }, monitor: {…}, … }
//   ecsToCheck(doc) deep-equals check

import type { Check, Delivery, DnsRecordType, ErrorType, HttpMethod, Incident, MonitorType } from './types.ts';
import { iso } from './iso-time.ts';

/** Field that carries the owning user's id on every document. */
export const OWNER_FIELD = 'owner.id';
/** ECS version the documents follow (ecs.version). */
export const ECS_VERSION = '8.11.0';

export type EcsCheckDocument = {
  '@timestamp': string;
  ecs: { version: string };
  /** `ingested`: when the writer sent it to the store (the alerting feed's cursor); not part of Check. */
  event: { id: string; kind: 'metric'; dataset: 'uptime.checks'; ingested?: string };
  owner: { id: string };
  monitor: {
    id: string;
    name: string;
    type: MonitorType;
    status: 'up' | 'down';
    duration: { us: number };
    timespan: { gte: string; lt: string };
    /** Only when true: probed inside a maintenance window. */
    maintenance?: true;
  };
  /** domain is absent for a dns: URI without a resolver; port 0 when the scheme has no default. */
  url: { full: string; domain?: string; scheme: string; port: number };
  /** Absent for checks that send no HTTP request (tcp, dns). */
  http?: {
    request?: { method: HttpMethod };
    response?: { status_code?: number; body?: { bytes: number } };
    rtt?: { response_header?: { us: number }; total?: { us: number } };
  };
  resolve?: { ip?: string; rtt?: { us: number } };
  tcp?: { rtt: { connect: { us: number } } };
  tls?: {
    rtt?: { handshake: { us: number } };
    version?: string;
    version_protocol?: string;
    server?: { x509?: { not_after?: string; issuer?: { common_name: string } }; hash?: { sha256: string } };
  };
  /** A dns probe's question and what it heard (ECS dns.*). */
  dns?: {
    question: { name: string; type: DnsRecordType };
    answers: Array<{ data: string }>;
    response_code?: string;
  };
  error?: { type: ErrorType; message?: string };
  observer: { name: string; geo: { name: string } };
  summary: { up: 0 | 1; down: 0 | 1; status: 'up' | 'down' };
};

const ms = (value: string) => Date.parse(value);
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'dns:': 53 };

/** Node reports "TLSv1.3"; ECS splits it into version "1.3" and version_protocol "tls". */
export function tlsVersionFields(version: string | null): { version?: string; version_protocol?: string } {
  if (version === null) return {};
  const match = /^TLSv(\d(?:\.\d)?)$/.exec(version);
  return match ? { version: match[1], version_protocol: 'tls' } : { version };
}

/** Drops keys whose value is undefined, and the object itself when nothing is left. */
function compact<T extends object>(value: T): T | undefined {
  let kept: Record<string, unknown> | undefined;
  for (const [key, v] of Object.entries(value)) if (v !== undefined) (kept ??= {})[key] = v;
  return kept as T | undefined;
}

const us = (value: number | null) => (value === null ? undefined : { us: value });

/** ECS url.*: domain undefined for a URI without a host; port 0 when the scheme has no default. */
export function urlFields(full: string): EcsCheckDocument['url'] {
  const url = new URL(full);
  return {
    full,
    // URL.hostname keeps IPv6 brackets; ECS url.domain wants the bare address.
    domain: url.hostname === '' ? undefined : url.hostname.replace(/^\[|\]$/g, ''),
    scheme: url.protocol.slice(0, -1),
    port: url.port === '' ? (DEFAULT_PORTS[url.protocol] ?? 0) : Number(url.port),
  };
}

/** `ingestedAt`, when given, becomes `event.ingested` (set by the store's writer per attempt). */
export function checkToEcs(check: Check, ingestedAt?: number): EcsCheckDocument {
  const tlsVersion = tlsVersionFields(check.tls_version);
  const x509 = compact({
    not_after: check.cert_not_after === null ? undefined : iso(check.cert_not_after),
    issuer: check.cert_issuer === null ? undefined : { common_name: check.cert_issuer },
  });
  const doc: EcsCheckDocument = {
    '@timestamp': iso(check.timestamp),
    ecs: { version: ECS_VERSION },
    event: { id: check.id, kind: 'metric', dataset: 'uptime.checks', ...(ingestedAt === undefined ? {} : { ingested: iso(ingestedAt) }) },
    owner: { id: check.owner_id },
    monitor: {
      id: check.monitor_id,
      name: check.monitor_name,
      type: check.monitor_type,
      status: check.status,
      duration: { us: check.duration_us },
      timespan: { gte: iso(check.timestamp), lt: iso(check.next_at) },
      ...(check.maintenance ? { maintenance: true as const } : {}),
    },
    url: compact(urlFields(check.url)) as EcsCheckDocument['url'],
    http: compact({
      request: check.method === null ? undefined : { method: check.method },
      response: compact({
        status_code: check.status_code ?? undefined,
        body: check.body_bytes === null ? undefined : { bytes: check.body_bytes },
      }),
      rtt: compact({ response_header: us(check.first_byte_us), total: us(check.total_us) }),
    }),
    resolve: compact({ ip: check.resolved_ip ?? undefined, rtt: us(check.dns_us) }),
    tcp: check.connect_us === null ? undefined : { rtt: { connect: { us: check.connect_us } } },
    tls: compact({
      rtt: check.tls_us === null ? undefined : { handshake: { us: check.tls_us } },
      ...tlsVersion,
      server: compact({ x509, hash: check.cert_sha256 === null ? undefined : { sha256: check.cert_sha256 } }),
    }),
    dns:
      check.dns === undefined
        ? undefined
        : compact({
            question: { name: check.dns.question_name, type: check.dns.question_type },
            answers: check.dns.answers.map((data) => ({ data })),
            response_code: check.dns.response_code ?? undefined,
          }),
    error:
      check.error_type === null
        ? undefined
        : compact({ type: check.error_type, message: check.error_message ?? undefined }),
    observer: { name: check.observer, geo: { name: check.observer } },
    summary: { up: check.status === 'up' ? 1 : 0, down: check.status === 'down' ? 1 : 0, status: check.status },
  };
  return compact(doc) as EcsCheckDocument;
}

export function ecsToCheck(doc: EcsCheckDocument): Check {
  const tls = doc.tls;
  const tlsVersion =
    tls?.version === undefined ? null : tls.version_protocol === 'tls' ? `TLSv${tls.version}` : tls.version;
  const notAfter = tls?.server?.x509?.not_after;
  return {
    id: doc.event.id,
    monitor_id: doc.monitor.id,
    owner_id: doc.owner.id,
    monitor_name: doc.monitor.name,
    monitor_type: doc.monitor.type,
    url: doc.url.full,
    method: doc.http?.request?.method ?? null,
    observer: doc.observer.name,
    timestamp: ms(doc['@timestamp']),
    next_at: ms(doc.monitor.timespan.lt),
    status: doc.monitor.status,
    duration_us: doc.monitor.duration.us,
    status_code: doc.http?.response?.status_code ?? null,
    body_bytes: doc.http?.response?.body?.bytes ?? null,
    resolved_ip: doc.resolve?.ip ?? null,
    dns_us: doc.resolve?.rtt?.us ?? null,
    connect_us: doc.tcp?.rtt.connect.us ?? null,
    tls_us: tls?.rtt?.handshake.us ?? null,
    first_byte_us: doc.http?.rtt?.response_header?.us ?? null,
    total_us: doc.http?.rtt?.total?.us ?? null,
    tls_version: tlsVersion,
    cert_not_after: notAfter === undefined ? null : ms(notAfter),
    cert_issuer: tls?.server?.x509?.issuer?.common_name ?? null,
    cert_sha256: tls?.server?.hash?.sha256 ?? null,
    error_type: doc.error?.type ?? null,
    error_message: doc.error?.message ?? null,
    ...(doc.dns
      ? {
          dns: {
            question_name: doc.dns.question.name,
            question_type: doc.dns.question.type,
            answers: (doc.dns.answers ?? []).map((answer) => answer.data),
            response_code: doc.dns.response_code ?? null,
          },
        }
      : {}),
    ...(doc.monitor.maintenance ? { maintenance: true as const } : {}),
  };
}

// ---- Events (`uptime-events-*`): an append-only audit of incidents and notifications. ----

export type EcsEventAction = 'incident-opened' | 'incident-resolved' | 'notification-sent' | 'notification-dead';

export type EcsEventDocument = {
  '@timestamp': string;
  ecs: { version: string };
  /** `event.id` is deterministic (object id + action), so a replayed append can be skipped. */
  event: {
    id: string;
    kind: 'event';
    dataset: 'uptime.events';
    action: EcsEventAction;
    start?: string;
    end?: string;
    /** Nanoseconds, as ECS defines event.duration. */
    duration?: number;
  };
  owner: { id: string };
  monitor: { id: string; name?: string };
  /** Absent for a certificate notification, which is about no incident. */
  incident?: { id: string; check_id: string };
  error?: { type: ErrorType; message?: string };
  http?: { response: { status_code: number } };
  notification?: {
    id: string;
    channel: Delivery['channel'];
    kind: Delivery['kind'];
    status: Delivery['status'];
    attempts: number;
    last_error?: string;
  };
};

/** An incident opened (at its start) or resolved (at its end). */
export function incidentToEcsEvent(incident: Incident, monitorName?: string): EcsEventDocument {
  const resolved = incident.resolved_at !== null;
  const action: EcsEventAction = resolved ? 'incident-resolved' : 'incident-opened';
  const at = incident.resolved_at ?? incident.started_at;
  const doc: EcsEventDocument = {
    '@timestamp': iso(at),
    ecs: { version: ECS_VERSION },
    event: compact({
      id: `${incident.id}:${action}`,
      kind: 'event' as const,
      dataset: 'uptime.events' as const,
      action,
      start: iso(incident.started_at),
      end: incident.resolved_at === null ? undefined : iso(incident.resolved_at),
      duration: incident.resolved_at === null ? undefined : (incident.resolved_at - incident.started_at) * 1e6,
    }) as EcsEventDocument['event'],
    owner: { id: incident.owner_id },
    monitor: compact({ id: incident.monitor_id, name: monitorName }) as EcsEventDocument['monitor'],
    incident: { id: incident.id, check_id: incident.check_id },
    error:
      incident.cause_type === null
        ? undefined
        : compact({ type: incident.cause_type, message: incident.cause_message ?? undefined }),
    http: incident.cause_status_code === null ? undefined : { response: { status_code: incident.cause_status_code } },
  };
  return compact(doc) as EcsEventDocument;
}

/** A delivery that reached a final state (sent or dead); pending ones are not events. */
export function deliveryToEcsEvent(delivery: Delivery, at: number): EcsEventDocument {
  if (delivery.status === 'pending') {
    throw new Error(`deliveryToEcsEvent: delivery ${delivery.id} is pending; only sent or dead deliveries are events`);
  }
  const action: EcsEventAction = delivery.status === 'sent' ? 'notification-sent' : 'notification-dead';
  const doc: EcsEventDocument = {
    '@timestamp': iso(at),
    ecs: { version: ECS_VERSION },
    event: { id: `${delivery.id}:${action}`, kind: 'event', dataset: 'uptime.events', action },
    owner: { id: delivery.owner_id },
    monitor: { id: delivery.monitor_id },
    incident: delivery.incident_id === null ? undefined : { id: delivery.incident_id, check_id: delivery.check_id },
    // The address (email, phone) stays out of the audit stream: it is personal data.
    notification: compact({
      id: delivery.id,
      channel: delivery.channel,
      kind: delivery.kind,
      status: delivery.status,
      attempts: delivery.attempts,
      last_error: delivery.last_error ?? undefined,
    }) as EcsEventDocument['notification'],
  };
  return compact(doc) as EcsEventDocument;
}
