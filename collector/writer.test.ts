// The batched writer against the real SQLite store and a real spool in the test's DATA_DIR. Store
// outages are produced at the boundary: a wrapper that fails calls before (store unreachable) or
// after (acknowledgement lost) the real write, or holds them (store hanging), so the idempotency
// that makes replay safe is the store's own. Tests wait on conditions (eventually, with generous
// bounds), never for a fixed time: a busy machine stretches every delay.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckWriter } from '../store/contract.ts';
import { newCheckId } from '../store/ids.ts';
import type { Check, Monitor } from '../store/types.ts';
import { createMetrics, type Metrics } from '../telemetry/metrics.ts';
import { openSpool, type Spool } from './spool.ts';
import { spoolKey } from './spool-owner.ts';
import { capturingLog, type LogEntry } from './testing/log.ts';
import { eventually, monitorInput, openTestStore, storedChecks, type TestStore } from './testing/store.ts';
import { createBatchWriter, type BatchWriter, type BatchWriterOptions } from './writer.ts';

let t: TestStore;
let monitors: Monitor[];
let metrics: Metrics;
let log: Logger;
let logs: LogEntry[];
const spools: Spool[] = [];
const writers: BatchWriter[] = [];

beforeEach(async () => {
  t = await openTestStore();
  monitors = [await t.store.createMonitor(t.ownerId, monitorInput()), await t.store.createMonitor(t.ownerId, monitorInput({ name: 'Blog' }))];
  metrics = createMetrics();
  ({ log, entries: logs } = capturingLog());
});
afterEach(async () => {
  await Promise.all(writers.splice(0).map((w) => w.stop()));
  await Promise.all(spools.splice(0).map((s) => s.close()));
  await metrics.shutdown();
  await t.dispose();
});

let clock = Date.now() - 3_600_000;
/** The next probe's check, of each monitor in turn, as the scheduler makes them. */
function check(): Check {
  const timestamp = clock++;
  const monitor = monitors[timestamp % monitors.length]!;
  return {
    id: newCheckId(timestamp), monitor_id: monitor.id, owner_id: t.ownerId, monitor_name: monitor.name, monitor_type: 'http', url: monitor.url,
    method: 'GET', observer: 'w', timestamp, next_at: timestamp + 1000, status: 'up', duration_us: 1000, status_code: 200,
    body_bytes: 2, resolved_ip: '127.0.0.1', dns_us: 0, connect_us: 100, tls_us: null, first_byte_us: 300, total_us: 400,
    tls_version: null, cert_not_after: null, cert_issuer: null, cert_sha256: null, error_type: null, error_message: null,
  };
}
const checks = (n: number) => Array.from({ length: n }, check);

type Outage = {
  /** Calls to fail before the real write (store unreachable); Infinity while `down`. */
  before: number;
  /** Calls whose acknowledgement is lost after the real write. */
  after: number;
  calls: number;
  /** Every batch the real store took, in the order it took them. */
  taken: Check[][];
  batches?: Array<{ size: number; at: number }>;
  /** Set: calls wait for it (a store that hangs). */
  hold?: Promise<void>;
};
const outage = (o: Partial<Outage> = {}): Outage => ({ before: 0, after: 0, calls: 0, taken: [], ...o });

/** The real store behind a link that can fail calls outright, lose acknowledgements, or hang. */
function flaky(o: Outage): CheckWriter {
  return {
    async appendChecks(batch) {
      o.calls++;
      o.batches?.push({ size: batch.length, at: performance.now() });
      if (o.hold) await o.hold;
      if (o.before > 0) {
        o.before--;
        throw new Error('connect ECONNREFUSED (store unreachable)');
      }
      await t.store.appendChecks(batch);
      o.taken.push([...batch]);
      if (o.after > 0) {
        o.after--;
        throw new Error('socket hang up (acknowledgement lost)');
      }
    },
  };
}

function spool(maxBytes = 1 << 30, key = spoolKey('w', { index: 0, count: 1 })): Spool {
  const s = openSpool({ dataDir: t.dataDir, key, maxBytes, log, segmentBytes: 16 << 10 });
  spools.push(s);
  return s;
}

function writer(o: Outage, overrides: Partial<BatchWriterOptions> = {}): BatchWriter {
  const w = createBatchWriter({ store: flaky(o), spool: overrides.spool ?? spool(), log, metrics, retryInitialMs: 10, retryMaxMs: 40, ...overrides });
  writers.push(w);
  return w;
}

