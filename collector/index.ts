// The collector role: scheduler → probe → batched writer, wired once with the shared TLS trust,
// the address guard and the metrics.
//
// Example:
//   const collector = startCollector({ store, config: { allowPrivate: false, observer: 'eu-1',
//     shard: { index: 0, count: 1 }, dataDir: './data' }, log, metrics });
//   ...
//   await collector.stop(); // stops scheduling, waits for running probes, flushes writes

import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { CheckReader, CheckWriter, MaintenanceStore, MonitorStore } from '../store/contract.ts';
import type { Monitor } from '../store/types.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { withSpan } from '../telemetry/otel.ts';
import { createAddressGuard } from '../net/address-guard.ts';
import type { Config } from '../config.ts';
import { createProbeTrust, DEFAULT_SPOOL_MAX_BYTES } from './config.ts';
import { watchMaintenanceWindows } from './maintenance-windows.ts';
import { probe } from './probe.ts';
import { startPushDeadlines } from './push-deadlines.ts';
import { createScheduler, type SchedulerStats } from './scheduler.ts';
import type { Shard } from './shard.ts';
import { openSpool } from './spool.ts';
import { spoolKey } from './spool-owner.ts';
import { createBatchWriter } from './writer.ts';

/** Start lateness above this, within a 10 s window, is logged as overload. */
const LATE_WARNING_SECONDS = 2;

export type CollectorConfig = {
  allowPrivate: boolean;
  observer: string;
  shard: Shard;
  /** The spool lives in `${dataDir}/spool/`. */
  dataDir: string;
  spoolMaxBytes?: number;
  /** CIDRs reachable even when private targets are refused. */
  allowedRanges?: readonly string[];
  /** Extra trusted CA certificates (PEM), on top of the system roots and NODE_EXTRA_CA_CERTS. */
  ca?: string | readonly string[];
  /** Probes in flight at once. */
  maxConcurrency?: number;
  /** How often the monitor list's change token is polled. */
  reloadEveryMs?: number;
  writeBatchSize?: number;
  writeFlushEveryMs?: number;
  writeQueueCapacity?: number;
};

/** The collector's settings from the product's environment (main.ts and the bench host agree). */
export function collectorConfigFrom(config: Pick<Config, 'ALLOW_PRIVATE_TARGETS' | 'OBSERVER_NAME' | 'COLLECTOR_SHARD' | 'DATA_DIR' | 'SPOOL_MAX_BYTES'>): CollectorConfig {
  return {
    allowPrivate: config.ALLOW_PRIVATE_TARGETS,
    observer: config.OBSERVER_NAME,
    shard: config.COLLECTOR_SHARD,
    dataDir: config.DATA_DIR,
    spoolMaxBytes: config.SPOOL_MAX_BYTES,
  };
}

export type Collector = {
  stop(): Promise<void>;
  stats(): SchedulerStats & { writeQueue: number };
};

export type CollectorDeps = {
  store: Pick<MonitorStore, 'listAllMonitors' | 'monitorsChangeToken'> & Pick<MaintenanceStore, 'listAllMaintenanceWindows'> & Pick<CheckReader, 'listChecks'> & CheckWriter;
  config: CollectorConfig;
  log: Logger;
  metrics: Metrics;
  /** When set, each probe is a `probe` span (left out when not exporting: this is the hot path). */
  tracer?: Tracer;
  /** Wall clock, epoch ms. */
  clock?: () => number;
};

