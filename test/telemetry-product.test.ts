// The whole product exporting to a local OTLP/HTTP receiver: every role's spans and the service
// metrics arrive with their names and attributes, and /metrics shows the same instruments.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, newUser } from './support/api-client.ts';
import { startProduct, type RunningProduct } from './support/product.ts';
import { startTarget, type Target } from './support/target.ts';

type Attribute = { key: string; value: { stringValue?: string; intValue?: string | number; boolValue?: boolean } };
type Span = { name: string; attributes: Attribute[] };
type Metric = { name: string };
type Payload = { resourceSpans?: { scopeSpans: { spans: Span[] }[] }[]; resourceMetrics?: { scopeMetrics: { metrics: Metric[] }[] }[] };

const attributesOf = (span: Span) =>
  Object.fromEntries(span.attributes.map((a) => [a.key, a.value.stringValue ?? a.value.intValue ?? a.value.boolValue]));

describe('telemetry of the running product', () => {
  let receiver: Server;
  const payloads: Payload[] = [];
  let dataDir: string;
  let target: Target;
  let product: RunningProduct;
  let receiverUrl: string;
  let hooks = 0;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/hook') {
          hooks += 1;
          res.writeHead(204).end();
          return;
        }
        payloads.push(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Payload);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    dataDir = await mkdtemp(join(tmpdir(), 'dm-otel-'));
    target = await startTarget();
    product = await startProduct({
      DATA_DIR: dataDir,
      ALLOW_PRIVATE_TARGETS: 'true',
      MIN_INTERVAL_SECONDS: '1',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
    });
  });

  afterAll(async () => {
    await product?.stop();
    await target?.down();
    receiver?.closeAllConnections();
    await new Promise<void>((resolve) => receiver?.close(() => resolve()));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('exports spans for probes, store calls, rule evaluations and API requests, and the service metrics', async () => {
    const user = await newUser(product.url, 'otel@example.test');
    const monitor = await user.post('/api/monitors', { name: 'Traced', url: target.url, interval_seconds: 1, timeout_ms: 800, confirm_failures: 1 });
    expect(monitor.status).toBe(201);
    // A webhook contact, so that an outage produces a delivery to trace and count.
    const hook = await user.post(`/api/monitors/${monitor.body.id}/contacts`, { type: 'webhook', address: `${receiverUrl}/hook` });
    expect(hook.status).toBe(201);
    await eventually(async () => ((await user.get(`/api/monitors/${monitor.body.id}/checks`)).body.items?.length ?? 0) >= 2, 10_000, 'checks');
    await target.down();
    await eventually(async () => hooks > 0, 10_000, 'the DOWN webhook');

    const prometheus = await (await fetch(`${product.url}/metrics`)).text();
    for (const line of [
      'uptime_probes_total{outcome="up"}',
      'uptime_probes_total{outcome="down",error_type="connect"}',
      'uptime_probe_duration_bucket',
      'uptime_checks_written_total',
      'uptime_http_requests_total',
      'uptime_rule_evaluations_total',
      'uptime_deliveries_total{channel="webhook",outcome="sent"}',
      'uptime_write_queue_depth',
      'uptime_outbox_pending',
    ]) {
      expect(prometheus, line).toContain(line);
    }

    // A clean stop flushes what the exporters hold.
    expect(await product.stop()).toBe(0);
    const spans = payloads.flatMap((p) => p.resourceSpans ?? []).flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    const named = (name: string) => spans.filter((s) => s.name === name).map(attributesOf);

    expect(named('probe').some((a) => a['monitor.id'] === monitor.body.id && a['url.full'] === target.url)).toBe(true);
    expect(named('store.write').some((a) => a['store.operation'] === 'appendChecks' && a['store.backend'] === 'sqlite')).toBe(true);
    expect(named('store.query').some((a) => a['store.operation'] === 'listChecks')).toBe(true);
    expect(named('rule.evaluate').length).toBeGreaterThan(0);
    expect(named('delivery.send').some((a) => a['notification.channel'] === 'webhook' && a['monitor.id'] === monitor.body.id)).toBe(true);
    expect(named('api.request').some((a) => a['http.route'] === '/api/monitors/:id/checks' && a['http.response.status_code'] === 200)).toBe(true);

    const metrics = new Set(payloads.flatMap((p) => p.resourceMetrics ?? []).flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.name))));
    for (const name of ['uptime_probes', 'uptime_probe_duration', 'uptime_checks_written', 'uptime_http_requests', 'uptime_rule_evaluations', 'uptime_deliveries']) {
      expect(metrics.has(name), name).toBe(true);
    }
  });
});
