// Benchmark of the collector's spool (collector/spool.ts) against the SQLite store it protects,
// in the same run: the baseline is appendChecks straight into a fresh store, the collector's
// normal path. Then:
//   - spooling: checks/s through spool.append, with the fdatasync per record the spool does and
//     without it (what power-cut durability costs), and bytes on disk per spooled check;
//   - replaying: checks/s from the spool into a fresh store (read, verify, inflate, appendChecks, ack);
//   - draining an outage: the real writer, its store down while an outage's worth of checks
//     (BENCH_MONITORS at 20 s for BENCH_OUTAGE_S: 60,000 by default) is spooled; then the store
//     comes back while new probes keep arriving at the fleet's rate (they queue behind the spool,
//     as they must for probe order), and the time until the spool is empty is measured.
//
//   npm run bench:spool
//
// Environment: BENCH_MONITORS (20000), BENCH_OUTAGE_S (60), BENCH_BATCH checks per record and per
// direct write (1000: what the writer gathers in its 1 s flush at 1,000 probes/s), BENCH_ROUNDS (3,
// medians reported).

import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openSpool, type Spool } from '../collector/spool.ts';
import { spoolKey } from '../collector/spool-owner.ts';
import { createBatchWriter } from '../collector/writer.ts';
import type { Store } from '../store/contract.ts';
import { openSqliteStore, SQLITE_FILE_NAME } from '../store/sqlite/open.ts';
import { makeCheck, monitorInput } from '../store/testing/fixtures.ts';
import type { Check, Monitor } from '../store/types.ts';
import { createMetrics } from '../telemetry/metrics.ts';
import { wholeNumber } from './knobs.ts';

