// Benchmark of a store's read paths at scale: ingest N monitors × D days of 5-minute checks
// through appendChecks (time-major batches, as collectors write them), then time `summary` for
// the owner of every monitor and one monitor's 90-day daily history in Europe/Paris, and report
// bytes on disk per stored check. SQLite by default; the search engine with
// BENCH_STORE=elasticsearch and ES_URL (same data, same queries, so the two runs compare).
//
//   node bench/history-query.ts                       # 1,000 monitors × 30 days (8.64M checks)
//   BENCH_MONITORS=100 BENCH_DAYS=7 node bench/history-query.ts
//   BENCH_STORE=elasticsearch ES_URL=http://127.0.0.1:9200 node bench/history-query.ts
//
// Environment: BENCH_MONITORS (1000), BENCH_DAYS (30), BENCH_INTERVAL_SECONDS (300),
// BENCH_BATCH (checks per appendChecks, 10000), BENCH_RUNS (50), BENCH_DIR (a fresh temp dir,
// removed afterwards unless given), BENCH_STORE (sqlite | elasticsearch), BENCH_NAMESPACE (a
// fresh one, dropped afterwards unless given: then an existing namespace's data is reused and
// nothing is ingested).

import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Client } from '@elastic/elasticsearch';
import type { Store } from '../store/contract.ts';
import { SQLITE_FILE_NAME, openSqliteStore } from '../store/sqlite/open.ts';
import { openElasticsearchStore } from '../elastic/store/open.ts';
import { dropNamespace, freshNamespace, refreshNamespace } from '../elastic/store/testing.ts';
import { makeCheck, monitorInput } from '../store/testing/fixtures.ts';
import type { Check, Monitor } from '../store/types.ts';
import { wholeNumber } from './knobs.ts';

const MONITORS = wholeNumber('BENCH_MONITORS', 1000);
const DAYS = wholeNumber('BENCH_DAYS', 30);
const INTERVAL_MS = wholeNumber('BENCH_INTERVAL_SECONDS', 300) * 1000;
const BATCH = wholeNumber('BENCH_BATCH', 10_000);
const RUNS = wholeNumber('BENCH_RUNS', 50);
const givenDir = process.env.BENCH_DIR;
const dataDir = givenDir ?? mkdtempSync(join(tmpdir(), 'bench-history-'));

const DAY_MS = 86_400_000;
// Half past noon: today has a partial day row and each window starts inside a day, as most of the time.
const end = Math.floor((Date.UTC(2026, 5, 15) + 12.5 * 3_600_000) / INTERVAL_MS) * INTERVAL_MS;
const start = end - DAYS * DAY_MS;

// A deterministic pseudo-random source, so that runs are comparable.
let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

function probe(monitor: Monitor, index: number, timestamp: number): Check {
  const down = random() < 0.005;
  const total = Math.round(40_000 + random() * 400_000 + (index % 7) * 10_000);
  return makeCheck(monitor, timestamp, {
    observer: 'bench-eu-1',
    next_at: timestamp + INTERVAL_MS,
    status: down ? 'down' : 'up',
    duration_us: down ? 10_000_000 : total + 2_000,
    status_code: down ? null : 200,
    body_bytes: down ? null : 2_000 + (index % 50) * 1_000,
    resolved_ip: `198.51.100.${index % 250}`,
    dns_us: Math.round(500 + random() * 3_000),
    connect_us: Math.round(5_000 + random() * 30_000),
    tls_us: Math.round(10_000 + random() * 40_000),
    first_byte_us: down ? null : Math.round(total * 0.7),
    total_us: down ? null : total,
    cert_not_after: Date.UTC(2026, 11, 1 + (index % 28)),
    cert_issuer: "Let's Encrypt R11",
    cert_sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    error_type: down ? 'timeout' : null,
    error_message: down ? 'no response within 10000 ms' : null,
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)] ?? NaN;
}

async function time(runs: number, work: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const took: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const began = performance.now();
    await work();
    took.push(performance.now() - began);
  }
  took.sort((a, b) => a - b);
  return { p50: percentile(took, 0.5), p95: percentile(took, 0.95) };
}

const STORE = process.env.BENCH_STORE ?? 'sqlite';
if (STORE !== 'sqlite' && STORE !== 'elasticsearch') throw new Error(`invalid BENCH_STORE=${STORE}: expected sqlite or elasticsearch`);
const esUrl = process.env.ES_URL;
if (STORE === 'elasticsearch' && !esUrl) throw new Error('BENCH_STORE=elasticsearch needs ES_URL (npm run es:start)');
const givenNamespace = process.env.BENCH_NAMESPACE;
const namespace = givenNamespace ?? freshNamespace();
const client = STORE === 'elasticsearch' ? new Client({ node: esUrl as string, requestTimeout: 120_000 }) : null;
const store: Store = client
  ? await openElasticsearchStore({ client, namespace, retentionDays: 400, ownsClient: false })
  : await openSqliteStore({ dataDir });
