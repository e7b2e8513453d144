// The exporting half of telemetry/otel.ts, loaded only when OTEL_EXPORTER_OTLP_ENDPOINT is set:
// the Node SDK with OTLP/HTTP (JSON) exporters for spans, and an extra reader that pushes the
// instruments `/metrics` shows.

import { context, propagation, trace } from '@opentelemetry/api';
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
import { createMetrics } from './metrics.ts';
import { SERVICE_NAME, type Telemetry, type TelemetryOptions } from './otel.ts';

const SPAN_QUEUE_LIMIT = 2048;

export function startOtlpExport(endpoint: string, options: TelemetryOptions): Telemetry {
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
