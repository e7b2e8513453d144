// Missed heartbeats end to end: real collectors (startCollector, with their writers and spools)
// over a real store — SQLite, and the Elasticsearch dev node when ES_URL is set — with pushes
// written as /push/{token} writes them (pushCheck). Two collectors that both see a deadline pass
// store one missed check for it; pushes in time keep a monitor up; silence gives one missed
// check per deadline, the first at the last push + interval + grace; a late push is up again.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { pushCheck } from '../api/push/routes.ts';
import { openTestStore as openEsStore, refreshNamespace, testEsUrl } from '../elastic/store/testing.ts';
import type { Store } from '../store/contract.ts';
import { checkIdToBytes } from '../store/ids.ts';
import { openSqliteStore } from '../store/sqlite/open.ts';
import { monitorInput } from '../store/testing/fixtures.ts';
import type { Check, Monitor } from '../store/types.ts';
import { createMetrics } from '../telemetry/metrics.ts';
import { type Collector, startCollector } from './index.ts';
import { DEFAULT_SETTLE_MS, dueDeadline, missedCheckId } from './push-deadlines.ts';
import { capturingLog } from './testing/log.ts';
import { eventually, storedChecks } from './testing/store.ts';

type Backend = { name: string; open(): Promise<{ store: Store; refresh(): Promise<void>; close(): Promise<void> }> };

const backends: Backend[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'dm-push-'));
      const store = await openSqliteStore({ dataDir: dir });
      return { store, refresh: async () => {}, close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
    },
  },
];
const esUrl = testEsUrl();
if (esUrl) {
  backends.push({
    name: 'elasticsearch',
    async open() {
      const store = await openEsStore(esUrl);
      return { store, refresh: () => refreshNamespace(store.client, store.namespace), close: () => store.close() };
    },
  });
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(backends)('push deadlines on $name', (backend) => {
  async function setup() {
    const opened = await backend.open();
    cleanups.push(opened.close);
    const spoolDir = mkdtempSync(join(tmpdir(), 'dm-push-spool-'));
    cleanups.push(async () => rmSync(spoolDir, { recursive: true, force: true }));
    const owner = await opened.store.createUser({ email: 'cron@example.com', password_hash: 'x' });
    const monitor = await opened.store.createMonitor(
      owner.id,
      monitorInput({ type: 'push', name: 'Backup', url: 'push:', interval_seconds: 2, grace_seconds: 1, push_token_hash: 'f'.repeat(64) }),
    );
    const metrics = createMetrics();
    cleanups.push(() => metrics.shutdown());
    const start = (observer: string, log = pino({ level: 'silent' }), writeFlushEveryMs = 100): Collector => {
      const collector = startCollector({
        store: opened.store,
        config: { allowPrivate: true, observer, shard: { index: 0, count: 1 }, dataDir: spoolDir, reloadEveryMs: 500, writeFlushEveryMs },
        log,
        metrics,
      });
      cleanups.push(() => collector.stop());
      return collector;
    };
    const checks = async (): Promise<Check[]> => {
      await opened.refresh();
      return storedChecks(opened.store, owner.id, monitor.id);
    };
    return { ...opened, monitor, start, checks };
  }

  const missed = (checks: Check[]) => checks.filter((c) => c.error_type === 'missed').sort((a, b) => a.timestamp - b.timestamp);

  it('two collectors that both see a deadline pass store one missed check per deadline', async () => {
    const { monitor, start, checks } = await setup();
    // Writes held back 2 s: each collector computes the first deadline before the other's check is stored.
    const a = capturingLog();
    const b = capturingLog();
    start('obs-a', a.log, 2000);
    start('obs-b', b.log, 2000);
    expect(await eventually(async () => missed(await checks()).length >= 3, 60_000, 250)).toBe(true);
    const first = monitor.created_at + 3000;
    const deadlines = (log: ReturnType<typeof capturingLog>) =>
      log.entries.filter((e) => e.msg === 'push monitor missed its deadline').map((e) => Date.parse(String(e.deadline)));
    expect(deadlines(a)).toContain(first);
    expect(deadlines(b)).toContain(first);
    // Let any straggling writes land, then count.
    await new Promise((r) => setTimeout(r, 2500));
    const stored = missed(await checks());
    const times = stored.map((c) => c.timestamp);
    expect(new Set(times).size).toBe(times.length);
    expect(times.slice(0, 3)).toEqual([first, first + 2000, first + 4000]);
    expect(stored[0]).toMatchObject({
      id: missedCheckId(monitor.id, first),
      status: 'down',
      monitor_type: 'push',
      error_type: 'missed',
      error_message: 'no push within 2 s + 1 s grace',
    });
  }, 90_000);

  it('pushes in time keep it up; silence gives a missed check at the last push + interval + grace; a late push is up', async () => {
    const { store, monitor, start, checks } = await setup();
    start('obs-a');
    const push = async (m: Monitor) => {
      const check = pushCheck(m, Date.now(), { status: 'up' });
      await store.appendChecks([check]);
      return check;
    };
    let last = await push(monitor);
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      last = await push(monitor);
    }
    // The first deadline is 3 s after the last push; it is acted on after the settle margin.
    await new Promise((r) => setTimeout(r, 1500));
    expect(missed(await checks())).toEqual([]);
    expect(await eventually(async () => missed(await checks()).length >= 1, 60_000, 250)).toBe(true);
    const [miss] = missed(await checks());
    expect(miss!.timestamp).toBe(last.timestamp + 3000);
    expect(Date.now()).toBeGreaterThanOrEqual(last.timestamp + 3000 + DEFAULT_SETTLE_MS);
    const late = await push(monitor);
    const [newest] = await checks();
    expect(newest).toMatchObject({ id: late.id, status: 'up', observer: 'push' });
  }, 90_000);
});

