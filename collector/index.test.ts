// The collector end to end: a real SQLite store, real HTTP targets, real timers. Monitors created,
// changed, paused and deleted in the store take effect without a restart. Every case runs with the
// probes in the collector's thread and in two worker threads, the first of which hosts the store's
// check writer (what `npm start` does).

import pino, { type Logger } from 'pino';
import { type ThreadHostSlot, createThreadHostSlot } from '../store/thread-host.ts';
import type { Monitor } from '../store/types.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../telemetry/metrics.ts';
import { startCollector, type Collector, type CollectorConfig } from './index.ts';
import { eventually, monitorInput, openTestStore, storedChecks, type TestStore } from './testing/store.ts';
import { capturingLog } from './testing/log.ts';
import { httpTarget, type Target } from './testing/servers.ts';

let t: TestStore;
let metrics: Metrics;
let target: Target;
const collectors: Collector[] = [];
const log = pino({ level: 'silent' });
let writerHost: ThreadHostSlot | null = null;

let config: Omit<CollectorConfig, 'dataDir'> = {
  allowPrivate: true,
  observer: 'obs-a',
  shard: { index: 0, count: 1 },
  reloadEveryMs: 500,
  writeFlushEveryMs: 100,
};

function start(overrides: Partial<CollectorConfig> = {}, logTo: Logger = log): Collector {
  const collector = startCollector({
    store: t.store,
    config: { ...config, dataDir: t.dataDir, ...overrides },
    log: logTo,
    metrics,
    ...(writerHost ? { threadHost: writerHost } : {}),
  });
  collectors.push(collector);
  return collector;
}

const hits = (path: string) => target.requests.filter((r) => r.url === path).length;

beforeEach(async () => {
  t = await openTestStore();
  metrics = createMetrics();
  target = await httpTarget((_req, res) => res.end('ok'));
});
afterEach(async () => {
  await Promise.all(collectors.splice(0).map((c) => c.stop()));
  await target.close();
  await metrics.shutdown();
  await t.dispose();
});

