// The collector role: fleet feed → probe lanes (scheduler → probe) → batched writer.
//
// With `probeThreads` > 0 each lane runs in a worker thread of its own (probe-threads.ts) and
// probes a part of this collector's shard (laneShard: the shard hashing one level down); this
// thread keeps the store's work: reading the fleet and the maintenance windows, the batched
// writes, the spool (one per collector, as without threads: its directory ownership does not
// change) and the metrics. So probes never wait behind a store write, and the API and alerting
// in the same process never wait behind probes. With 0, the one lane runs here.
//
// Example:
//   const collector = startCollector({ store, config: { allowPrivate: false, observer: 'eu-1',
//     shard: { index: 0, count: 1 }, dataDir: './data', probeThreads: 1 }, log, metrics });
//   ...
//   await collector.stop(); // stops scheduling, waits for running probes, flushes writes

import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { CheckReader, CheckWriter, MaintenanceStore, MonitorStore } from '../store/contract.ts';
import type { Check } from '../store/types.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { createAddressGuard } from '../net/address-guard.ts';
import type { Config } from '../config.ts';
import { DEFAULT_SPOOL_MAX_BYTES } from './config.ts';
import { createFleetFeed } from './fleet-feed.ts';
import { watchMaintenanceWindows } from './maintenance-windows.ts';
import { createProbeLane, type ProbeLane, type ProbeSettings } from './probe-lane.ts';
import { startProbeThread, type ProbeThread } from './probe-threads.ts';
import type { ThreadHostSlot } from '../store/thread-host.ts';
import { startPushDeadlines } from './push-deadlines.ts';
import type { SchedulerStats } from './scheduler.ts';
import type { Shard } from './shard.ts';
import { openSpool } from './spool.ts';
import { spoolKey } from './spool-owner.ts';
import { createBatchWriter } from './writer.ts';
import { type HeapRelease, createHeapRelease } from './heap-release.ts';

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
  /** Probes in flight at once, over all lanes. */
  maxConcurrency?: number;
  /** Worker threads that probe (each a part of the shard); 0 probes in the calling thread. */
  probeThreads?: number;
  /** How often the monitor list's change token is polled. */
  reloadEveryMs?: number;
  writeBatchSize?: number;
  writeFlushEveryMs?: number;
  writeQueueCapacity?: number;
};

/** The collector's settings from the product's environment (main.ts and the bench host agree). */
export function collectorConfigFrom(
  config: Pick<Config, 'ALLOW_PRIVATE_TARGETS' | 'OBSERVER_NAME' | 'COLLECTOR_SHARD' | 'DATA_DIR' | 'SPOOL_MAX_BYTES' | 'PROBE_THREADS'>,
): CollectorConfig {
  return {
    probeThreads: config.PROBE_THREADS,
    allowPrivate: config.ALLOW_PRIVATE_TARGETS,
    observer: config.OBSERVER_NAME,
    shard: config.COLLECTOR_SHARD,
    dataDir: config.DATA_DIR,
    spoolMaxBytes: config.SPOOL_MAX_BYTES,
  };
}

export type Collector = {
  /** Resolves when every probe lane runs and the fleet was read once (or that read failed and is retried). */
  ready(): Promise<void>;
  stop(): Promise<void>;
  stats(): SchedulerStats & { writeQueue: number };
};

export type CollectorDeps = {
  store: Pick<MonitorStore, 'listAllMonitors' | 'monitorsChangeToken'> & Pick<MaintenanceStore, 'listAllMaintenanceWindows'> & Pick<CheckReader, 'listChecks'> & CheckWriter;
  config: CollectorConfig;
  log: Logger;
  metrics: Metrics;
  /** When set, each probe is a `probe` span, made from its check when it arrives here (left out when not exporting: this is the hot path). */
  tracer?: Tracer;
  /** Wall clock, epoch ms. */
  clock?: () => number;
  /** The process's, when other roles share it (main.ts); the collector makes its own otherwise. */
  heapRelease?: HeapRelease;
  /** Filled with the first probe thread while it runs, for the store's writer (store/thread-host.ts). */
  threadHost?: ThreadHostSlot;
};

