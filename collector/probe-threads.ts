// A probe lane in a worker thread of its own (probe-thread.ts), seen from the collector's thread
// through the same interface as an in-thread lane. Checks, lateness and stall reports come back in
// batches; fleet changes, maintenance windows and the writer's backpressure go out as messages.
//
// A thread that dies (a bug, out of memory) is started again after a backoff, and `onRestart`
// lets the fleet feed send it its whole share again; its probes in flight are lost, nothing
// stored is.
//
// Example:
//   const lane = startProbeThread({ lane: 0, probe, maxConcurrency: 500, logLevel: 'info' },
//     { onBatch: (batch) => ..., onRestart: () => feed.resend(0), log });

import { type MessagePort, Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { MaintenanceWindow } from '../store/maintenance.ts';
import type { ThreadHost } from '../store/thread-host.ts';
import type { Check } from '../store/types.ts';
import type { ProbeLane, ProbeSettings } from './probe-lane.ts';
import type { FleetChange, SchedulerStats } from './scheduler.ts';

export type ProbeThreadData = { lane: number; probe: ProbeSettings; maxConcurrency: number; logLevel: string };

export type ToProbeThread =
  | { type: 'apply'; change: FleetChange }
  | { type: 'host'; module: string; port: MessagePort; data: unknown }
  | { type: 'windows'; windows: MaintenanceWindow[] }
  | { type: 'room'; open: boolean }
  | { type: 'stop' };

export type ProbeBatch = { checks: Check[]; lateness: number[]; stalls: number[]; stats: SchedulerStats };

type FromProbeThread = { type: 'ready' } | ({ type: 'batch' } & ProbeBatch) | { type: 'log'; line: string } | { type: 'stopped' };

export type ProbeThreadHooks = {
  onBatch: (batch: ProbeBatch) => void;
  /** The thread was started again with an empty schedule. */
  onRestart: () => void;
  log: Logger;
};

export type ProbeThread = ProbeLane & ThreadHost & { setRoom(open: boolean): void };

const RESTART_INITIAL_MS = 1_000;
const RESTART_MAX_MS = 30_000;
/** stop() waits this long for the running probes (their own deadlines are shorter), then ends the thread. */
const STOP_DEADLINE_MS = 90_000;
/**
 * The thread's young generation (V8 makes it three semi-spaces of 8 MB; two are committed). Sized
 * here, not by `npm start`'s flag, which is the main thread's (main.ts; docs/architecture.md, Memory).
 */
const YOUNG_GENERATION_MB = 24;
const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const EMPTY_STATS: SchedulerStats = { scheduled: 0, running: 0, waiting: 0, started: 0, skipped: 0 };

export function startProbeThread(data: ProbeThreadData, hooks: ProbeThreadHooks): ProbeThread {
  const { log } = hooks;
  let worker: Worker;
  let stats = EMPTY_STATS;
  /** Counters of threads that ended, so that started/skipped never go back. */
  let before = { started: 0, skipped: 0 };
  let windows: MaintenanceWindow[] = [];
  let room = true;
  let stopping = false;
  let stopped: (() => void) | null = null;
  let restartMs = RESTART_INITIAL_MS;
  let restartTimer: NodeJS.Timeout | null = null;
  let spawnedAt = 0;

  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  function onMessage(message: FromProbeThread): void {
    if (message.type === 'ready') {
      markReady();
    } else if (message.type === 'batch') {
      stats = message.stats;
      hooks.onBatch(message);
    } else if (message.type === 'log') {
      relayLog(message.line);
    } else {
      stopped?.();
    }
  }

  function relayLog(line: string): void {
    try {
      const { level, msg, time: _time, pid: _pid, hostname: _host, ...fields } = JSON.parse(line) as Record<string, unknown>;
      log[LEVELS[level as number] ?? 'info'](fields, typeof msg === 'string' ? msg : '');
    } catch {
      log.warn({ line: line.slice(0, 500) }, 'unreadable log line from a probe thread');
    }
  }

  function spawn(): void {
    spawnedAt = performance.now();
    worker = new Worker(new URL('./probe-thread.ts', import.meta.url), {
      workerData: data,
      name: `probe-${data.lane}`,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    worker.on('message', onMessage);
    worker.on('error', (error) => log.error({ err: error, lane: data.lane }, 'probe thread failed'));
    worker.on('exit', (code) => {
      if (stopping) {
        stopped?.();
        return;
      }
      before = { started: before.started + stats.started, skipped: before.skipped + stats.skipped };
      // A thread that ran for a minute has earned a fresh backoff.
      if (performance.now() - spawnedAt > 60_000) restartMs = RESTART_INITIAL_MS;
      stats = EMPTY_STATS;
      log.error({ lane: data.lane, code, restart_in_ms: restartMs }, 'probe thread exited; starting it again');
      restartTimer = setTimeout(() => {
        restartTimer = null;
        spawn();
        send({ type: 'windows', windows });
        send({ type: 'room', open: room });
        hooks.onRestart();
      }, restartMs);
      restartMs = Math.min(RESTART_MAX_MS, restartMs * 2);
    });
  }

  function send(message: ToProbeThread): void {
    // Dropped while the thread is down: the restart sends everything again.
    if (restartTimer === null) worker.postMessage(message);
  }

  spawn();

  return {
    apply: (change) => send({ type: 'apply', change }),
    host(module, port, data) {
      // A thread that is down or stopping takes nothing: the port's peer sees 'close' and starts
      // the service elsewhere or later.
      if (restartTimer !== null || stopping) {
        port.close();
        return;
      }
      worker.postMessage({ type: 'host', module: module.href, port, data } satisfies ToProbeThread, [port]);
    },
    setWindows(next) {
      windows = next;
      send({ type: 'windows', windows });
    },
    setRoom(open) {
      if (open === room) return;
      room = open;
      send({ type: 'room', open });
    },
    start() {
      // The thread schedules as soon as it runs.
    },
    ready: () => ready,
    async stop() {
      stopping = true;
      if (restartTimer !== null) {
        clearTimeout(restartTimer);
        return;
      }
      const done = new Promise<void>((resolve) => (stopped = resolve));
      worker.postMessage({ type: 'stop' } satisfies ToProbeThread);
      const deadline = setTimeout(() => void worker.terminate(), STOP_DEADLINE_MS);
      await done;
      clearTimeout(deadline);
      await worker.terminate();
    },
    stats: () => ({ ...stats, started: before.started + stats.started, skipped: before.skipped + stats.skipped }),
  };
}