describe('which deadline is due', () => {
  const T = Date.UTC(2026, 10, 30, 12, 0, 0);
  const monitor = { ...monitorInput({ type: 'push', interval_seconds: 60, grace_seconds: 30 }), id: 'm1', owner_id: 'o1', created_at: T, updated_at: T } as Monitor;
  const settle = DEFAULT_SETTLE_MS;

  it('none before interval + grace + settle after the newest check; then that one', () => {
    const last = { timestamp: T + 1000, error_type: null };
    expect(dueDeadline(monitor, last, T + 1000 + 90_000 + settle - 1, settle)).toEqual({ deadline: T + 91_000, passed: false });
    expect(dueDeadline(monitor, last, T + 1000 + 90_000 + settle, settle)).toEqual({ deadline: T + 91_000, passed: true });
  });

  it('one interval after a missed check; the latest one passed after a long sleep, not each', () => {
    expect(dueDeadline(monitor, { timestamp: T + 91_000, error_type: 'missed' }, T + 91_000 + 60_000 + settle, settle)).toEqual({ deadline: T + 151_000, passed: true });
    // Asleep for ten intervals: the deadline written is the latest that has passed.
    expect(dueDeadline(monitor, { timestamp: T + 91_000, error_type: 'missed' }, T + 91_000 + 605_000 + settle, settle)).toEqual({ deadline: T + 691_000, passed: true });
  });

  it('since creation when nothing was pushed; a later change (unpausing) restarts the clock', () => {
    expect(dueDeadline(monitor, null, T + 90_000 + settle, settle)).toEqual({ deadline: T + 90_000, passed: true });
    const unpaused = { ...monitor, updated_at: T + 3_600_000 };
    expect(dueDeadline(unpaused, { timestamp: T + 1000, error_type: null }, T + 3_600_000 + 1000, settle)).toEqual({ deadline: T + 3_690_000, passed: false });
  });

  it('gives a deadline the same check id wherever it is computed, and another deadline another id', () => {
    expect(missedCheckId('m1', T)).toBe(missedCheckId('m1', T));
    expect(missedCheckId('m1', T)).not.toBe(missedCheckId('m1', T + 60_000));
    expect(missedCheckId('m2', T)).not.toBe(missedCheckId('m1', T));
    expect(checkIdToBytes(missedCheckId('m1', T))).not.toBeNull();
  });
});
