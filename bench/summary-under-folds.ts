// Benchmark of the SQLite summary while checks pour in and are folded, as in bench/probe-capacity
// at 50,000 monitors: OWNERS owners of PER_OWNER monitors each, every monitor checked every
// INTERVAL seconds, so that each simulated second appends monitors / INTERVAL checks (2,500 by
// default) through one store, which folds by rows only (FOLD_ROWS, in chunks of FOLD_LIMIT: the
// fold moves several times every ~20 s). After each second a second connection (the API's)
// asks the summary of a random owner, as the capacity run's API reader does about once a second.
//
// Printed: the p50/p95 of those calls (wall and CPU), split into an owner's first call and its
// later ones, their CPU by phase (store/sqlite/summary.ts), and as the baseline of the same run
// the same call repeated at once (nothing new to read: the floor).
//
//   node bench/summary-under-folds.ts
//   BENCH_OWNERS=4 BENCH_SECONDS=30 node bench/summary-under-folds.ts
//
// Environment: BENCH_OWNERS (20), BENCH_PER_OWNER (2500), BENCH_INTERVAL_SECONDS (20),
// BENCH_WARMUP_SECONDS (60: appended before the first timed call), BENCH_SECONDS (60: timed
// calls), BENCH_DIR (a fresh temp dir, removed afterwards unless given).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../store/sqlite/db.ts';
import { foldedSeq } from '../store/sqlite/fold.ts';
import { SQLITE_FILE_NAME, openSqliteStore } from '../store/sqlite/open.ts';
import { createSummaryReader } from '../store/sqlite/summary.ts';
import { makeCheck, monitorInput } from '../store/testing/fixtures.ts';
import type { Check, Monitor } from '../store/types.ts';
import { wholeNumber } from './knobs.ts';

const OWNERS = wholeNumber('BENCH_OWNERS', 20);
const PER_OWNER = wholeNumber('BENCH_PER_OWNER', 2500);
const INTERVAL = wholeNumber('BENCH_INTERVAL_SECONDS', 20);
const WARMUP = wholeNumber('BENCH_WARMUP_SECONDS', 60);
const SECONDS = wholeNumber('BENCH_SECONDS', 60);
const givenDir = process.env.BENCH_DIR;
const dataDir = givenDir ?? mkdtempSync(join(tmpdir(), 'bench-summary-'));

// A quarter past noon UTC: the run stays inside one hour, as most calls do.
const start = Date.UTC(2026, 5, 15, 12, 15);

let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

const store = await openSqliteStore({ dataDir, foldEveryMs: Infinity });
const owners: string[] = [];
const monitors: Monitor[] = [];
const createBegan = performance.now();
for (let o = 0; o < OWNERS; o += 1) {
  const owner = await store.createUser({ email: `owner-${o}@example.com`, password_hash: 'x' });
  owners.push(owner.id);
  const inputs = Array.from({ length: PER_OWNER }, (_, k) => monitorInput({ name: `Site ${o}-${k}`, url: `https://site-${o}-${k}.example.com/`, interval_seconds: INTERVAL }));
  monitors.push(...(await store.createMonitors(owner.id, inputs)));
}
console.log(`owners: ${OWNERS}, monitors: ${monitors.length} (created in ${((performance.now() - createBegan) / 1000).toFixed(1)} s), checks per second: ${Math.round(monitors.length / INTERVAL)}`);

/** The checks of simulated second `s`: each monitor once every INTERVAL seconds, spread over them. */
function checksOf(s: number): Check[] {
  const checks: Check[] = [];
  for (let i = s % INTERVAL; i < monitors.length; i += INTERVAL) {
    const down = random() < 0.01;
    checks.push(makeCheck(monitors[i]!, start + s * 1000 + (i % 1000), { status: down ? 'down' : 'up', total_us: down ? null : Math.round(20_000 + random() * 200_000) }));
  }
  return checks;
}

const ingestBegan = performance.now();
for (let s = 0; s < WARMUP; s += 1) await store.appendChecks(checksOf(s));
console.log(`warm-up: ${WARMUP} s of checks appended in ${((performance.now() - ingestBegan) / 1000).toFixed(1)} s`);

const readerDb = openDb(join(dataDir, SQLITE_FILE_NAME), Date.now);
let phases = new Map<string, number>();
const summary = createSummaryReader(readerDb, (phase, ms) => phases.set(phase, (phases.get(phase) ?? 0) + ms));
const calls: Array<{ ms: number; cpuMs: number; phases: Map<string, number>; foldMoved: boolean; first: boolean }> = [];
const asked = new Set<string>();
const floor: number[] = [];
let lastFolded = foldedSeq(readerDb);
for (let s = WARMUP; s < WARMUP + SECONDS; s += 1) {
  await store.appendChecks(checksOf(s));
  const owner = owners[Math.floor(random() * OWNERS)]!;
  const now = start + (s + 1) * 1000;
  phases = new Map();
  const began = performance.now();
  const cpuBegan = process.cpuUsage();
  const result = summary(owner, now);
  const cpu = process.cpuUsage(cpuBegan);
  const ms = performance.now() - began;
  if (result.length !== PER_OWNER) throw new Error(`summary listed ${result.length} monitors, expected ${PER_OWNER}`);
  const folded = foldedSeq(readerDb);
  calls.push({ ms, cpuMs: (cpu.user + cpu.system) / 1000, phases, foldMoved: folded !== lastFolded, first: !asked.has(owner) });
  asked.add(owner);
  lastFolded = folded;
  phases = new Map();
  const again = performance.now();
  summary(owner, now);
  floor.push(performance.now() - again);
}
readerDb.conn.close();
await store.close();
if (!givenDir) rmSync(dataDir, { recursive: true, force: true });

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)] ?? NaN;
};
const floorP50 = percentile(floor, 0.5);
const line = (label: string, values: number[]) =>
  console.log(
    `${label.padEnd(36)} p50 ${percentile(values, 0.5).toFixed(1).padStart(6)} ms  p95 ${percentile(values, 0.95).toFixed(1).padStart(6)} ms  p50/floor ${(percentile(values, 0.5) / floorP50).toFixed(2)}`,
  );
const first = calls.filter((c) => c.first);
const later = calls.filter((c) => !c.first);
console.log(`timed calls: ${calls.length} (${first.length} an owner's first), after a fold moved: ${calls.filter((c) => c.foldMoved).length}`);
console.log(`the reader's very first call: ${calls[0]!.ms.toFixed(1)} ms wall, ${calls[0]!.cpuMs.toFixed(1)} ms CPU`);
line('wall: every call after 1 s of checks', calls.map((c) => c.ms));
line('wall: floor (same call again at once)', floor);
line('CPU: every call', calls.map((c) => c.cpuMs));
line('CPU: an owner\'s first call', first.map((c) => c.cpuMs));
line('CPU: its later calls', later.map((c) => c.cpuMs));
line('CPU: later calls after a fold moved', later.filter((c) => c.foldMoved).map((c) => c.cpuMs));
// Medians: a garbage collection (the appends make plenty) lands in one phase or another.
console.log('CPU by phase, p50 ms (first calls | later calls):');
const median = (list: typeof calls, phase: string) => percentile(list.map((c) => c.phases.get(phase) ?? 0), 0.5);
for (const phase of calls[0]!.phases.keys()) {
  console.log(`  ${phase.padEnd(14)} ${median(first, phase).toFixed(1).padStart(7)} | ${median(later, phase).toFixed(1).padStart(7)}`);
}