export function startCollector({ store, config, log, metrics, tracer, clock = Date.now, heapRelease: given, threadHost }: CollectorDeps): Collector {
  // Built once; a malformed allowedRanges entry throws here and stops start-up (each lane builds its own).
  createAddressGuard({ allowPrivate: config.allowPrivate, allowedRanges: config.allowedRanges });
  const maxConcurrency = config.maxConcurrency ?? 1_000;
  const threads = Math.max(0, Math.floor(config.probeThreads ?? 0));
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

  /** Worst start lateness since the last overload check, seconds. */
  let worstLateness = 0;
  /** Probes run again since the last overload check because our own stall made them time out. */
  let stallReruns = 0;
  let worstStallMs = 0;
  const onStalledTimeout = (stalledMs: number) => {
    stallReruns++;
    worstStallMs = Math.max(worstStallMs, stalledMs);
  };
  const onLateness = (seconds: number) => {
    metrics.probeLateness.record(seconds);
    if (seconds > worstLateness) worstLateness = seconds;
  };

  function onCheck(check: Check): void {
    metrics.probes.add(1, { outcome: check.status, ...(check.error_type ? { error_type: check.error_type } : {}) });
    metrics.probeDuration.record(check.duration_us / 1e6, { outcome: check.status });
    if (tracer) traceProbe(tracer, check);
    writer.append(check);
  }

  const settings: ProbeSettings = {
    allowPrivate: config.allowPrivate,
    observer: config.observer,
    ...(config.allowedRanges ? { allowedRanges: config.allowedRanges } : {}),
    ...(config.ca ? { ca: config.ca } : {}),
  };
  const threadLanes: ProbeThread[] = [];
  const lanes: ProbeLane[] =
    threads === 0
      ? [
          createProbeLane({
            probe: settings,
            maxConcurrency,
            // Running probes will append too: keep room for them so the queue bound holds.
            canStart: (running) => writer.hasRoom(running),
            onCheck,
            onLateness,
            onStalledTimeout,
            log,
            clock,
          }),
        ]
      : Array.from({ length: threads }, (_, lane) => {
          const thread = startProbeThread(
            { lane, probe: settings, maxConcurrency: Math.ceil(maxConcurrency / threads), logLevel: log.level },
            {
              onBatch(batch) {
                for (const check of batch.checks) onCheck(check);
                for (const seconds of batch.lateness) onLateness(seconds);
                for (const ms of batch.stalls) onStalledTimeout(ms);
                updateRoom();
              },
              onRestart: () => feed.resend(lane),
              log,
            },
          );
          threadLanes.push(thread);
          return thread;
        });

  if (threadHost && threadLanes[0]) threadHost.current = threadLanes[0];

  // Threads learn of backpressure by message: the room kept is every probe that may be running
  // (maxConcurrency over all lanes), so the queue bound holds whatever is in flight.
  function updateRoom(): void {
    const open = writer.hasRoom(maxConcurrency);
    for (const thread of threadLanes) thread.setRoom(open);
  }
  const roomWatch = threadLanes.length > 0 ? setInterval(updateRoom, 100) : null;
  roomWatch?.unref();

  const maintenance = watchMaintenanceWindows(store, {
    everyMs: config.reloadEveryMs ?? 2_000,
    log,
    onChange: (windows) => {
      for (const lane of lanes) lane.setWindows(windows);
    },
  });
  const heapRelease = given ?? createHeapRelease({ log });
  const feed = createFleetFeed({
    store,
    shard: config.shard,
    lanes: lanes.length,
    reloadEveryMs: config.reloadEveryMs ?? 2_000,
    log,
    onChange: (lane, change) => {
      lanes[lane]!.apply(change);
      heapRelease.noteChanged(change.upsert.length + change.remove.length);
    },
  });

  const stats = (): SchedulerStats => {
    const sum: SchedulerStats = { scheduled: 0, running: 0, waiting: 0, started: 0, skipped: 0 };
    for (const lane of lanes) {
      const s = lane.stats();
      sum.scheduled += s.scheduled;
      sum.running += s.running;
      sum.waiting += s.waiting;
      sum.started += s.started;
      sum.skipped += s.skipped;
    }
    return sum;
  };

  metrics.observeGauge('write_queue_depth', () => writer.depth());
  metrics.observeGauge('spool_bytes', () => spool.stats().bytes);
  metrics.observeGauge('spool_checks', () => spool.stats().checks);
  metrics.observeGauge('spool_oldest_age_seconds', () => {
    const { oldestAt } = spool.stats();
    return oldestAt === null ? 0 : Math.max(0, (clock() - oldestAt) / 1000);
  });
  metrics.observeGauge('monitors_scheduled', () => stats().scheduled);

  let backpressureLogged = false;
  let skippedBefore = 0;
  const watch = setInterval(() => {
    const full = !writer.hasRoom();
    if (full && !backpressureLogged) log.warn({ queued: writer.depth() }, 'write queue full: new probes wait until the store catches up');
    if (!full && backpressureLogged) log.info('write queue has room again');
    backpressureLogged = full;
    const { skipped, waiting, running } = stats();
    if (skipped > skippedBefore) {
      log.warn({ skipped: skipped - skippedBefore, waiting, running }, 'probes skipped: the previous probe of the monitor was still waiting or running (collector overloaded?)');
    }
    skippedBefore = skipped;
    if (worstLateness > LATE_WARNING_SECONDS) {
      log.warn({ worst_lateness_s: +worstLateness.toFixed(2), waiting, running }, 'probes start late: the collector cannot keep up (add a shard?)');
    }
    worstLateness = 0;
    if (stallReruns > 0) {
      log.warn({ probes: stallReruns, worst_stall_ms: worstStallMs }, 'probes run again: the thread probing them was blocked past their deadline, which is not the targets\' fault');
    }
    stallReruns = 0;
    worstStallMs = 0;
  }, 10_000);
  watch.unref();

  // Push monitors are not probed; their silence is (collector/push-deadlines.ts).
  const pushDeadlines = startPushDeadlines({ store, shard: config.shard, observer: config.observer, append: (check) => writer.append(check), covers: maintenance.covers, log, clock });

  for (const lane of lanes) lane.start();
  const started = feed.start();
  log.info({ shard: config.shard, observer: config.observer, allowPrivate: config.allowPrivate, probeThreads: threads }, 'collector started');

  const ready = Promise.all([started, ...lanes.map((lane) => lane.ready())]).then(() => {});
  void ready.then(() => log.info({ scheduled: stats().scheduled }, 'collector ready'));

  return {
    ready: () => ready,
    async stop() {
      clearInterval(watch);
      if (roomWatch) clearInterval(roomWatch);
      maintenance.stop();
      await started;
      feed.stop();
      if (!given) heapRelease.stop();
      // The batches still to write go to a writer of the store's own from here on.
      if (threadHost && threadHost.current === threadLanes[0]) threadHost.current = null;
      await Promise.all(lanes.map((lane) => lane.stop()));
      await pushDeadlines.stop();
      await writer.stop();
    },
    stats: () => ({ ...stats(), writeQueue: writer.depth() }),
  };
}

/** A `probe` span for a check, timed from the check (the probe may have run in another thread). */
function traceProbe(tracer: Tracer, check: Check): void {
  const span = tracer.startSpan('probe', {
    startTime: check.timestamp,
    attributes: {
      'monitor.id': check.monitor_id,
      'url.full': check.url,
      'monitor.status': check.status,
      ...(check.error_type ? { 'error.type': check.error_type } : {}),
    },
  });
  span.end(check.timestamp + check.duration_us / 1000);
}
