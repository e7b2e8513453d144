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
//   const telemetry = await startTelemetry(config);
//   const result = await withSpan(telemetry.tracer, 'probe', { 'monitor.id': m.id }, () => probe(m));
//   …
//   await telemetry.shutdown(); // flushes what is buffered, bounded by exportTimeoutMs;
//                               // rejects (after stopping) when the final export failed

import { SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
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

export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const endpoint = options.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) {
    return {
      metrics: createMetrics(),
      tracer: trace.getTracer(SERVICE_NAME, options.serviceVersion),
      exporting: false,
      shutdown: async () => {},
    };
  }
  // Loaded only when exporting: the Node SDK and the OTLP exporters are ~12 MB of heap.
  const { startOtlpExport } = await import('./otlp-export.ts');
  return startOtlpExport(endpoint, options);
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