const reuse = client !== null && givenNamespace !== undefined && (await store.getUserByEmail('bench@example.com')) !== null;
const owner = (await store.getUserByEmail('bench@example.com')) ?? (await store.createUser({ email: 'bench@example.com', password_hash: 'x' }));
const monitors: Monitor[] = reuse ? await store.listMonitors(owner.id) : [];
// Created 100 at a time: on the search engine each create waits for a refresh (read-your-writes),
// so one at a time would take a refresh interval each.
for (let first = 0; first < MONITORS && !reuse; first += 100) {
  const created = await Promise.all(
    Array.from({ length: Math.min(100, MONITORS - first) }, (_, k) =>
      store.createMonitor(
        owner.id,
        monitorInput({ name: `Site ${first + k}`, url: `https://site-${first + k}.example.com/health`, interval_seconds: INTERVAL_MS / 1000, timezone: 'Europe/Paris' }),
      ),
    ),
  );
  monitors.push(...created);
}

console.log(`store: ${STORE}${client ? ` (namespace ${namespace})` : ''}, monitors: ${MONITORS}, days: ${DAYS}, interval: ${INTERVAL_MS / 1000} s, batch: ${BATCH}`);
let stored = 0;
let batch: Check[] = [];
const ingestBegan = performance.now();
for (let at = start; at < end && !reuse; at += INTERVAL_MS) {
  for (let i = 0; i < MONITORS; i += 1) {
    batch.push(probe(monitors[i]!, i, at + (i % 60) * 1000));
    if (batch.length === BATCH) {
      await store.appendChecks(batch);
      stored += batch.length;
      batch = [];
    }
  }
}
if (batch.length > 0) {
  await store.appendChecks(batch);
  stored += batch.length;
}
const ingestSeconds = (performance.now() - ingestBegan) / 1000;
if (client) await refreshNamespace(client, namespace);
if (!reuse) {
  console.log(`ingested checks: ${stored}`);
  console.log(`ingest seconds: ${ingestSeconds.toFixed(1)}`);
  console.log(`ingest rate checks/s: ${Math.round(stored / ingestSeconds)}`);
}

const now = end;
// The SQLite reader keeps closed rollup totals and the tail per owner (store/sqlite/summary.ts):
// the first call computes them, later ones read today's rows and the new checks only.
const firstBegan = performance.now();
await store.summary(owner.id, now);
console.log(`summary of ${MONITORS} monitors, first call ms: ${(performance.now() - firstBegan).toFixed(1)}`);
const summaryTimes = await time(RUNS, () => store.summary(owner.id, now));
console.log(`summary of ${MONITORS} monitors p50 ms: ${summaryTimes.p50.toFixed(1)}`);
console.log(`summary of ${MONITORS} monitors p95 ms: ${summaryTimes.p95.toFixed(1)}`);
const one = monitors[Math.floor(MONITORS / 2)]!;
const historyQuery = { from: now - 90 * DAY_MS, to: now, bucket: 'day', tz: 'Europe/Paris' } as const;
const historyTimes = await time(RUNS, () => store.history(owner.id, one.id, historyQuery));
console.log(`history 90 days daily Europe/Paris p50 ms: ${historyTimes.p50.toFixed(2)}`);
console.log(`history 90 days daily Europe/Paris p95 ms: ${historyTimes.p95.toFixed(2)}`);
const hourTimes = await time(RUNS, () => store.history(owner.id, one.id, { from: now - 7 * DAY_MS, to: now, bucket: 'hour', tz: 'Asia/Kolkata' }));
console.log(`history 7 days hourly Asia/Kolkata (raw path) p95 ms: ${hourTimes.p95.toFixed(2)}`);
await store.close();

if (client) {
  await client.indices.forcemerge({ index: `uptime-checks-${namespace}`, max_num_segments: 1 }, { requestTimeout: 600_000 }).catch(() => undefined);
  const stats = await client.indices.stats({ index: `uptime-checks-${namespace}`, metric: ['store', 'docs'] });
  const bytes = stats._all.primaries?.store?.size_in_bytes ?? 0;
  const docs = stats._all.primaries?.docs?.count ?? 0;
  console.log(`checks stored: ${docs}, index bytes (primaries, after force merge): ${bytes}`);
  console.log(`bytes per stored check: ${(bytes / Math.max(docs, 1)).toFixed(1)}`);
  if (!givenNamespace) await dropNamespace(client, namespace);
  await client.close();
  if (!givenDir) rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}

const file = join(dataDir, SQLITE_FILE_NAME);
const raw = new DatabaseSync(file);
raw.exec('PRAGMA wal_checkpoint(TRUNCATE)');
const pages = raw.prepare('PRAGMA page_count').get();
const free = raw.prepare('PRAGMA freelist_count').get();
raw.close();
const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);
const bytes = size(file) + size(`${file}-wal`);
console.log(`file bytes (incl. WAL after checkpoint): ${bytes}`);
console.log(`pages: ${String(pages?.page_count)}, free pages: ${String(free?.freelist_count)}`);
console.log(`bytes per stored check: ${(bytes / stored).toFixed(1)}`);
if (!givenDir) rmSync(dataDir, { recursive: true, force: true });
