// Runs the monitors it is given on their interval. One timer points at the head of a heap of due
// times (no per-monitor timers). Each monitor has a fixed offset inside its interval (shard.ts),
// so load is flat and a restart keeps the beat. It takes the fleet as changes (`apply`: monitors
// created or changed, ids removed), worked out by the fleet feed (fleet-feed.ts), so a change of
// one monitor costs one entry here, not a rebuild of the whole schedule.
//
// Bounded work: at most `maxConcurrency` probes run; a due probe waits (FIFO) while that bound or
// the writer's backpressure (`canStart`) holds it back, and a monitor whose previous probe has not
// even started or finished when it is due again skips that turn rather than piling up. The wait
// queue therefore never holds more than one entry per monitor.

import type { Logger } from 'pino';
import type { ProbedMonitor } from './probed-monitor.ts';
import { DueQueue } from './due-queue.ts';
import { offsetMs, slotAtOrAfter } from './shard.ts';

/** Monitors to run that are new or changed (a changed one replaces its entry), and ids to drop. */
export type FleetChange = { upsert: ProbedMonitor[]; remove: string[] };

export type SchedulerOptions = {
  /** Probes the monitor and hands the check on; must not reject. */
  runProbe: (monitor: ProbedMonitor, scheduledAt: number) => Promise<void>;
  /** False while downstream (the writer) cannot take more checks. */
  canStart: () => boolean;
  maxConcurrency: number;
  now: () => number;
  log: Logger;
  /** Seconds between the due time and the actual start. */
  onLateness?: (seconds: number) => void;
};

export type SchedulerStats = {
  scheduled: number;
  running: number;
  waiting: number;
  started: number;
  skipped: number;
};

type Entry = {
  monitor: ProbedMonitor;
  intervalMs: number;
  offset: number;
  generation: number;
  state: 'idle' | 'waiting' | 'running';
};

/** New monitors found after start get a first probe within this window instead of a full interval. */
const FIRST_PROBE_WINDOW_MS = 5_000;
/** More new monitors than this in one change (a bulk import) wait for their slot, to avoid a burst. */
const FIRST_PROBE_BURST_LIMIT = 100;
/** The timer never sleeps longer, so a wall-clock jump is noticed soon. */
const MAX_SLEEP_MS = 1_000;
/** While probes wait on backpressure, look again this often. */
const BACKPRESSURE_RETRY_MS = 20;

export type Scheduler = {
  /**
   * Takes a change of the fleet; the first one is the initial load (every monitor waits for its
   * slot), later ones probe a few new monitors soon.
   */
  apply(change: FleetChange): void;
  start(): void;
  /** Stops scheduling and resolves when running probes are done. */
  stop(): Promise<void>;
  stats(): SchedulerStats;
};

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const entries = new Map<string, Entry>();
  const due = new DueQueue();
  const waiting: Array<{ entry: Entry; due: number }> = [];
  let waitingHead = 0;
  let running = 0;
  let started = 0;
  let skipped = 0;
  let timer: NodeJS.Timeout | null = null;
  let armed = false;
  /** Generations are unique across entries: a monitor removed and added again must not match the heap items of its old entry. */
  let generations = 0;
  let stopped = false;
  let loaded = false;
  let idle: (() => void) | null = null;

  function schedule(id: string, entry: Entry, at: number): void {
    due.push({ due: at, id, generation: entry.generation });
  }

  function apply(change: FleetChange): void {
    const now = opts.now();
    const fresh: Array<[string, Entry]> = [];
    for (const monitor of change.upsert) {
      const intervalMs = Math.max(1, monitor.interval_seconds) * 1000;
      const entry = entries.get(monitor.id);
      if (entry === undefined) {
        const created: Entry = { monitor, intervalMs, offset: offsetMs(monitor.id, intervalMs), generation: ++generations, state: 'idle' };
        entries.set(monitor.id, created);
        fresh.push([monitor.id, created]);
      } else {
        entry.monitor = monitor;
        if (entry.intervalMs !== intervalMs) {
          entry.intervalMs = intervalMs;
          entry.offset = offsetMs(monitor.id, intervalMs);
          entry.generation = ++generations;
          schedule(monitor.id, entry, slotAtOrAfter(now, intervalMs, entry.offset));
        }
      }
    }
    const soon = loaded && fresh.length <= FIRST_PROBE_BURST_LIMIT;
    for (const [id, entry] of fresh) {
      const window = Math.min(entry.intervalMs, FIRST_PROBE_WINDOW_MS);
      schedule(id, entry, soon ? now + (entry.offset % window) : slotAtOrAfter(now, entry.intervalMs, entry.offset));
    }
    // Removed entries leave stale heap items behind; they are dropped when they come due.
    for (const id of change.remove) entries.delete(id);
    loaded = true;
    arm();
  }

  function tick(): void {
    timer = null;
    if (stopped) return;
    const now = opts.now();
    for (let head = due.peek(); head !== undefined && head.due <= now; head = due.peek()) {
      due.pop();
      const entry = entries.get(head.id);
      if (entry === undefined || entry.generation !== head.generation) continue;
      // Next turn first; when the process fell more than an interval behind, missed turns are
      // skipped rather than run back to back.
      let next = head.due + entry.intervalMs;
      if (next <= now) {
        const missed = Math.floor((now - next) / entry.intervalMs) + 1;
        skipped += missed;
        next += missed * entry.intervalMs;
      }
      schedule(head.id, entry, next);
      if (entry.state !== 'idle') {
        skipped++;
        opts.log.debug({ monitor_id: head.id, state: entry.state }, 'probe skipped: the previous one is not done');
        continue;
      }
      entry.state = 'waiting';
      waiting.push({ entry, due: head.due });
    }
    pump();
    arm();
  }

  function pump(): void {
    while (waitingHead < waiting.length && running < opts.maxConcurrency && !stopped && opts.canStart()) {
      const item = waiting[waitingHead++]!;
      const { entry } = item;
      if (entries.get(entry.monitor.id) !== entry) {
        entry.state = 'idle';
        continue;
      }
      entry.state = 'running';
      running++;
      started++;
      opts.onLateness?.(Math.max(0, opts.now() - item.due) / 1000);
      opts.runProbe(entry.monitor, item.due).finally(() => {
        entry.state = 'idle';
        running--;
        if (running === 0 && idle) idle();
        pump();
      });
    }
    if (waitingHead > 1024 && waitingHead * 2 > waiting.length) {
      waiting.splice(0, waitingHead);
      waitingHead = 0;
    }
  }

  function arm(): void {
    if (stopped || !armed) return;
    if (timer !== null) clearTimeout(timer);
    const head = due.peek();
    let sleep = head === undefined ? MAX_SLEEP_MS : Math.min(MAX_SLEEP_MS, Math.max(0, head.due - opts.now()));
    if (waitingHead < waiting.length) sleep = Math.min(sleep, BACKPRESSURE_RETRY_MS);
    timer = setTimeout(tick, sleep);
  }

  return {
    apply,
    start() {
      armed = true;
      arm();
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      if (running > 0) await new Promise<void>((resolve) => (idle = resolve));
    },
    stats() {
      return { scheduled: entries.size, running, waiting: waiting.length - waitingHead, started, skipped };
    },
  };
}
