// One probe lane: a scheduler over a share of the fleet, its probes, and the maintenance mark on
// their checks. It touches no store: the fleet arrives as changes (`apply`), the maintenance
// windows as a list (`setWindows`), and each check leaves through `onCheck`. That is what lets a
// lane run in a worker thread of its own (probe-thread.ts) as well as in the collector's thread.
//
// Example:
//   const lane = createProbeLane({ probe: { allowPrivate: false, observer: 'eu-1' }, maxConcurrency: 500,
//     canStart: () => true, onCheck: (check) => writer.append(check), log });
//   lane.apply({ upsert: monitors, remove: [] }); lane.start(); ... await lane.stop();

import type { Logger } from 'pino';
import type { MaintenanceWindow } from '../store/maintenance.ts';
import { inMaintenance } from '../store/maintenance-schedule.ts';
import type { Check } from '../store/types.ts';
import type { ProbedMonitor } from './probed-monitor.ts';
import { createAddressGuard } from '../net/address-guard.ts';
import { createProbeTrust } from './config.ts';
import { probe } from './probe.ts';
import { createScheduler, type FleetChange, type SchedulerStats } from './scheduler.ts';

/** What a probe needs to know, as plain data (it crosses to a worker thread). */
export type ProbeSettings = {
  allowPrivate: boolean;
  observer: string;
  /** CIDRs reachable even when private targets are refused. */
  allowedRanges?: readonly string[];
  /** Extra trusted CA certificates (PEM). */
  ca?: string | readonly string[];
};

export type ProbeLaneOptions = {
  probe: ProbeSettings;
  maxConcurrency: number;
  /** False while the writer cannot take more checks; given the probes this lane has running. */
  canStart: (running: number) => boolean;
  onCheck: (check: Check) => void;
  /** Seconds between a probe's due time and its start. */
  onLateness?: (seconds: number) => void;
  /** A timeout that was this thread's own stall, and the probe ran again. */
  onStalledTimeout?: (stalledMs: number) => void;
  log: Logger;
  /** Wall clock, epoch ms. */
  clock?: () => number;
};

export type ProbeLane = {
  apply(change: FleetChange): void;
  setWindows(windows: MaintenanceWindow[]): void;
  start(): void;
  /** Resolves once the lane schedules (a thread has started; at once in this thread). */
  ready(): Promise<void>;
  /** Stops scheduling; resolves when the running probes have handed their checks on. */
  stop(): Promise<void>;
  stats(): SchedulerStats;
};

export function createProbeLane(opts: ProbeLaneOptions): ProbeLane {
  const clock = opts.clock ?? Date.now;
  const settings = opts.probe;
  // Built once per lane: a secure context parses the whole root store, and a malformed
  // allowedRanges entry throws here, at start-up.
  const secureContext = createProbeTrust(settings.ca);
  const guard = createAddressGuard({ allowPrivate: settings.allowPrivate, allowedRanges: settings.allowedRanges });
  let windows: MaintenanceWindow[] = [];

  async function runProbe(monitor: ProbedMonitor, scheduledAt: number): Promise<void> {
    try {
      const check = await probe(monitor, {
        allowPrivate: settings.allowPrivate,
        guard,
        observer: settings.observer,
        now: clock,
        scheduledAt,
        secureContext,
        ...(opts.onStalledTimeout ? { onStalledTimeout: opts.onStalledTimeout } : {}),
      });
      // Probes go on during maintenance; their checks say so, and history counts them apart.
      opts.onCheck(inMaintenance(windows, monitor, check.timestamp) ? { ...check, maintenance: true } : check);
    } catch (error) {
      // probe() does not throw; this guards the scheduler against a bug turning into a stall.
      opts.log.error({ err: error, monitor_id: monitor.id }, 'probe crashed');
    }
  }

  const scheduler = createScheduler({
    runProbe,
    canStart: () => opts.canStart(scheduler.stats().running),
    maxConcurrency: opts.maxConcurrency,
    now: clock,
    log: opts.log,
    ...(opts.onLateness ? { onLateness: opts.onLateness } : {}),
  });

  return {
    apply: (change) => scheduler.apply(change),
    setWindows(next) {
      windows = next;
    },
    start: () => scheduler.start(),
    ready: () => Promise.resolve(),
    stop: () => scheduler.stop(),
    stats: () => scheduler.stats(),
  };
}