const all = async () => (await Promise.all(monitors.map((m) => storedChecks(t.store, t.ownerId, m.id)))).flat();
const ids = (list: Check[]) => list.map((c) => c.id).sort();
const spoolFiles = () => readdirSync(join(t.dataDir, 'spool'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.seg'));
const spoolDiskBytes = () => spoolFiles().reduce((n, f) => n + statSync(join(t.dataDir, 'spool', f)).size, 0);

/** Per monitor, the order in which the store accepted its checks (SQLite's feed is acceptance order). */
async function acceptedOrder(): Promise<Map<string, number[]>> {
  const order = new Map<string, number[]>();
  let cursor: string | null = null;
  for (;;) {
    const page = await t.store.readChecksAfter(cursor, 1000);
    for (const c of page.checks) order.set(c.monitor_id, [...(order.get(c.monitor_id) ?? []), c.timestamp]);
    if (page.checks.length === 0) return order;
    cursor = page.cursor;
  }
}

describe('batched writer', () => {
  it('writes a full batch at once and the rest after flushEveryMs', async () => {
    const flushEveryMs = 150;
    const o = outage({ batches: [] });
    const w = writer(o, { batchSize: 5, flushEveryMs });
    const appendedAt = performance.now();
    for (const c of checks(7)) w.append(c);
    // The fifth append starts the write of a full batch before append returns.
    expect(o.batches).toEqual([{ size: 5, at: expect.any(Number) }]);
    expect(await eventually(async () => (await all()).length === 7, 10_000)).toBe(true);
    // The other two waited for the timer: one more write, not before flushEveryMs.
    expect(o.batches?.map((b) => b.size)).toEqual([5, 2]);
    expect(o.batches![1]!.at - appendedAt).toBeGreaterThanOrEqual(flushEveryMs - 1);
    expect(w.depth()).toBe(0);
  });

  it('stores every check exactly once through failures before and after the write', async () => {
    const o = outage({ before: 3, after: 2 });
    const w = writer(o, { batchSize: 4, flushEveryMs: 20 });
    const sent = checks(10);
    for (const c of sent) w.append(c);
    await w.flush();
    const stored = await all();
    expect(ids(stored)).toEqual(ids(sent));
    expect(o.calls).toBeGreaterThan(3 + 2);
    const text = await metrics.prometheusText();
    expect(text).toMatch(/uptime_checks_written_total\{result="ok"\} 1\d/);
    expect(text).toMatch(/uptime_checks_written_total\{result="error"\} \d+/);
    expect(text).toMatch(/uptime_checks_written_total\{result="spooled"\} \d+/);
  });

  it('while the store is down, moves batches to the spool and keeps room for probes; replays them in probe order when it is back', async () => {
    const o = outage({ before: Infinity });
    const w = writer(o, { batchSize: 50, flushEveryMs: 20, capacity: 100 });
    const during = checks(600); // six times the queue's capacity
    for (let i = 0; i < during.length; i += 50) {
      expect(w.hasRoom(50)).toBe(true); // probing goes on
      for (const c of during.slice(i, i + 50)) w.append(c);
      expect(await eventually(() => w.depth() === 0, 10_000)).toBe(true);
    }
    expect(await eventually(() => o.calls >= 3, 10_000)).toBe(true);
    expect(await all()).toEqual([]);
    expect(spoolFiles().length).toBeGreaterThan(0);
    expect(logs.filter((e) => e.msg === 'store unavailable: checks go to the spool until it answers again')).toHaveLength(1);

    o.before = 0; // the store answers again; probes go on meanwhile
    const after = checks(120);
    for (const c of after) w.append(c);
    await w.flush();
    const sent = [...during, ...after];
    expect(ids(await all())).toEqual(ids(sent));
    // The store took the checks in the order they were probed: the spool first, then what came after.
    expect(o.taken.flat().map((c) => c.id)).toEqual(sent.map((c) => c.id));
    for (const [, timestamps] of await acceptedOrder()) expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    expect(await eventually(() => spoolFiles().length === 0, 10_000)).toBe(true);
    expect(logs.find((e) => e.msg === 'spool replayed: the store took every spooled check')).toMatchObject({ level: 30, replayed: expect.any(Number) });
    const text = await metrics.prometheusText();
    expect(text).toMatch(/uptime_checks_written_total\{result="spooled"\} (6\d\d|7[0-2]\d)/);
    expect(text).toMatch(/uptime_spool_replayed_checks_total [1-9]\d*/);
  });

  it('drops what a full spool cannot take, says so, and never holds probing back', async () => {
    const maxBytes = 64 << 10;
    const o = outage({ before: Infinity });
    const w = writer(o, { spool: spool(maxBytes), batchSize: 100, flushEveryMs: 10, capacity: 200 });
    const sent: Check[] = [];
    for (let round = 0; round < 60 && !logs.some((e) => e.msg.startsWith('spool full')); round++) {
      expect(w.hasRoom(100)).toBe(true);
      const batch = checks(100);
      sent.push(...batch);
      for (const c of batch) w.append(c);
      expect(await eventually(() => w.depth() === 0, 10_000)).toBe(true);
    }
    const full = logs.find((e) => e.msg === 'spool full (SPOOL_MAX_BYTES): checks dropped; probing goes on');
    expect(full).toMatchObject({ level: 50, dropped: 100 });
    expect(spoolDiskBytes()).toBeLessThanOrEqual(maxBytes);
    const text = await metrics.prometheusText();
    const dropped = Number(/uptime_checks_written_total\{result="dropped"\} (\d+)/.exec(text)?.[1]);
    const spooled = Number(/uptime_checks_written_total\{result="spooled"\} (\d+)/.exec(text)?.[1]);
    expect(dropped).toBeGreaterThanOrEqual(100);
    expect(spooled + dropped).toBe(sent.length);

    o.before = 0;
    await w.flush();
    // What was spooled is stored, the oldest checks; what came when it was full is not.
    expect(ids(await all())).toEqual(ids(sent.slice(0, spooled)));
  });

  it('stops with a failing store by spooling what is queued, and the next start replays it first', async () => {
    const o = outage({ before: Infinity });
    const first = writer(o, { batchSize: 1000, flushEveryMs: 60_000, stopDeadlineMs: 500 });
    const sent = checks(30);
    for (const c of sent) first.append(c);
    await first.stop();
    writers.splice(writers.indexOf(first), 1);
    expect(logs.find((e) => e.msg === 'stopped with checks in the spool: the next start replays them')).toMatchObject({ level: 40, spool_checks: 30 });
    expect(spoolFiles().length).toBe(1);
    expect(await all()).toEqual([]);

    // A new process: the store is back, a new probe arrives at once.
    const healthy = outage();
    const second = writer(healthy, { batchSize: 1000, flushEveryMs: 20 });
    expect(logs.find((e) => e.msg === 'spool left by an earlier run: replaying it before new checks')).toMatchObject({ spool_checks: 30 });
    const next = checks(1);
    second.append(next[0]!);
    await second.flush();
    expect(await eventually(async () => (await all()).length === 31, 10_000)).toBe(true);
    expect(healthy.taken.flat().map((c) => c.id)).toEqual([...sent, ...next].map((c) => c.id));
    expect(await eventually(() => spoolFiles().length === 0, 10_000)).toBe(true);
  });

  it('stops with a store that hangs: the batch in flight and the queue are spooled at the deadline', async () => {
    let release!: () => void;
    const o = outage({ hold: new Promise<void>((r) => (release = r)) });
    const first = writer(o, { batchSize: 10, flushEveryMs: 10, stopDeadlineMs: 300 });
    const sent = checks(25);
    for (const c of sent) first.append(c);
    expect(await eventually(() => o.calls === 1, 10_000)).toBe(true);
    expect(first.hasRoom()).toBe(true);
    await first.stop();
    writers.splice(writers.indexOf(first), 1);
    expect(logs.find((e) => e.msg === 'stopping: checks the store did not take in time are spooled for the next start')).toMatchObject({ spooled: 25 });
    release(); // the hung write lands after all: stored twice over would be the bug
    await new Promise((r) => setImmediate(r));

    const second = writer(outage(), { flushEveryMs: 10 });
    await second.flush();
    expect(await eventually(async () => (await all()).length === 25 && spoolFiles().length === 0, 10_000)).toBe(true);
    expect(ids(await all())).toEqual(ids(sent));
  });

  it('spools what a store that stops answering holds past writeTimeoutMs, and keeps room for probes', async () => {
    let release!: () => void;
    const o = outage({ hold: new Promise<void>((r) => (release = r)) });
    const w = writer(o, { batchSize: 10, capacity: 30, flushEveryMs: 10, writeTimeoutMs: 300 });
    const sent = checks(100);
    for (let i = 0; i < sent.length; i += 10) {
      expect(await eventually(() => w.hasRoom(10), 10_000)).toBe(true);
      for (const c of sent.slice(i, i + 10)) w.append(c);
    }
    expect(await eventually(() => w.depth() === 0, 10_000)).toBe(true);
    expect(logs.filter((e) => e.msg === 'store not answering: checks go to the spool until it answers again')).toHaveLength(1);
    expect(spoolFiles().length).toBeGreaterThan(0);
    o.before = 1; // the write that timed out fails in the end: already told, not told again
    o.hold = undefined;
    release(); // the writes in flight land, late; the spool replays the same checks again
    await w.flush();
    expect(ids(await all())).toEqual(ids(sent));
    expect(logs.filter((e) => e.level >= 40).map((e) => e.msg)).toEqual(['store not answering: checks go to the spool until it answers again']);
  });

  it('reports no room while the store hangs and the queue is full, and room again after', async () => {
    let release!: () => void;
    const o = outage({ hold: new Promise<void>((r) => (release = r)) });
    const w = writer(o, { batchSize: 2, capacity: 6, flushEveryMs: 10 });
    for (const c of checks(6)) w.append(c);
    expect(w.hasRoom()).toBe(false);
    expect(await eventually(() => o.calls === 1, 10_000)).toBe(true);
    expect(w.depth()).toBe(6);
    expect(w.hasRoom()).toBe(false);
    o.hold = undefined;
    release();
    await w.flush();
    expect(w.hasRoom(5)).toBe(true);
    expect((await all()).length).toBe(6);
  });

  it('flushes what is queued on stop', async () => {
    const o = outage({ before: 2 });
    const w = writer(o, { batchSize: 100, flushEveryMs: 60_000 });
    for (const c of checks(3)) w.append(c);
    await w.stop();
    // Failed twice, so spooled, and replayed before the deadline.
    expect((await all()).length).toBe(3);
    expect(spoolFiles()).toEqual([]);
  });
});
