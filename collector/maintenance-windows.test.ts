// The collector marks checks probed inside a maintenance window (monitor.maintenance), and only
// those: a real SQLite store, a real HTTP target, real timers.

import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../telemetry/metrics.ts';
import { startCollector, type Collector } from './index.ts';
import { eventually, monitorInput, openTestStore, storedChecks, type TestStore } from './testing/store.ts';
import { httpTarget, type Target } from './testing/servers.ts';

let t: TestStore;
let metrics: Metrics;
let target: Target;
let collector: Collector | undefined;

beforeEach(async () => {
  t = await openTestStore();
  metrics = createMetrics();
  target = await httpTarget((_req, res) => res.end('ok'));
});
afterEach(async () => {
  await collector?.stop();
  await target.close();
  await metrics.shutdown();
  await t.dispose();
});

describe('collector and maintenance windows', () => {
  it('marks the checks of a monitor in a window, goes on probing, and stops marking once the window is gone', async () => {
    const inside = await t.store.createMonitor(t.ownerId, monitorInput({ url: `${target.url}/inside` }));
    const outside = await t.store.createMonitor(t.ownerId, monitorInput({ url: `${target.url}/outside` }));
    const window = await t.store.createMaintenanceWindow(t.ownerId, {
      name: 'upgrade',
      all_monitors: false,
      monitor_ids: [inside.id],
      start: Date.now() - 60_000,
      end: Date.now() + 3_600_000,
      repeat: null,
    });
    collector = startCollector({
      store: t.store,
      config: { allowPrivate: true, observer: 'obs', shard: { index: 0, count: 1 }, reloadEveryMs: 300, writeFlushEveryMs: 100, dataDir: t.dataDir },
      log: pino({ level: 'silent' }),
      metrics,
    });
    const marked = (checks: { maintenance?: true }[]) => checks.filter((c) => c.maintenance === true).length;
    expect(await eventually(async () => marked(await storedChecks(t.store, t.ownerId, inside.id)) >= 2, 10_000)).toBe(true);
    const others = await storedChecks(t.store, t.ownerId, outside.id);
    expect(others.length).toBeGreaterThan(0);
    expect(marked(others)).toBe(0);

    await t.store.deleteMaintenanceWindow(t.ownerId, window.id);
    const deletedAt = Date.now();
    // Read again within reloadEveryMs: a check probed a second later is no longer marked.
    expect(
      await eventually(async () => (await storedChecks(t.store, t.ownerId, inside.id)).some((c) => c.timestamp > deletedAt + 1_000 && !c.maintenance), 10_000),
    ).toBe(true);
  });
});