describe.each([0, 2])('collector with %i probe threads', (probeThreads) => {
  beforeEach(async () => {
    config = { ...config, probeThreads };
    writerHost = null;
    if (probeThreads > 0) {
      await t.dispose();
      writerHost = createThreadHostSlot();
      t = await openTestStore({ checkWriter: 'thread', writerHost });
    }
  });

  it('probes a monitor created after start within a few seconds and stores its checks', async () => {
    // Created once the collector runs (its probe threads take a second to start on a busy machine).
    await start().ready();
    await new Promise((r) => setTimeout(r, 300));
    const monitor = await t.store.createMonitor(t.ownerId, monitorInput({ url: `${target.url}/new` }));
    const created = Date.now();
    expect(await eventually(() => hits('/new') >= 1, 4000)).toBe(true);
    expect(Date.now() - created).toBeLessThan(4000);
    expect(await eventually(async () => (await storedChecks(t.store, t.ownerId, monitor.id)).length >= 2, 4000)).toBe(true);
    const [check] = await storedChecks(t.store, t.ownerId, monitor.id);
    expect(check).toMatchObject({ status: 'up', status_code: 200, observer: 'obs-a', monitor_id: monitor.id });
    // One interval after the due time; the probe starts at or after it (late on a busy machine).
    expect(check!.next_at - 1000).toBeLessThanOrEqual(check!.timestamp);
    expect(check!.next_at - 1000).toBeGreaterThanOrEqual(created - 50);
    const text = await metrics.prometheusText();
    expect(text).toMatch(/uptime_probes_total\{outcome="up"\} [1-9]/);
    expect(text).toMatch(/uptime_monitors_scheduled 1/);
  });

  it('stops probing a paused or deleted monitor and picks up a changed URL', async () => {
    const paused = await t.store.createMonitor(t.ownerId, monitorInput({ url: `${target.url}/paused` }));
    const deleted = await t.store.createMonitor(t.ownerId, monitorInput({ url: `${target.url}/deleted` }));
    const moved = await t.store.createMonitor(t.ownerId, monitorInput({ url: `${target.url}/before` }));
    const collector = start();
    await collector.ready();
    expect(await eventually(() => hits('/paused') >= 1 && hits('/deleted') >= 1 && hits('/before') >= 1, 4000)).toBe(true);

    await t.store.updateMonitor(t.ownerId, paused.id, { paused: true });
    await t.store.deleteMonitor(t.ownerId, deleted.id);
    await t.store.updateMonitor(t.ownerId, moved.id, { url: `${target.url}/after` });
    expect(await eventually(() => collector.stats().scheduled === 1 && hits('/after') >= 1, 30_000)).toBe(true);
    // The probes of /after are the clock: one more lets a probe in flight at the change land;
    // two more after that, nothing may have arrived for the others.
    const settled = hits('/after') + 1;
    expect(await eventually(() => hits('/after') >= settled, 30_000)).toBe(true);
    const frozen = [hits('/paused'), hits('/deleted'), hits('/before')];
    const later = hits('/after') + 2;
    expect(await eventually(() => hits('/after') >= later, 30_000)).toBe(true);
    expect([hits('/paused'), hits('/deleted'), hits('/before')]).toEqual(frozen);

    await t.store.updateMonitor(t.ownerId, paused.id, { paused: false });
    expect(await eventually(() => hits('/paused') > frozen[0]!, 4000)).toBe(true);
  });

  it('splits monitors between shards so that each is probed by exactly one collector', async () => {
    const monitors: Monitor[] = [];
    for (let i = 0; i < 12; i++) monitors.push(await t.store.createMonitor(t.ownerId, monitorInput({ url: `${target.url}/m${i}` })));
    const a = start({ shard: { index: 0, count: 2 }, observer: 'shard-0' });
    const b = start({ shard: { index: 1, count: 2 }, observer: 'shard-1' });
    await Promise.all([a.ready(), b.ready()]);
    expect(await eventually(() => monitors.every((_m, i) => hits(`/m${i}`) >= 2), 5000)).toBe(true);
    expect(a.stats().scheduled + b.stats().scheduled).toBe(12);
    expect(a.stats().scheduled).toBeGreaterThan(0);
    expect(b.stats().scheduled).toBeGreaterThan(0);
    await Promise.all(collectors.splice(0).map((c) => c.stop()));
    for (const m of monitors) {
      const observers = new Set((await storedChecks(t.store, t.ownerId, m.id)).map((c) => c.observer));
      expect(observers.size).toBe(1);
    }
  });

  it('spools while the store refuses checks, shows it in the spool metrics, and stores every probe once it is back', async () => {
    const monitor = await t.store.createMonitor(t.ownerId, monitorInput({ url: `${target.url}/spooled` }));
    let refusing = true;
    // The real store, whose disk is full for a while (the error SQLite gives then).
    const store = Object.create(t.store, {
      appendChecks: {
        value: async (checks: Parameters<typeof t.store.appendChecks>[0]) => {
          if (refusing) throw Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 });
          return t.store.appendChecks(checks);
        },
      },
    }) as typeof t.store;
    const collector = startCollector({ store, config: { ...config, dataDir: t.dataDir }, log, metrics });
    collectors.push(collector);
    const gauge = async (name: string) => Number(new RegExp(`^uptime_${name} (\\S+)$`, 'm').exec(await metrics.prometheusText())?.[1]);
    expect(await eventually(async () => (await gauge('spool_checks')) >= 3 && (await gauge('spool_oldest_age_seconds')) >= 1, 20_000)).toBe(true);
    expect(await gauge('spool_bytes')).toBeGreaterThan(0);
    expect(await storedChecks(t.store, t.ownerId, monitor.id)).toEqual([]);

    refusing = false;
    expect(await eventually(async () => (await gauge('spool_checks')) === 0, 20_000)).toBe(true);
    expect(await gauge('spool_bytes')).toBe(0);
    expect(await gauge('spool_oldest_age_seconds')).toBe(0);
    expect(await metrics.prometheusText()).toMatch(/^uptime_spool_replayed_checks_total [3-9]\d*/m);
    collectors.splice(0);
    await collector.stop();
    const stored = await storedChecks(t.store, t.ownerId, monitor.id);
    expect(stored.length).toBe(hits('/spooled'));
    expect(new Set(stored.map((c) => c.id)).size).toBe(stored.length);
  });

  it('writes every probe made before stop, each once, and warns of nothing', async () => {
    const monitor = await t.store.createMonitor(t.ownerId, monitorInput({ url: `${target.url}/count`, interval_seconds: 1 }));
    const { log: captured, messages } = capturingLog();
    // Batches every 100 ms: one may be on its way to the writer when the stop comes.
    const collector = start({}, captured);
    expect(await eventually(() => hits('/count') >= 3, 5000)).toBe(true);
    collectors.splice(0);
    await collector.stop();
    const stored = await storedChecks(t.store, t.ownerId, monitor.id);
    expect(stored.length).toBe(hits('/count'));
    expect(new Set(stored.map((c) => c.id)).size).toBe(stored.length);
    expect(messages(40)).toEqual([]);
  });
});