const MONITORS = wholeNumber('BENCH_MONITORS', 20_000);
const OUTAGE_S = wholeNumber('BENCH_OUTAGE_S', 60);
const BATCH = wholeNumber('BENCH_BATCH', 1_000);
const ROUNDS = wholeNumber('BENCH_ROUNDS', 3);
const INTERVAL_S = 20;
const RATE = MONITORS / INTERVAL_S; // probes per second
const log = pino({ level: 'silent' });
const root = mkdtempSync(join(tmpdir(), 'bench-spool-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// One store file with the fleet, copied for each measurement: SQLite skips checks of monitors it
// does not have, and a fresh store per run keeps runs alike.
console.log(`creating ${fmt(MONITORS)} monitors…`);
const template = join(root, 'template');
const monitors: Monitor[] = [];
{
  const store = await openSqliteStore({ dataDir: template });
  const owner = await store.createUser({ email: 'bench@example.test', password_hash: 'x' });
  for (let i = 0; i < MONITORS; i++) {
    monitors.push(await store.createMonitor(owner.id, monitorInput({ name: `site ${i}`, url: `https://site${i}.example/health`, interval_seconds: INTERVAL_S })));
  }
  await store.close();
}
let copies = 0;
async function freshStore(): Promise<{ store: Store; dir: string }> {
  const dir = join(root, `store-${copies++}`);
  mkdirSync(dir);
  copyFileSync(join(template, SQLITE_FILE_NAME), join(dir, SQLITE_FILE_NAME));
  return { store: await openSqliteStore({ dataDir: dir }), dir };
}

/** Probe-like checks, time-major: every monitor once per 20 s, timings varied as real ones are. */
function probes(count: number, start: number): Check[] {
  return Array.from({ length: count }, (_, i) => {
    const monitor = monitors[i % monitors.length]!;
    const at = start + Math.floor(i / monitors.length) * INTERVAL_S * 1000 + Math.floor(((i % monitors.length) / monitors.length) * INTERVAL_S * 1000);
    const jitter = () => Math.round(Math.random() * 50_000);
    return makeCheck(monitor, at, {
      observer: 'eu-west-1',
      resolved_ip: `198.51.100.${i % 250}`,
      duration_us: 60_000 + jitter(),
      dns_us: jitter() / 50,
      connect_us: jitter() / 10,
      tls_us: jitter() / 5,
      first_byte_us: 20_000 + jitter(),
      total_us: 40_000 + jitter(),
      body_bytes: 500 + (i % 2000),
    });
  });
}

const batches = (all: Check[]) => Array.from({ length: Math.ceil(all.length / BATCH) }, (_, i) => all.slice(i * BATCH, (i + 1) * BATCH));
const spoolBytesOnDisk = (dir: string) =>
  readdirSync(join(dir, 'spool'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.seg')).reduce((n, f) => n + statSync(join(dir, 'spool', f)).size, 0);

async function direct(all: Check[]): Promise<number> {
  const { store, dir } = await freshStore();
  const started = performance.now();
  for (const batch of batches(all)) await store.appendChecks(batch);
  const rate = all.length / ((performance.now() - started) / 1000);
  await store.close();
  rmSync(dir, { recursive: true });
  return rate;
}

function openBenchSpool(dir: string, sync: boolean): Spool {
  return openSpool({ dataDir: dir, key: spoolKey('bench', { index: 0, count: 1 }), maxBytes: 64 * 1024 ** 3, log, sync });
}

async function spoolAndReplay(all: Check[], sync: boolean): Promise<{ spooled: number; replayed: number; bytesPerCheck: number }> {
  const { store, dir } = await freshStore();
  const spool = openBenchSpool(dir, sync);
  let started = performance.now();
  for (const batch of batches(all)) {
    if ((await spool.append(batch)) !== 'spooled') throw new Error('spool refused a batch');
  }
  const spooled = all.length / ((performance.now() - started) / 1000);
  const bytesPerCheck = spoolBytesOnDisk(dir) / all.length;
  started = performance.now();
  let count = 0;
  for (let batch = await spool.oldest(); batch !== null; batch = await spool.oldest()) {
    await store.appendChecks(batch.checks);
    await spool.ack(batch);
    count += batch.checks.length;
  }
  const replayed = all.length / ((performance.now() - started) / 1000);
  if (count !== all.length) throw new Error(`replayed ${count} checks, expected ${all.length}`);
  await spool.close();
  await store.close();
  rmSync(dir, { recursive: true });
  return { spooled, replayed, bytesPerCheck };
}

/** The real writer: the outage spooled, then the store back while probes keep coming at RATE/s. */
async function drain(outage: Check[]): Promise<{ drainS: number; arrived: number }> {
  const { store, dir } = await freshStore();
  const spool = openBenchSpool(dir, true);
  let down = true;
  const metrics = createMetrics();
  const writer = createBatchWriter({
    store: {
      appendChecks: async (checks) => {
        if (down) throw new Error('connect ECONNREFUSED (bench outage)');
        await store.appendChecks(checks);
      },
    },
    spool,
    log,
    metrics,
    batchSize: 2_000,
    spoolReportEveryMs: 3_600_000,
  });
  for (const check of outage) writer.append(check);
  await until(() => spool.stats().checks === outage.length, 600_000);

  down = false;
  const started = performance.now();
  let arrived = 0;
  // New probes at the fleet's rate, 100 ms at a time, until the spool is empty.
  const feeder = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * RATE) - arrived;
    for (const check of probes(due, Date.now())) writer.append(check);
    arrived += due;
  }, 100);
  await until(() => spool.isEmpty(), 600_000);
  const drainS = (performance.now() - started) / 1000;
  clearInterval(feeder);
  await writer.stop();
  const expected = outage.length + arrived;
  const stored = await countChecks(store);
  if (stored !== expected) throw new Error(`${stored} checks stored after the drain, expected ${expected}`);
  await store.close();
  await metrics.shutdown();
  rmSync(dir, { recursive: true });
  return { drainS, arrived };
}

async function countChecks(store: Store): Promise<number> {
  let n = 0;
  for (let cursor: string | null = null; ; ) {
    const page = await store.readChecksAfter(cursor, 10_000);
    if (page.checks.length === 0) return n;
    n += page.checks.length;
    cursor = page.cursor;
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('bench: condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const outageChecks = Math.round(RATE * OUTAGE_S);
console.log(`${fmt(MONITORS)} monitors at ${INTERVAL_S} s (${fmt(RATE)} probes/s); a ${OUTAGE_S} s outage is ${fmt(outageChecks)} checks; records and direct writes of ${fmt(BATCH)} checks; ${ROUNDS} rounds`);
const results = { direct: [] as number[], spooled: [] as number[], spooledNoSync: [] as number[], replayed: [] as number[], bytes: [] as number[], drain: [] as number[] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    const all = probes(outageChecks, Date.UTC(2026, 5, 1) + round * 86_400_000);
    const base = await direct(all);
    const synced = await spoolAndReplay(all, true);
    const unsynced = await spoolAndReplay(all, false);
    const drained = await drain(probes(outageChecks, Date.now() - OUTAGE_S * 1000));
    results.direct.push(base);
    results.spooled.push(synced.spooled);
    results.spooledNoSync.push(unsynced.spooled);
    results.replayed.push(synced.replayed);
    results.bytes.push(synced.bytesPerCheck);
    results.drain.push(drained.drainS);
    console.log(
      `round ${round + 1}: direct ${fmt(base)}/s, spooled ${fmt(synced.spooled)}/s (no fdatasync ${fmt(unsynced.spooled)}/s), replayed ${fmt(synced.replayed)}/s, ` +
        `${synced.bytesPerCheck.toFixed(1)} B/check, drain ${drained.drainS.toFixed(1)} s (${fmt(drained.arrived)} new checks meanwhile)`,
    );
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
const base = median(results.direct);
const bytes = median(results.bytes);
// Each round's figure against the same round's baseline: a busy machine shifts whole rounds.
const ratio = (xs: number[]) => `${median(xs.map((x, i) => x / results.direct[i]!)).toFixed(2)}× direct`;
console.log(`\nmedians of ${ROUNDS} rounds (ratios: median of each round's figure / the same round's baseline)`);
console.log(`baseline: appendChecks straight into SQLite   ${fmt(base)} checks/s`);
console.log(`spooled (fdatasync per record)               ${fmt(median(results.spooled))} checks/s  ${ratio(results.spooled)}`);
console.log(`spooled (no fdatasync)                       ${fmt(median(results.spooledNoSync))} checks/s  ${ratio(results.spooledNoSync)}`);
console.log(`replayed from the spool into SQLite          ${fmt(median(results.replayed))} checks/s  ${ratio(results.replayed)}`);
const sample = probes(Math.min(outageChecks, 10_000), Date.now());
const jsonBytes = Buffer.byteLength(JSON.stringify(sample)) / sample.length;
console.log(`bytes on disk per spooled check              ${bytes.toFixed(1)} (${jsonBytes.toFixed(0)} as plain JSON)`);
console.log(`drain of a ${OUTAGE_S} s outage (${fmt(outageChecks)} checks) with ${fmt(RATE)} new checks/s arriving: ${median(results.drain).toFixed(1)} s`);
const hours = (1024 ** 3 / bytes / RATE / 3600).toFixed(1);
console.log(`SPOOL_MAX_BYTES=1GiB (the default) holds ${fmt(1024 ** 3 / bytes)} checks: ${hours} h of this fleet's probes`);
