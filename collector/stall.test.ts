// Our own stalls are not the targets' fault: healthy targets in another thread keep answering
// while this process's event loop is blocked (a synchronous SQLite write waiting for another
// connection's lock, a long pause), and no probe may come out of it as a timeout.

import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEvaluator } from '../alerting/evaluator.ts';
import { createIncidentLookup } from '../alerting/lookups.ts';
import { SQLITE_FILE_NAME } from '../store/sqlite/open.ts';
import { createMetrics } from '../telemetry/metrics.ts';
import { startCollector, type Collector } from './index.ts';
import { probe } from './probe.ts';
import { testMonitor } from './testing/monitor.ts';
import { eventually, monitorInput, openTestStore, storedChecks, type TestStore } from './testing/store.ts';
import { allDeliveries } from '../store/testing/deliveries.ts';

type Message = { port?: number; request?: boolean; locked?: boolean; unlocked?: boolean };

let t: TestStore;
let worker: Worker;
let port: number;
let requests = 0;
const log = pino({ level: 'silent' });
/** Resolves with the first message from the worker that satisfies `wanted`. */
const nextMessage = (wanted: (m: Message) => boolean) =>
  new Promise<Message>((resolve) => {
    const listener = (m: Message) => {
      if (!wanted(m)) return;
      worker.off('message', listener);
      resolve(m);
    };
    worker.on('message', listener);
  });

beforeEach(async () => {
  t = await openTestStore();
  requests = 0;
  worker = new Worker(new URL('./testing/stall-worker.ts', import.meta.url), {
    workerData: { dbPath: join(t.dataDir, SQLITE_FILE_NAME), answerAfterMs: 300 },
  });
  worker.on('message', (m: Message) => {
    if (m.request) requests++;
  });
  port = (await nextMessage((m) => m.port !== undefined)).port!;
});
afterEach(async () => {
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.postMessage({ stop: true });
  await exited;
  await t.dispose();
});

describe('a stalled collector', () => {
  it('records no timeout and raises no alert while a synchronous store write waits 3 s for another connection’s lock', async () => {
    const monitor = await t.store.createMonitor(
      t.ownerId,
      monitorInput({ url: `http://127.0.0.1:${port}/`, interval_seconds: 2, timeout_ms: 1000, confirm_failures: 1 }),
    );
    await t.store.addContact(t.ownerId, monitor.id, { type: 'email', address: 'ops@example.com' });
    let collector: Collector | null = startCollector({
      store: t.store,
      config: { allowPrivate: true, observer: 'obs', shard: { index: 0, count: 1 }, dataDir: t.dataDir, reloadEveryMs: 500, writeFlushEveryMs: 100 },
      log,
      metrics: createMetrics(),
    });
    try {
      // A probe is in flight (the target answers after 300 ms) when the lock is taken.
      await nextMessage((m) => m.request === true);
      worker.postMessage({ lock: 3000 });
      await nextMessage((m) => m.locked === true);
      const blockedFrom = performance.now();
      await t.store.createMonitor(t.ownerId, monitorInput({ url: 'http://127.0.0.1:1/', paused: true })); // blocks this thread
      const blockedMs = performance.now() - blockedFrom;
      const unblockedAt = Date.now();
      expect(blockedMs, 'the store write waited for the lock').toBeGreaterThan(2000);

      // Checks of probes started before, during and after the stall are all written.
      expect(await eventually(async () => (await storedChecks(t.store, t.ownerId, monitor.id)).some((c) => c.timestamp > unblockedAt), 20_000)).toBe(true);
      await collector.stop();
      collector = null;

      const checks = await storedChecks(t.store, t.ownerId, monitor.id);
      expect(checks.filter((c) => c.status !== 'up').map((c) => `${c.error_type}: ${c.error_message}`)).toEqual([]);
      const evaluator = createEvaluator({ store: t.store, incidents: createIncidentLookup(t.store), log, metrics: createMetrics(), clock: Date.now });
      await evaluator.evaluateOnce();
      expect(await t.store.listIncidents(t.ownerId, monitor.id, {})).toEqual([]);
      expect(await allDeliveries(t.store, t.ownerId, monitor.id)).toEqual([]);
    } finally {
      await collector?.stop();
    }
  });

  it('probes again when the event loop was blocked past the deadline, and a real timeout stays a timeout', async () => {
    const monitor = testMonitor({ url: `http://127.0.0.1:${port}/`, timeout_ms: 1000 });
    const stalls: number[] = [];
    const checking = probe(monitor, { allowPrivate: true, observer: 'obs', onStalledTimeout: (ms) => stalls.push(ms) });
    await nextMessage((m) => m.request === true);
    const until = performance.now() + 2500;
    while (performance.now() < until) {
      // A long synchronous pause: the target answers meanwhile, unread.
    }
    const check = await checking;
    expect(check).toMatchObject({ status: 'up', status_code: 200, error_type: null });
    expect(stalls).toHaveLength(1);
    expect(stalls[0]).toBeGreaterThan(1000);
    expect(requests).toBe(2);

    // Without a stall, a target slower than the deadline is a timeout, probed once.
    const slow = await probe({ ...monitor, timeout_ms: 150 }, { allowPrivate: true, observer: 'obs', onStalledTimeout: (ms) => stalls.push(ms) });
    expect(slow).toMatchObject({ status: 'down', error_type: 'timeout' });
    expect(slow.error_message).toMatch(/^timed out after 150 ms waiting for response headers$/);
    expect(stalls).toHaveLength(1);
  });
});
