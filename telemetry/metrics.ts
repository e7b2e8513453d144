// The service's own metrics, named once. Every role records through this object (injected, never
// imported as a singleton); `/metrics` renders the same instruments in Prometheus text form, and
// telemetry/otel.ts adds an OTLP reader beside it when an endpoint is configured.
//
// Example:
//   const metrics = createMetrics();
//   metrics.probes.add(1, { outcome: 'down', error_type: 'connect' });
//   const text = await metrics.prometheusText();

import type { Attributes, Counter, Histogram, Meter, ObservableGauge } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { Resource } from '@opentelemetry/resources';
import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics';

export type Metrics = {
  /** Probes by outcome (up|down) and error_type. */
  probes: Counter<{ outcome: 'up' | 'down'; error_type?: string }>;
  /** Whole probe duration, seconds. */
  probeDuration: Histogram<{ outcome: 'up' | 'down' }>;
  /** Probes started later than scheduled, seconds late. */
  probeLateness: Histogram;
  /** Checks handed to the store, by result: ok, error (to be retried), spooled, dropped (spool full). */
  checksWritten: Counter<{ result: 'ok' | 'error' | 'spooled' | 'dropped' }>;
  /** Checks written to the store from the spool. */
  spoolReplayed: Counter;
  /** Store operation duration, seconds, by operation. */
  storeDuration: Histogram<{ operation: string }>;
  /** Rule evaluations and the transitions they produced. */
  evaluations: Counter;
  transitions: Counter<{ to: 'up' | 'down' | 'reminder' | 'late' | 'cert' }>;
  /** Deliveries by channel and outcome (sent|retry|dead). */
  deliveries: Counter<{ channel: string; outcome: 'sent' | 'retry' | 'dead' }>;
  /** API requests by route and status. */
  httpRequests: Counter<{ method: string; route: string; status: number }>;
  httpDuration: Histogram<{ method: string; route: string }>;
  /** Observed on collection: register a callback that reports the current value. */
  observeGauge(name: GaugeName, read: () => number): void;
  prometheusText(): Promise<string>;
  shutdown(): Promise<void>;
};

export type GaugeName =
  | 'write_queue_depth'
  | 'spool_bytes'
  | 'spool_checks'
  | 'spool_oldest_age_seconds'
  | 'outbox_pending'
  | 'monitors_scheduled';

const GAUGE_HELP: Record<GaugeName, string> = {
  write_queue_depth: 'Checks waiting in memory to be written to the store',
  spool_bytes: 'Bytes of checks held in the on-disk spool while the store is unreachable',
  spool_checks: 'Checks held in the on-disk spool, waiting to be replayed to the store',
  spool_oldest_age_seconds: 'Age of the oldest check in the spool (0 when it is empty)',
  outbox_pending: 'Deliveries waiting to be sent',
  monitors_scheduled: 'Monitors scheduled by this collector',
};

const PREFIX = 'uptime_';

/** `resource` names the service on exported metrics (telemetry/otel.ts passes the traces' one). */
export function createMetrics(extraReaders: MetricReader[] = [], options: { resource?: Resource } = {}): Metrics {
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({
    readers: [prometheus, ...extraReaders],
    ...(options.resource ? { resource: options.resource } : {}),
  });
  const meter: Meter = provider.getMeter('downtime-monitor');
  const serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
  const gauges = new Map<GaugeName, ObservableGauge<Attributes>>();

  // Seconds, from 1 ms to 30 s: the SDK's default buckets (0 to 10,000) suit milliseconds.
  const seconds = {
    unit: 's',
    advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] },
  };
  return {
    probes: meter.createCounter(`${PREFIX}probes`, { description: 'Probes by outcome' }),
    probeDuration: meter.createHistogram(`${PREFIX}probe_duration`, { ...seconds, description: 'Probe duration' }),
    probeLateness: meter.createHistogram(`${PREFIX}probe_lateness`, { ...seconds, description: 'Probe start lateness' }),
    checksWritten: meter.createCounter(`${PREFIX}checks_written`, { description: 'Checks handed to the store' }),
    spoolReplayed: meter.createCounter(`${PREFIX}spool_replayed_checks`, { description: 'Checks written to the store from the spool' }),
    storeDuration: meter.createHistogram(`${PREFIX}store_duration`, { ...seconds, description: 'Store operations' }),
    evaluations: meter.createCounter(`${PREFIX}rule_evaluations`, { description: 'Alert rule evaluation passes' }),
    transitions: meter.createCounter(`${PREFIX}alert_transitions`, { description: 'Alert state transitions' }),
    deliveries: meter.createCounter(`${PREFIX}deliveries`, { description: 'Notification deliveries by outcome' }),
    httpRequests: meter.createCounter(`${PREFIX}http_requests`, { description: 'API requests' }),
    httpDuration: meter.createHistogram(`${PREFIX}http_request_duration`, { ...seconds, description: 'API latency' }),
    observeGauge(name, read) {
      let gauge = gauges.get(name);
      if (!gauge) {
        gauge = meter.createObservableGauge(`${PREFIX}${name}`, { description: GAUGE_HELP[name] });
        gauges.set(name, gauge);
      }
      gauge.addCallback((result) => result.observe(read()));
    },
    async prometheusText() {
      const { resourceMetrics } = await prometheus.collect();
      return serializer.serialize(resourceMetrics);
    },
    async shutdown() {
      await provider.shutdown();
    },
  };
}