export function startCollector({ store, config, log, metrics, tracer, clock = Date.now }: CollectorDeps): Collector {
  const secureContext = createProbeTrust(config.ca);
  // Built once; a malformed allowedRanges entry throws here and stops start-up.
  const guard = createAddressGuard({ allowPrivate: config.allowPrivate, allowedRanges: config.allowedRanges });
  const maxConcurrency = config.maxConcurrency ?? 1_000;
  // Opened before anything runs: a spool left by a crash is replayed ahead of new checks. Throws
  // SpoolInUseError when a live collector with the same observer and shard holds it.
  const spool = openSpool({
    dataDir: config.dataDir,
    key: spoolKey(config.observer, config.shard),
    maxBytes: config.spoolMaxBytes ?? DEFAULT_SPOOL_MAX_BYTES,
    log,
  });
  const writer = createBatchWriter({
    store,
    spool,
    clock,
    log,
    metrics,
    batchSize: config.writeBatchSize,
    flushEveryMs: config.writeFlushEveryMs,
    capacity: config.writeQueueCapacity,
  });

  const maintenance = watchMaintenanceWindows(store, { everyMs: config.reloadEveryMs ?? 2_000, log });

  /** Worst start lateness since the last overload check, seconds. */
  let worstLateness = 0;
  /** Probes run again since the last overload check because our own stall made them time out. */
  let stallReruns = 0;
  let worstStallMs = 0;
  const onStalledTimeout = (stalledMs: number) => {
    stallReruns++;
    worstStallMs = Math.max(worstStallMs, stalledMs);
  };

  async function runProbe(monitor: Monitor, scheduledAt: number): Promise<void> {
    try {
      const run = () =>
        probe(monitor, { allowPrivate: config.allowPrivate, guard, observer: config.observer, now: clock, scheduledAt, secureContext, onStalledTimeout });
      const check = tracer
        ? await withSpan(tracer, 'probe', { 'monitor.id': monitor.id, 'url.full': monitor.url }, async (span) => {
            const result = await run();
            span.setAttributes({ 'monitor.status': result.status, ...(result.error_type ? { 'error.type': result.error_type } : {}) });
            return result;
          })
        : await run();
      metrics.probes.add(1, { outcome: check.status, ...(check.error_type ? { error_type: check.error_type } : {}) });
      metrics.probeDuration.record(check.duration_us / 1e6, { outcome: check.status });
      // Probes go on during maintenance; their checks say so, and history counts them apart.
      writer.append(maintenance.covers(monitor, check.timestamp) ? { ...check, maintenance: true } : check);
    } catch (error) {
      // probe() does not throw; this guards the scheduler against a bug turning into a stall.
      log.error({ err: error, monitor_id: monitor.id }, 'probe crashed');
    }
  }

  const scheduler = createScheduler({
    monitors: store,
    runProbe,
    // Running probes will append too: keep room for them so the queue bound holds.
    canStart: () => writer.hasRoom(scheduler.stats().running),
    shard: config.shard,
    maxConcurrency,
    reloadEveryMs: config.reloadEveryMs ?? 2_000,
    now: clock,
    log,
    onLateness: (seconds) => {
      metrics.probeLateness.record(seconds);
      if (seconds > worstLateness) worstLateness = seconds;
    },
  });
  metrics.observeGauge('write_queue_depth', () => writer.depth());
  metrics.observeGauge('spool_bytes', () => spool.stats().bytes);
  metrics.observeGauge('spool_checks', () => spool.stats().checks);
  metrics.observeGauge('spool_oldest_age_seconds', () => {
    const { oldestAt } = spool.stats();
    return oldestAt === null ? 0 : Math.max(0, (clock() - oldestAt) / 1000);
  });
  metrics.observeGauge('monitors_scheduled', () => scheduler.stats().scheduled);

  let backpressureLogged = false;
  let skippedBefore = 0;
  const watch = setInterval(() => {
    const full = !writer.hasRoom();
    if (full && !backpressureLogged) log.warn({ queued: writer.depth() }, 'write queue full: new probes wait until the store catches up');
    if (!full && backpressureLogged) log.info('write queue has room again');
    backpressureLogged = full;
    const { skipped, waiting, running } = scheduler.stats();
    if (skipped > skippedBefore) {
      log.warn({ skipped: skipped - skippedBefore, waiting, running }, 'probes skipped: the previous probe of the monitor was still waiting or running (collector overloaded?)');
    }
    skippedBefore = skipped;
    if (worstLateness > LATE_WARNING_SECONDS) {
      log.warn({ worst_lateness_s: +worstLateness.toFixed(2), waiting, running }, 'probes start late: the collector cannot keep up (add a shard?)');
    }
    worstLateness = 0;
    if (stallReruns > 0) {
      log.warn({ probes: stallReruns, worst_stall_ms: worstStallMs }, 'probes run again: this process was blocked past their deadline, which is not the targets\' fault');
    }
    stallReruns = 0;
    worstStallMs = 0;
  }, 10_000);
  watch.unref();

  // Push monitors are not probed; their silence is (collector/push-deadlines.ts).
  const pushDeadlines = startPushDeadlines({ store, shard: config.shard, observer: config.observer, append: (check) => writer.append(check), covers: maintenance.covers, log, clock });

  const started = scheduler.start();
  log.info({ shard: config.shard, observer: config.observer, allowPrivate: config.allowPrivate }, 'collector started');

  return {
    async stop() {
      clearInterval(watch);
      maintenance.stop();
      await started;
      await scheduler.stop();
      await pushDeadlines.stop();
      await writer.stop();
    },
    stats: () => ({ ...scheduler.stats(), writeQueue: writer.depth() }),
  };
}
