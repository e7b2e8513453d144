import { describe, expect, it } from 'vitest';
import { checkToEcs, deliveryToEcsEvent, ecsToCheck, incidentToEcsEvent } from './ecs.ts';
import { bareCheck, deadDelivery, fullCheck, resolvedIncident } from './ecs.fixtures.ts';

/** Dotted paths of every leaf; a `{gte, lt}` range counts as one leaf. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  if ('gte' in value && 'lt' in value) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key));
}

// DESIGN.md "Check document", word for word.
const DESIGN_FIELDS = [
  '@timestamp', 'event.id', 'monitor.id', 'monitor.name', 'monitor.type', 'monitor.status',
  'monitor.duration.us', 'url.full', 'url.domain', 'url.scheme', 'url.port', 'http.request.method',
  'http.response.status_code', 'http.response.body.bytes', 'http.rtt.response_header.us',
  'http.rtt.total.us', 'resolve.ip', 'resolve.rtt.us', 'tcp.rtt.connect.us', 'tls.rtt.handshake.us',
  'tls.version', 'tls.server.x509.not_after', 'tls.server.x509.issuer.common_name', 'error.type',
  'error.message', 'observer.name', 'summary.up', 'summary.down', 'summary.status', 'monitor.timespan',
  'observer.geo.name', 'owner.id',
];

describe('checkToEcs / ecsToCheck', () => {
  it('names every field of the design document for a check with everything set', () => {
    const paths = leafPaths(checkToEcs(fullCheck()));
    expect(DESIGN_FIELDS.filter((f) => !paths.includes(f))).toEqual([]);
  });

  it('writes ECS values: ISO times, Heartbeat summary, ECS tls version and url parts', () => {
    const doc = checkToEcs(fullCheck());
    expect(doc['@timestamp']).toBe('2025-03-30T00:59:30.125Z');
    expect(doc.monitor.timespan).toEqual({ gte: '2025-03-30T00:59:30.125Z', lt: '2025-03-30T01:00:30.125Z' });
    expect(doc.url).toEqual({
      full: 'https://shop.example.com:8443/health?full=1',
      domain: 'shop.example.com',
      scheme: 'https',
      port: 8443,
    });
    expect(doc.tls).toMatchObject({ version: '1.3', version_protocol: 'tls' });
    expect(doc.tls?.server?.x509?.not_after).toBe('2025-06-01T12:00:00.000Z');
    expect(doc.summary).toEqual({ up: 1, down: 0, status: 'up' });
    expect(doc.observer).toEqual({ name: 'eu-west', geo: { name: 'eu-west' } });
    expect(doc.event.id).toBe('01JQ4Z8K6V3S9W0D2E5F7G8H9J');
  });

  it('leaves absent values out instead of writing nulls', () => {
    const doc = checkToEcs(bareCheck());
    expect(leafPaths(doc).sort()).toEqual(
      [
        '@timestamp', 'ecs.version', 'event.id', 'event.kind', 'event.dataset', 'owner.id', 'monitor.id',
        'monitor.name', 'monitor.type', 'monitor.status', 'monitor.duration.us', 'monitor.timespan',
        'url.full', 'url.domain', 'url.scheme', 'url.port', 'http.request.method', 'error.type',
        'observer.name', 'observer.geo.name', 'summary.up', 'summary.down', 'summary.status',
      ].sort(),
    );
    expect(doc.url.port).toBe(80);
    expect(doc.summary).toEqual({ up: 0, down: 1, status: 'down' });
  });

  it.each([
    ['everything set', fullCheck()],
    ['nothing optional', bareCheck()],
    ['IPv6 target on the default https port', fullCheck({ url: 'https://[2001:db8::1]/', resolved_ip: '2001:db8::1' })],
    ['a TLS version string node does not usually report', fullCheck({ tls_version: 'SSLv3' })],
    ['an up check without error', fullCheck({ error_type: null, error_message: null })],
    ['a tls:// port (no HTTP request)', bareCheck({ monitor_type: 'tcp', url: 'tls://db.example.com:5432', method: null, connect_us: 900, tls_us: 2_000 })],
    [
      'a dns question without resolver, answered NXDOMAIN',
      bareCheck({
        monitor_type: 'dns',
        url: 'dns:example.com?type=MX',
        method: null,
        dns: { question_name: 'example.com', question_type: 'MX', answers: [], response_code: 'NXDOMAIN' },
      }),
    ],
  ])('round-trips a check with %s', (_name, check) => {
    expect(ecsToCheck(checkToEcs(check))).toEqual(check);
  });

  it('writes tcp and dns checks without http fields, with their own ECS fields', () => {
    const tcp = checkToEcs(bareCheck({ monitor_type: 'tcp', url: 'tcp://db.example.com:5432', method: null, connect_us: 900 }));
    expect(tcp).not.toHaveProperty('http');
    expect(tcp.monitor.type).toBe('tcp');
    expect(tcp.url).toEqual({ full: 'tcp://db.example.com:5432', domain: 'db.example.com', scheme: 'tcp', port: 5432 });
    expect(tcp.tcp).toEqual({ rtt: { connect: { us: 900 } } });
    const dns = checkToEcs(
      bareCheck({
        monitor_type: 'dns',
        url: 'dns://192.0.2.53/example.com?type=A',
        method: null,
        dns_us: 3_100,
        dns: { question_name: 'example.com', question_type: 'A', answers: ['192.0.2.1', '192.0.2.2'], response_code: 'NOERROR' },
      }),
    );
    expect(dns.url).toMatchObject({ domain: '192.0.2.53', scheme: 'dns', port: 53 });
    expect(dns.dns).toEqual({ question: { name: 'example.com', type: 'A' }, answers: [{ data: '192.0.2.1' }, { data: '192.0.2.2' }], response_code: 'NOERROR' });
    expect(dns.resolve).toEqual({ rtt: { us: 3_100 } });
    expect(checkToEcs(bareCheck({ monitor_type: 'dns', url: 'dns:example.com?type=A', method: null })).url).not.toHaveProperty('domain');
  });

  it('strips IPv6 brackets from url.domain and uses the scheme default port', () => {
    const doc = checkToEcs(fullCheck({ url: 'https://[2001:db8::1]/' }));
    expect(doc.url.domain).toBe('2001:db8::1');
    expect(doc.url.port).toBe(443);
  });

  it('marks a check probed during maintenance, and only such a check', () => {
    expect(checkToEcs(fullCheck()).monitor.maintenance).toBe(true);
    const usual = bareCheck();
    expect(checkToEcs(usual).monitor).not.toHaveProperty('maintenance');
    expect(ecsToCheck(checkToEcs(usual))).toEqual(usual);
  });

  it('survives a JSON round trip (what Elasticsearch stores and returns)', () => {
    const check = fullCheck();
    expect(ecsToCheck(JSON.parse(JSON.stringify(checkToEcs(check))))).toEqual(check);
  });
});

describe('events', () => {
  it('describes a resolved incident with ECS start, end and duration in nanoseconds', () => {
    const doc = incidentToEcsEvent(resolvedIncident(), 'Shop front page');
    expect(doc.event).toMatchObject({
      id: 'inc_1:incident-resolved',
      action: 'incident-resolved',
      start: '2025-03-30T00:59:30.125Z',
      end: '2025-03-30T01:01:00.125Z',
      duration: 90_000_000_000,
    });
    expect(doc['@timestamp']).toBe(doc.event.end);
    expect(doc.error).toEqual({ type: 'status', message: 'HTTP 503' });
    expect(doc.http?.response.status_code).toBe(503);
    expect(doc.monitor).toEqual({ id: 'mon_42', name: 'Shop front page' });
  });

  it('describes an open incident at its start, without end', () => {
    const doc = incidentToEcsEvent({ ...resolvedIncident(), resolved_at: null });
    expect(doc.event.action).toBe('incident-opened');
    expect(doc.event.end).toBeUndefined();
    expect(doc['@timestamp']).toBe('2025-03-30T00:59:30.125Z');
  });

  it('records a dead delivery without the contact address', () => {
    const doc = deliveryToEcsEvent(deadDelivery(), Date.parse('2025-03-31T00:00:00Z'));
    expect(doc.event.action).toBe('notification-dead');
    expect(doc.notification).toMatchObject({ channel: 'sms', attempts: 9, status: 'dead' });
    expect(JSON.stringify(doc)).not.toContain('+15550100');
  });

  it('refuses a pending delivery, naming it', () => {
    expect(() => deliveryToEcsEvent({ ...deadDelivery(), status: 'pending' }, 0)).toThrow(/dlv_1 is pending/);
  });
});

describe('deliveryToEcsEvent for a certificate message', () => {
  it('names no incident (a certificate message is about none) and keeps the kind', () => {
    const doc = deliveryToEcsEvent({ ...deadDelivery(), status: 'sent', kind: 'cert', incident_id: null }, Date.parse('2025-03-31T00:00:00Z'));
    expect(doc).not.toHaveProperty('incident');
    expect(doc.notification).toMatchObject({ kind: 'cert', status: 'sent' });
  });
});
