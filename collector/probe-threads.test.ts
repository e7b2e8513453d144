// A probe thread that dies (a bug, out of memory) while the collector runs: a real collector with
// two probe threads, a real SQLite store and a real HTTP target. The thread is made to throw an
// uncaught error through the inspector (testing/thread-debugger.ts), so nothing in the product is
// there for the test. The thread killed is the first, which hosts the store's check writer as in
// `npm start` (store/thread-host.ts): its death also fails the batch being written. What a user
// would notice: the death in the log, the thread started again after a backoff that grows, its
// monitors probed and stored again on their beat, the other thread's monitors never interrupted
// nor lost, and no slot of any monitor probed twice.

import { type ThreadHostSlot, createThreadHostSlot } from '../store/thread-host.ts';
import type { Check, Monitor } from '../store/types.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../telemetry/metrics.ts';
import { startCollector, type Collector } from './index.ts';
import { laneOf, type Shard } from './shard.ts';
import { capturingLog, type LogEntry } from './testing/log.ts';
import { httpTarget, type Target } from './testing/servers.ts';
import { eventually, monitorInput, openTestStore, storedChecks, type TestStore } from './testing/store.ts';
import { attachToThreads, type ThreadDebugger } from './testing/thread-debugger.ts';

const SHARD: Shard = { index: 0, count: 1 };
const THREADS = 2;
/** The lane whose thread is killed, and the other one. */
const KILLED = 0;
const SURVIVOR = 1;
/** Generous: the machine is shared, and a thread takes a while to start when it is busy. */
const BOUND_MS = 60_000;

let t: TestStore;
let metrics: Metrics;
let target: Target;
let threads: ThreadDebugger | null = null;
let collector: Collector | null = null;

let writerHost: ThreadHostSlot;

beforeEach(async () => {
  writerHost = createThreadHostSlot();
  t = await openTestStore({ checkWriter: 'thread', writerHost });
  metrics = createMetrics();
  target = await httpTarget((_req, res) => res.end('ok'));
});
afterEach(async () => {
  await collector?.stop();
  collector = null;
  await threads?.detach();
  threads = null;
  await target.close();
  await metrics.shutdown();
  await t.dispose();
});

/** Monitors probed every second, at least `perLane` in each lane (ids are random, so keep creating). */
async function monitorsInEveryLane(perLane: number): Promise<Monitor[][]> {
  const byLane: Monitor[][] = Array.from({ length: THREADS }, () => []);
  for (let i = 0; byLane.some((lane) => lane.length < perLane); i++) {
    if (i >= 100) throw new Error('monitor ids keep falling in one lane');
    const monitor = await t.store.createMonitor(t.ownerId, monitorInput({ url: `${target.url}/m${i}`, interval_seconds: 1 }));
    byLane[laneOf(monitor.id, SHARD, THREADS)]!.push(monitor);
  }
  return byLane;
}

const hits = (monitor: Monitor) => target.requests.filter((r) => r.url === new URL(monitor.url).pathname).length;
/** The slot a check was probed for (next_at is that slot plus one interval). */
const slot = (check: Check) => check.next_at - 1000;

/** Whether every monitor has a stored check for a slot after `from` and before `to` (epoch ms). */
async function probedWithin(monitors: Monitor[], from: number, to = Infinity): Promise<boolean> {
  for (const monitor of monitors) {
    const checks = await storedChecks(t.store, t.ownerId, monitor.id);
    if (!checks.some((c) => slot(c) > from && slot(c) < to)) return false;
  }
  return true;
}

describe('a probe thread that dies', () => {
  it('is logged and started again after a growing backoff; its monitors are stored again, the other thread’s never stop, and no slot is probed twice', async () => {
    const lanes = await monitorsInEveryLane(2);
    const all = lanes.flat();
    const { log, entries } = capturingLog();
    threads = await attachToThreads();
    collector = startCollector({
      store: t.store,
      config: { allowPrivate: true, observer: 'obs-a', shard: SHARD, dataDir: t.dataDir, probeThreads: THREADS, reloadEveryMs: 500, writeFlushEveryMs: 100 },
      log,
      metrics,
      threadHost: writerHost,
    });
    await collector.ready();
    expect(await eventually(() => probedWithin(all, 0), BOUND_MS)).toBe(true);
    // The checks were written on the first probe thread: no thread of the writer's own.
    expect(threads.names().sort()).toEqual(['probe-0', 'probe-1']);

    const exits = () => entries.filter((e) => e.msg === 'probe thread exited; starting it again');
    const deaths: LogEntry[] = [];
    for (const backoffMs of [1_000, 2_000]) {
      await threads.crash(`probe-${KILLED}`, 'killed by test');
      expect(await eventually(() => exits().length === deaths.length + 1, BOUND_MS)).toBe(true);
      const death = exits().at(-1)!;
      deaths.push(death);
      expect(death).toMatchObject({ level: 50, lane: KILLED, code: 1, restart_in_ms: backoffMs });
      const restartAt = (death.time as number) + backoffMs;
      // Stored again after the restart: the fleet feed gave the new thread the lane's share.
      expect(await eventually(() => probedWithin(lanes[KILLED]!, restartAt), BOUND_MS)).toBe(true);
      // The other thread went on probing while this one was down: each of its monitors (every
      // second) has a check for one of the two slots after the death.
      const diedAt = death.time as number;
      expect(await eventually(() => probedWithin(lanes[SURVIVOR]!, diedAt, diedAt + 2_000), BOUND_MS)).toBe(true);
    }
    const failures = entries.filter((e) => e.msg === 'probe thread failed');
    expect(failures).toHaveLength(2);
    for (const failure of failures) expect(failure).toMatchObject({ level: 50, lane: KILLED, err: { message: 'killed by test' } });
    expect(exits().every((e) => e.lane === KILLED)).toBe(true);

    // Stop flushes every check that reached this thread; then count.
    await collector.stop();
    collector = null;
    for (const monitor of all) {
      const checks = await storedChecks(t.store, t.ownerId, monitor.id);
      const slots = checks.map(slot);
      expect(new Set(slots).size, `${monitor.url}: a slot probed twice`).toBe(slots.length);
      expect(new Set(checks.map((c) => c.id)).size).toBe(checks.length);
      // A death loses at most the one probe of each monitor that was in flight; the survivor loses none.
      const lost = hits(monitor) - checks.length;
      if (lanes[SURVIVOR]!.includes(monitor)) {
        expect(lost, monitor.url).toBe(0);
      } else {
        expect(lost, monitor.url).toBeGreaterThanOrEqual(0);
        expect(lost, monitor.url).toBeLessThanOrEqual(deaths.length);
      }
    }
  }, 240_000);
});
