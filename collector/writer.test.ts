// The batched writer against the real SQLite store. Store outages are produced at the boundary:
// a wrapper that fails calls before (store unreachable) or after (acknowledgement lost) the real
// write, so the idempotency that makes replay safe is the store's own. Tests wait on conditions
// (eventually, with generous bounds), never for a fixed time: a busy machine stretches every delay.

import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckWriter } from '../store/contract.ts';
import { newCheckId } from '../store/ids.ts';
import type { Check, Monitor } from '../store/types.ts';
import { createMetrics, type Metrics } from '../telemetry/metrics.ts';
import { eventually, monitorInput, openTestStore, storedChecks, type TestStore } from './testing/store.ts';
import { createBatchWriter } from './writer.ts';

let t: TestStore;
let monitor: Monitor;
let metrics: Metrics;
const log = pino({ level: 'silent' });

beforeEach(async () => {
  t = await openTestStore();
  monitor = await t.store.createMonitor(t.ownerId, monitorInput());
  metrics = createMetrics();
});
afterEach(async () => {
  await metrics.shutdown();
  await t.dispose();
});

let clock = Date.now() - 60_000;
function check(): Check {
  const timestamp = clock++;
  return {
    id: newCheckId(timestamp), monitor_id: monitor.id, owner_id: t.ownerId, monitor_name: monitor.name, url: monitor.url,
    method: 'GET', observer: 'w', timestamp, next_at: timestamp + 1000, status: 'up', duration_us: 1000, status_code: 200,
    body_bytes: 2, resolved_ip: '127.0.0.1', dns_us: 0, connect_us: 100, tls_us: null, first_byte_us: 300, total_us: 400,
    tls_version: null, cert_not_after: null, cert_issuer: null, error_type: null, error_message: null,
  };
}

type Outage = { before: number; after: number; calls: number; batches?: Array<{ size: number; at: number }> };
/** The real store behind a link that can fail `before` calls outright and lose `after` acks. */
function flaky(outage: Outage): CheckWriter {
  return {
    async appendChecks(checks) {
      outage.calls++;
      outage.batches?.push({ size: checks.length, at: performance.now() });
      if (outage.before > 0) {
        outage.before--;
        throw new Error('connect ECONNREFUSED (store unreachable)');
      }
      await t.store.appendChecks(checks);
      if (outage.after > 0) {
        outage.after--;
        throw new Error('socket hang up (acknowledgement lost)');
      }
    },
  };
}

const fast = { retryInitialMs: 10, retryMaxMs: 40 };

describe('batched writer', () => {
  it('writes a full batch at once and the rest after flushEveryMs', async () => {
    const flushEveryMs = 150;
    const outage: Outage = { before: 0, after: 0, calls: 0, batches: [] };
    const writer = createBatchWriter({ store: flaky(outage), log, metrics, batchSize: 5, flushEveryMs });
    const appendedAt = performance.now();
    for (let i = 0; i < 7; i++) writer.append(check());
    // The fifth append starts the write of a full batch before append returns.
    expect(outage.batches).toEqual([{ size: 5, at: expect.any(Number) }]);
    expect(await eventually(async () => (await storedChecks(t.store, t.ownerId, monitor.id)).length === 7, 10_000)).toBe(true);
    // The other two waited for the timer: one more write, not before flushEveryMs.
    expect(outage.batches?.map((b) => b.size)).toEqual([5, 2]);
    expect(outage.batches![1]!.at - appendedAt).toBeGreaterThanOrEqual(flushEveryMs - 1);
    expect(writer.depth()).toBe(0);
    await writer.stop();
  });

  it('retries after the store fails and stores every check exactly once', async () => {
    const outage = { before: 3, after: 2, calls: 0 };
    const writer = createBatchWriter({ store: flaky(outage), log, metrics, batchSize: 4, flushEveryMs: 20, ...fast });
    const sent = Array.from({ length: 10 }, () => check());
    for (const c of sent) writer.append(c);
    await writer.flush();
    const stored = await storedChecks(t.store, t.ownerId, monitor.id);
    expect(stored.map((c) => c.id).sort()).toEqual(sent.map((c) => c.id).sort());
    expect(outage.calls).toBeGreaterThan(3 + 2);
    const text = await metrics.prometheusText();
    expect(text).toMatch(/uptime_checks_written_total\{result="ok"\} 1\d/);
    expect(text).toMatch(/uptime_checks_written_total\{result="error"\} \d+/);
    await writer.stop();
  });

  it('reports no room while the store is down and the queue is full, and room again after', async () => {
    const outage = { before: 1_000_000, after: 0, calls: 0 };
    const writer = createBatchWriter({ store: flaky(outage), log, metrics, batchSize: 2, capacity: 6, flushEveryMs: 10, ...fast });
    for (let i = 0; i < 6; i++) writer.append(check());
    expect(writer.hasRoom()).toBe(false);
    expect(writer.hasRoom(0)).toBe(false);
    // Several attempts failed, and the queue is still whole.
    expect(await eventually(() => outage.calls >= 3, 10_000)).toBe(true);
    expect(writer.depth()).toBe(6);
    expect(writer.hasRoom()).toBe(false);
    outage.before = 0;
    await writer.flush();
    expect(writer.hasRoom(5)).toBe(true);
    expect((await storedChecks(t.store, t.ownerId, monitor.id)).length).toBe(6);
    await writer.stop();
  });

  it('flushes what is queued on stop', async () => {
    const outage = { before: 2, after: 0, calls: 0 };
    const writer = createBatchWriter({ store: flaky(outage), log, metrics, batchSize: 100, flushEveryMs: 60_000, ...fast });
    for (let i = 0; i < 3; i++) writer.append(check());
    await writer.stop();
    expect((await storedChecks(t.store, t.ownerId, monitor.id)).length).toBe(3);
  });
});
