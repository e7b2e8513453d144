// Telemetry against a local OTLP/HTTP receiver: a node:http server on 127.0.0.1 that accepts
// /v1/traces and /v1/metrics (the -http exporters send OTLP JSON) and keeps what it receives.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTelemetry, withSpan } from '../telemetry/otel.ts';

type OtlpValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
type OtlpAttribute = { key: string; value: OtlpValue };
type Received = { path: string; contentType: string | undefined; body: Record<string, unknown> };

let server: Server;
let received: Received[];
let endpoint: string;
let answer: number;

beforeEach(async () => {
  received = [];
  answer = 200;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(text || '{}') });
      res.writeHead(answer, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const attrs = (list: OtlpAttribute[] | undefined) =>
  Object.fromEntries((list ?? []).map((a) => [a.key, a.value.stringValue ?? a.value.intValue ?? a.value.doubleValue ?? a.value.boolValue]));

type OtlpSpan = { name: string; spanId: string; parentSpanId?: string; attributes: OtlpAttribute[]; status?: { code?: number; message?: string }; events?: { name: string }[] };
function spansOf(items: Received[]): { spans: OtlpSpan[]; resource: Record<string, unknown> } {
  const resourceSpans = items.filter((r) => r.path === '/v1/traces').flatMap((r) => r.body.resourceSpans as { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[]);
  return {
    spans: resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
    resource: attrs(resourceSpans[0]?.resource.attributes),
  };
}

type DataPoint = { attributes: OtlpAttribute[]; asInt?: string | number; asDouble?: number; count?: string | number };
type OtlpMetric = { name: string; sum?: { dataPoints: DataPoint[] }; histogram?: { dataPoints: DataPoint[] } };
function metricsOf(items: Received[]): { metrics: OtlpMetric[]; resource: Record<string, unknown> } {
  const resourceMetrics = items.filter((r) => r.path === '/v1/metrics').flatMap((r) => r.body.resourceMetrics as { resource: { attributes: OtlpAttribute[] }; scopeMetrics: { metrics: OtlpMetric[] }[] }[]);
  return {
    metrics: resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)),
    resource: attrs(resourceMetrics[0]?.resource.attributes),
  };
}

describe('startTelemetry with an OTLP endpoint', () => {
  it('exports spans with their names, attributes, parent links and error status', async () => {
    const telemetry = await startTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, serviceVersion: '0.1.0' });
    const value = await withSpan(telemetry.tracer, 'rule.evaluate', { 'monitor.id': 'mon_1' }, () =>
      withSpan(telemetry.tracer, 'store.query', { 'store.operation': 'readChecksAfter' }, async () => 42),
    );
    await expect(
      withSpan(telemetry.tracer, 'delivery.send', { 'notification.channel': 'email' }, () => {
        throw new Error('SMTP 550 mailbox unavailable');
      }),
    ).rejects.toThrow('SMTP 550');
    await telemetry.shutdown();

    expect(value).toBe(42);
    const { spans, resource } = spansOf(received);
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(['delivery.send', 'rule.evaluate', 'store.query']);
    expect(attrs(byName['rule.evaluate']?.attributes)).toEqual({ 'monitor.id': 'mon_1' });
    expect(attrs(byName['store.query']?.attributes)).toEqual({ 'store.operation': 'readChecksAfter' });
    expect(byName['store.query']?.parentSpanId).toBe(byName['rule.evaluate']?.spanId);
    expect(byName['delivery.send']?.status).toMatchObject({ code: 2, message: 'SMTP 550 mailbox unavailable' });
    expect(byName['delivery.send']?.events?.map((e) => e.name)).toEqual(['exception']);
    expect(resource).toMatchObject({ 'service.name': 'downtime-monitor', 'service.version': '0.1.0' });
    expect(received.every((r) => r.contentType?.startsWith('application/json'))).toBe(true);
  });

  it('exports the same instruments /metrics shows, with their attributes', async () => {
    const telemetry = await startTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: `${endpoint}/` });
    telemetry.metrics.probes.add(3, { outcome: 'down', error_type: 'connect' });
    telemetry.metrics.probeDuration.record(0.25, { outcome: 'up' });
    telemetry.metrics.deliveries.add(1, { channel: 'sms', outcome: 'sent' });
    const prometheus = await telemetry.metrics.prometheusText();
    await telemetry.shutdown();

    expect(prometheus).toContain('uptime_probes_total{outcome="down",error_type="connect"} 3');
    const { metrics, resource } = metricsOf(received);
    const probes = metrics.find((m) => m.name === 'uptime_probes');
    expect(probes?.sum?.dataPoints.map((p) => [attrs(p.attributes), Number(p.asInt ?? p.asDouble)])).toEqual([
      [{ outcome: 'down', error_type: 'connect' }, 3],
    ]);
    const duration = metrics.find((m) => m.name === 'uptime_probe_duration');
    expect(duration?.histogram?.dataPoints.map((p) => [attrs(p.attributes), Number(p.count)])).toEqual([[{ outcome: 'up' }, 1]]);
    expect(metrics.find((m) => m.name === 'uptime_deliveries')?.sum?.dataPoints[0]?.attributes).toBeDefined();
    expect(resource['service.name']).toBe('downtime-monitor');
    // The trailing slash of the endpoint is not doubled.
    expect(new Set(received.map((r) => r.path))).toEqual(new Set(['/v1/metrics']));
  });

  it('pushes metrics on its interval, not only at shutdown', async () => {
    const telemetry = await startTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, metricIntervalMs: 200 });
    telemetry.metrics.evaluations.add(1);
    const deadline = Date.now() + 5_000;
    while (!received.some((r) => r.path === '/v1/metrics') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(metricsOf(received).metrics.map((m) => m.name)).toContain('uptime_rule_evaluations');
    await telemetry.shutdown();
  });

  it('shuts down within the export timeout when the collector refuses everything', async () => {
    answer = 503;
    const telemetry = await startTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, exportTimeoutMs: 1_000 });
    await withSpan(telemetry.tracer, 'probe', { 'url.full': 'https://example.com/' }, () => 'up');
    telemetry.metrics.probes.add(1, { outcome: 'up' });
    const started = Date.now();
    await expect(telemetry.shutdown()).rejects.toThrow(`telemetry: final export to ${endpoint} failed`);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(received.length).toBeGreaterThan(0);
  });
});

describe('startTelemetry without an endpoint', () => {
  it('exports nothing, yet spans run their work and /metrics renders', async () => {
    const telemetry = await startTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: undefined });
    expect(telemetry.exporting).toBe(false);
    const result = await withSpan(telemetry.tracer, 'probe', { 'monitor.id': 'm' }, (span) => {
      expect(span.isRecording()).toBe(false);
      return 'done';
    });
    await expect(withSpan(telemetry.tracer, 'api.request', {}, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    telemetry.metrics.probes.add(1, { outcome: 'up' });
    expect(await telemetry.metrics.prometheusText()).toContain('uptime_probes_total{outcome="up"} 1');
    await telemetry.shutdown();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(result).toBe('done');
    expect(received).toEqual([]);
  });
});
