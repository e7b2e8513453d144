// OpenTelemetry for the whole process. Call `startTelemetry` first in start-up, before any role
// is built, and hand its `metrics` and `tracer` to the roles (injected, never imported).
//
// With OTEL_EXPORTER_OTLP_ENDPOINT set, the Node SDK starts with OTLP/HTTP (JSON) exporters:
// spans go to <endpoint>/v1/traces, and the very instruments that `/metrics` shows go to
// <endpoint>/v1/metrics through an extra reader. Without it nothing is exported, spans are
// no-ops, and `/metrics` works the same. The standard OTEL_* variables the SDK reads itself
// (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER…)
// apply as usual.
//
// Example:
//   const telemetry = startTelemetry(config);
//   const result = await withSpan(telemetry.tracer, 'probe', { 'monitor.id': m.id }, () => probe(m));
//   …
//   await telemetry.shutdown(); // flushes what is buffered, bounded by exportTimeoutMs;
//                               // rejects (after stopping) when the final export failed

import { context, propagation, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import type { Config } from '../config.ts';
import { createMetrics, type Metrics } from './metrics.ts';

export const SERVICE_NAME = 'downtime-monitor';

export type TelemetryOptions = Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT'> & {
  serviceVersion?: string;
  /** How often metrics are pushed; the OTLP default is a minute. */
  metricIntervalMs?: number;
  /** Bound on one export request, and so on how long shutdown waits for a dead collector. */
  exportTimeoutMs?: number;
};

export type Telemetry = {
  metrics: Metrics;
  tracer: Tracer;
  /** True when an OTLP endpoint is configured. */
  exporting: boolean;
  shutdown(): Promise<void>;
};

/**
 * Span names in use, one per kind of work, so traces from every role read alike. Attributes
 * follow ECS/OTel names where they exist: monitor.id, url.full, error.type, http.route,
 * http.response.status_code, store.operation, notification.channel.
 */
export type SpanName = 'probe' | 'store.write' | 'store.query' | 'rule.evaluate' | 'delivery.send' | 'api.request';

const SPAN_QUEUE_LIMIT = 2048;

export function startTelemetry(options: TelemetryOptions): Telemetry {
  const endpoint = options.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) {
    return {
      metrics: createMetrics(),
      tracer: trace.getTracer(SERVICE_NAME, options.serviceVersion),
      exporting: false,
      shutdown: async () => {},
    };
  }
  const base = endpoint.replace(/\/+$/, '');
  const timeoutMillis = options.exportTimeoutMs ?? 10_000;
  // One resource for traces and metrics; OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES win.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': SERVICE_NAME, 'service.version': options.serviceVersion }))
    .merge(detectResources({ detectors: [hostDetector, processDetector, envDetector] }));

  const intervalMillis = options.metricIntervalMs ?? 60_000;
  // Built before the SDK starts: a bad option throws here, with nothing registered yet.
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics`, timeoutMillis }),
    exportIntervalMillis: intervalMillis,
    // The reader refuses a timeout longer than its interval.
    exportTimeoutMillis: Math.min(timeoutMillis, intervalMillis),
  });
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${base}/v1/traces`, timeoutMillis }),
        maxQueueSize: SPAN_QUEUE_LIMIT,
        maxExportBatchSize: 512,
        exportTimeoutMillis: timeoutMillis,
      }),
    ],
    // Metrics go through our own MeterProvider (telemetry/metrics.ts), not a second global one.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();

  const metrics = createMetrics([reader], { resource });
  let stopped: Promise<void> | undefined;
  return {
    metrics,
    tracer: trace.getTracer(SERVICE_NAME, options.serviceVersion),
    exporting: true,
    shutdown() {
      stopped ??= (async () => {
        const results = await Promise.allSettled([metrics.shutdown(), sdk.shutdown()]);
        // The SDK registered process-wide providers; release them so a later start can register.
        trace.disable();
        context.disable();
        propagation.disable();
        const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason?.message ?? r.reason)] : []));
        if (failures.length > 0) {
          throw new Error(`telemetry: final export to ${base} failed: ${failures.join('; ')}`);
        }
      })();
      return stopped;
    },
  };
}

/**
 * Runs `fn` inside an active span: nested withSpan calls become children, a throw marks the span
 * as an error (with the exception recorded) and is rethrown, and the span always ends.
 */
export function withSpan<T>(
  tracer: Tracer,
  name: SpanName,
  attributes: Attributes,
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      span.recordException(error instanceof Error ? error : message);
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      throw error;
    } finally {
      span.end();
    }
  });
}
