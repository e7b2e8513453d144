// Probe capacity benchmark: can the product, every role in one `npm start`, keep N monitors on
// their interval while its API stays quick?
//
//   node bench/probe-capacity.ts                       20,000 monitors at 20 s, half http half https
//   BENCH_STEPS=5000,10000,20000,30000 node bench/probe-capacity.ts    step mode: one run per size
//
// Knobs (env): BENCH_MONITORS (20000), BENCH_INTERVAL_SECONDS (20), BENCH_WARMUP_SECONDS
// (interval + 10), BENCH_MEASURE_SECONDS (80), BENCH_HTTPS_SHARE (0.5), BENCH_STEPS,
// BENCH_MONITORS_PER_OWNER (2500: the fleet is spread over owners, since /api/summary lists every
// monitor of its owner; sign-ups are rate limited, 20 at once then one per 6 s), BENCH_API_PAUSE_MS (100: pause
// between the API reader's requests), BENCH_SHARDS (1: shard 0 runs every role, the others
// `--role collector`, with COLLECTOR_SHARD=i/n), BENCH_PRODUCT (main: `node main.ts`, every role;
// host: bench/collector-host.ts, the collector wiring alone, with monitors created in the store),
// BENCH_NODE_ARGS (flags for the product's node instead of `npm start`'s, e.g. "--cpu-prof
// --cpu-prof-dir=/tmp/prof" to find hot spots), BENCH_ENV (extra product variables, e.g.
// "PROBE_THREADS=2").
//
// Targets run in their own process (bench/targets.ts) on 127.0.0.1 and record each request's
// arrival; the product runs with its own DATA_DIR, trusting the bench CA through
// NODE_EXTRA_CA_CERTS. Monitors are created through POST /api/monitors/bulk of the running
// product (timed: the issue's target is 50,000 in ≤ 60 s). While the probes run, one reader calls
// GET /api/monitors/{id} and GET /api/summary of random owners in turn, and their latency
// percentiles are reported. Figures are taken over the measure window only (after warm-up):
//   on-time ratio   requests that reached a target within 1 s of their slot / slots in the window
//   lateness        arrival at the target − the monitor's slot (offset + k·interval), from outside
//   stored          checks with a timestamp in the window found in the SQLite file afterwards
//   CPU per probe   product's utime+stime, every role and thread, all shards (/proc/<pid>/stat) /
//                   requests seen
//   disk per probe  product's write_bytes (/proc/<pid>/io) / requests seen
//   RSS             the products' summed VmRSS (threads share their process's), maximum over the run
//   API latency     p50/p95/max of each endpoint, from the bench's side of the socket
// Everything is bounded: each run stops by itself, children are stopped by their pid.

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { onceMessage, stopChild } from './children.ts';
import { offsetMs } from '../collector/shard.ts';
import { typeDefaults } from '../store/monitor-types.ts';
import { createTestPki } from '../collector/testing/certs.ts';
import { openSqliteStore } from '../store/sqlite/open.ts';
import { percentile, sampleProcess } from './proc-stats.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const env = process.env;
const num = (name: string, fallback: number, min = Number.MIN_VALUE, max = Infinity) => {
  const value = env[name] === undefined || env[name] === '' ? fallback : Number(env[name]);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`invalid ${name}=${JSON.stringify(env[name])}: expected a number from ${min === Number.MIN_VALUE ? 'above 0' : min} to ${max}`);
  }
  return value;
};
/** POST /api/monitors/bulk takes at most this many monitors a request. */
const BULK_PER_REQUEST = 1000;
const intervalS = num('BENCH_INTERVAL_SECONDS', 20);
const knobs = {
  intervalMs: intervalS * 1000,
  warmupS: num('BENCH_WARMUP_SECONDS', intervalS + 10),
  measureS: num('BENCH_MEASURE_SECONDS', 80),
  httpsShare: num('BENCH_HTTPS_SHARE', 0.5, 0, 1),
  nodeArgs: (env['BENCH_NODE_ARGS'] ?? startFlags()).split(' ').filter(Boolean),
  productEnv: Object.fromEntries((env['BENCH_ENV'] ?? '').split(' ').filter(Boolean).map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`invalid BENCH_ENV entry ${JSON.stringify(pair)}: expected NAME=value`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  })),
  perOwner: Math.round(num('BENCH_MONITORS_PER_OWNER', 2500, 1)),
  apiPauseMs: num('BENCH_API_PAUSE_MS', 100, 0),
  shards: Math.round(num('BENCH_SHARDS', 1)),
  sizes: env['BENCH_STEPS'] ? env['BENCH_STEPS'].split(',').map(Number) : [num('BENCH_MONITORS', 20_000)],
};

/** The node flags of `npm start` (package.json), so that the bench runs the product as users do. */
function startFlags(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(' ').filter((word) => word.startsWith('--')).join(' ');
}

type Samples = { indexes: number[]; times: number[]; total: number };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type ApiLatencies = { monitor: number[]; summary: number[]; errors: number };

/** A free TCP port on 127.0.0.1 (the product is told it through PORT). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function waitForApi(base: string, products: ChildProcess[], logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const dead = products.find((p) => p.exitCode !== null);
    if (dead) throw new Error(`product exited (${dead.exitCode}); log:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    const ok = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`the product's API did not answer in 60 s; log:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
}

type BenchUser = { token: string; get(path: string): Promise<{ status: number }> };

/** Signs up and logs in through the API; requests carry the token and wait up to 60 s. */
async function benchUser(base: string, email: string): Promise<BenchUser> {
  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(60_000),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
  };
  const password = 'a long enough password';
  const signup = await call('POST', '/auth/signup', undefined, { email, password });
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${JSON.stringify(signup.body)}`);
  const login = await call('POST', '/auth/token', undefined, { email, password });
  if (login.status !== 200) throw new Error(`token failed: ${login.status} ${JSON.stringify(login.body)}`);
  const token = String(login.body?.['access_token']);
  return { token, get: (path) => call('GET', path, token) };
}

/** Owners signed up first (scrypt, rate limited), then their monitors created in bulk: timed. */
async function createFleet(base: string, size: number, ports: { http: number; https: number }) {
  const owners: BenchUser[] = [];
  for (let i = 0; i * knobs.perOwner < size; i++) {
    for (let attempt = 1; ; attempt++) {
      try {
        owners.push(await benchUser(base, `bench-${i}@example.com`));
        break;
      } catch (error) {
        // The sign-up limiter answers 429 past its burst; it refills one every 6 s.
        if (attempt >= 10 || !String(error).includes('429')) throw error;
        await sleep(6_500);
      }
    }
  }
  const ids: string[] = [];
  const ownerOf: number[] = [];
  const started = performance.now();
  for (let o = 0; o < owners.length; o++) {
    const end = Math.min(size, (o + 1) * knobs.perOwner);
    for (let first = o * knobs.perOwner; first < end; first += BULK_PER_REQUEST) {
      const lot = Array.from({ length: Math.min(BULK_PER_REQUEST, end - first) }, (_, j) => {
        const i = first + j;
        const https = i < size * knobs.httpsShare;
        const url = https ? `https://127.0.0.1:${ports.https}/m/${i}` : `http://127.0.0.1:${ports.http}/m/${i}`;
        return { name: `bench ${i}`, url, method: 'GET', interval_seconds: knobs.intervalMs / 1000, timeout_ms: 5000, expect_status: '200-399' };
      });
      // Not the test client's 10 s bound: a slow request is a figure here, not a failure.
      const res = await fetch(`${base}/api/monitors/bulk`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owners[o]!.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ monitors: lot }),
        signal: AbortSignal.timeout(120_000),
      });
      const body = (await res.json()) as { items: Array<{ id: string }> };
      if (res.status !== 201) throw new Error(`bulk create failed: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
      for (const m of body.items) {
        ids.push(m.id);
        ownerOf.push(o);
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { owners, ids, ownerOf, seconds };
}

/** One reader, in turn: a random monitor's GET /api/monitors/{id}, then a random owner's summary. */
function readApiWhile(fleet: Awaited<ReturnType<typeof createFleet>>, running: () => boolean): { done: Promise<void>; latencies: ApiLatencies } {
  const latencies: ApiLatencies = { monitor: [], summary: [], errors: 0 };
  const timed = async (into: number[], call: () => Promise<{ status: number }>) => {
    const started = performance.now();
    const res = await call().catch(() => ({ status: 0 }));
    if (res.status === 200) into.push(performance.now() - started);
    else latencies.errors++;
  };
  const done = (async () => {
    while (running()) {
      const k = Math.floor(Math.random() * fleet.ids.length);
      const owner = fleet.owners[fleet.ownerOf[k]!]!;
      await timed(latencies.monitor, () => owner.get(`/api/monitors/${fleet.ids[k]}`));
      await sleep(knobs.apiPauseMs);
      const other = fleet.owners[Math.floor(Math.random() * fleet.owners.length)]!;
      await timed(latencies.summary, () => other.get('/api/summary'));
      await sleep(knobs.apiPauseMs);
    }
  })();
  return { done, latencies };
}

async function runOnce(size: number, work: string, ports: { http: number; https: number }, caFile: string, targets: ChildProcess) {
  const dataDir = mkdtempSync(join(work, `data-${size}-`));
  const host = env['BENCH_PRODUCT'] === 'host';
  let hostIds: string[] = [];
  if (host) hostIds = await createInStore(dataDir, size, ports);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;

  // One product per shard (COLLECTOR_SHARD=i/n), all on the same store; figures are summed.
  const logFile = join(work, `product-${size}.log`);
  const products = Array.from({ length: knobs.shards }, (_, i) =>
    spawn(process.execPath, [...knobs.nodeArgs, ...(host ? ['bench/collector-host.ts'] : i === 0 ? ['main.ts'] : ['main.ts', '--role', 'collector'])], {
      cwd: ROOT,
      env: {
        ...env, ...knobs.productEnv, DATA_DIR: dataDir, ALLOW_PRIVATE_TARGETS: 'true', NODE_EXTRA_CA_CERTS: caFile, LOG_LEVEL: 'warn',
        OBSERVER_NAME: `bench-${i}`, COLLECTOR_SHARD: `${i}/${knobs.shards}`, PORT: String(port), JWT_SECRET: 'bench-probe-capacity-secret-'.repeat(2),
      },
      stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')],
    }),
  );
  const sampleAll = () => {
    const samples = products.map((p) => sampleProcess(p.pid!));
    return {
      cpuSeconds: samples.reduce((sum, x) => sum + x.cpuSeconds, 0),
      systemSeconds: samples.reduce((sum, x) => sum + x.systemSeconds, 0),
      writeBytes: samples.reduce((sum, x) => sum + x.writeBytes, 0),
      rssBytes: samples.reduce((sum, x) => sum + x.rssBytes, 0),
    };
  };
  let rssMax = 0;
  const watch = async (seconds: number) => {
    for (let s = 0; s < seconds; s++) {
      const dead = products.find((p) => p.exitCode !== null);
      if (dead) throw new Error(`product exited (${dead.exitCode}); log:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
      rssMax = Math.max(rssMax, sampleAll().rssBytes);
      await sleep(1000);
    }
  };
  let reading = true;
  let reader: ReturnType<typeof readApiWhile> | null = null;
  try {
    let ids = hostIds;
    let createSeconds: number | null = null;
    if (!host) {
      await waitForApi(base, products, logFile);
      const fleet = await createFleet(base, size, ports);
      ids = fleet.ids;
      createSeconds = fleet.seconds;
      console.error(`  ${size} monitors created through the bulk API in ${createSeconds.toFixed(1)} s (${fleet.owners.length} owners)`);
      reader = readApiWhile(fleet, () => reading);
    }
    await watch(knobs.warmupS);
    targets.send({ type: 'record' });
    const before = sampleAll();
    const targetsBefore = sampleProcess(targets.pid!);
    const apiFrom = reader ? { monitor: reader.latencies.monitor.length, summary: reader.latencies.summary.length } : null;
    const t0 = Date.now();
    await watch(knobs.measureS);
    const t1 = Date.now();
    const after = sampleAll();
    const targetsAfter = sampleProcess(targets.pid!);
    reading = false;
    const api = reader && apiFrom ? { monitor: reader.latencies.monitor.slice(apiFrom.monitor), summary: reader.latencies.summary.slice(apiFrom.summary), errors: reader.latencies.errors } : null;
    await reader?.done;
    const collected = onceMessage<Samples>(targets, 'samples', 30_000);
    targets.send({ type: 'collect' });
    const samples = await collected;
    await Promise.all(products.map((p) => stopChild(p, 30_000)));
    return summarize({ size, ids, t0, t1, samples, before, after, targetsCpu: targetsAfter.cpuSeconds - targetsBefore.cpuSeconds, rssMax, dataDir, logFile, createSeconds, api });
  } finally {
    reading = false;
    await Promise.all(products.map((p) => stopChild(p, 5_000)));
  }
}

/** BENCH_PRODUCT=host has no API: its monitors are written to the store before it starts. */
async function createInStore(dataDir: string, size: number, ports: { http: number; https: number }): Promise<string[]> {
  const store = await openSqliteStore({ dataDir });
  const owner = await store.createUser({ email: 'bench@example.com', password_hash: 'x' });
  const ids: string[] = [];
  for (let i = 0; i < size; i++) {
    const https = i < size * knobs.httpsShare;
    const url = https ? `https://127.0.0.1:${ports.https}/m/${i}` : `http://127.0.0.1:${ports.http}/m/${i}`;
    const m = await store.createMonitor(owner.id, {
      name: `bench ${i}`, url, method: 'GET', interval_seconds: knobs.intervalMs / 1000, timeout_ms: 5000,
      expect_status: '200-399', keyword: null, headers: {}, confirm_failures: 2, confirm_recoveries: 1,
      remind_every_minutes: 0, paused: false, tags: [], timezone: null, public: false, ...typeDefaults(),
    });
    ids.push(m.id);
  }
  await store.close();
  return ids;
}

function summarize(r: {
  size: number; ids: string[]; t0: number; t1: number; samples: Samples; rssMax: number; dataDir: string; logFile: string;
  createSeconds: number | null; api: ApiLatencies | null;
  before: ReturnType<typeof sampleProcess>; after: ReturnType<typeof sampleProcess>; targetsCpu: number;
}) {
  const I = knobs.intervalMs;
  const lateness: number[] = [];
  for (let k = 0; k < r.samples.indexes.length; k++) {
    // Recording starts and stops by IPC, a little off the window: count arrivals inside it only.
    if (r.samples.times[k]! < r.t0 || r.samples.times[k]! >= r.t1) continue;
    const id = r.ids[r.samples.indexes[k]!]!;
    const offset = offsetMs(id, I);
    lateness.push((((r.samples.times[k]! - offset) % I) + I) % I);
  }
  lateness.sort((a, b) => a - b);
  const seen = lateness.length;
  const expected = (r.size * (r.t1 - r.t0)) / I;
  const onTime = lateness.filter((l) => l <= 1000).length;
  // The product's own view, read from its SQLite file after it stopped.
  const db = new DatabaseSync(join(r.dataDir, 'downtime-monitor.sqlite'), { readOnly: true });
  const row = db.prepare('SELECT count(*) AS n, sum(up) AS up FROM checks WHERE ts >= ? AND ts < ?').get(r.t0, r.t1) as { n: number; up: number };
  const errors = db.prepare('SELECT error_type, count(*) AS n FROM checks WHERE ts >= ? AND ts < ? AND up = 0 GROUP BY 1').all(r.t0, r.t1);
  db.close();
  const cpu = r.after.cpuSeconds - r.before.cpuSeconds;
  // Warnings the product logged (pino level 40+): backpressure, store retries, crashes.
  const warnings = readFileSync(r.logFile, 'utf8').split('\n').filter((l) => /"level":(4|5|6)0/.test(l)).length;
  const latency = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const round = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : Math.round(v));
    return { n: sorted.length, p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), max: round(sorted[sorted.length - 1]) };
  };
  return {
    monitors: r.size,
    created_through_bulk_api_s: r.createSeconds === null ? null : +r.createSeconds.toFixed(1),
    shards: knobs.shards,
    interval_s: I / 1000,
    https_share: knobs.httpsShare,
    window_s: Math.round((r.t1 - r.t0) / 1000),
    expected_probes: Math.round(expected),
    seen_by_targets: seen,
    on_time_ratio: +(onTime / expected).toFixed(4),
    seen_ratio: +(seen / expected).toFixed(4),
    lateness_ms: { p50: percentile(lateness, 50), p99: percentile(lateness, 99), max: lateness[lateness.length - 1] ?? null },
    stored_checks: row.n,
    stored_up: row.up,
    stored_errors: errors,
    product_rss_mb_max: Math.round(r.rssMax / 2 ** 20),
    product_cpu_ms_per_probe: +((cpu * 1000) / Math.max(1, seen)).toFixed(3),
    // The kernel's share: socket set-up and tear-down and, on loopback, both ends' TCP work.
    product_cpu_system_ms_per_probe: +(((r.after.systemSeconds - r.before.systemSeconds) * 1000) / Math.max(1, seen)).toFixed(3),
    product_cpu_cores: +(cpu / ((r.t1 - r.t0) / 1000)).toFixed(2),
    targets_cpu_cores: +(r.targetsCpu / ((r.t1 - r.t0) / 1000)).toFixed(2),
    disk_bytes_per_probe: Math.round((r.after.writeBytes - r.before.writeBytes) / Math.max(1, seen)),
    product_warnings: warnings,
    api_ms: r.api ? { monitor: latency(r.api.monitor), summary: latency(r.api.summary), errors: r.api.errors } : null,
    // The machine may be shared: a load average above the core count means the figures include waiting.
    load_average_1m: +loadavg()[0]!.toFixed(2),
  };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'dm-bench-'));
  const pki = createTestPki('Bench CA');
  const tls = pki.issue(['127.0.0.1', 'localhost']);
  const files = { key: join(work, 'target.key'), cert: join(work, 'target.pem'), ca: join(work, 'ca.pem') };
  writeFileSync(files.key, tls.key);
  writeFileSync(files.cert, tls.cert);
  writeFileSync(files.ca, pki.caCert);
  pki.dispose();
  const targets = fork(join(ROOT, 'bench/targets.ts'), [], {
    env: { ...env, TARGET_KEY_FILE: files.key, TARGET_CERT_FILE: files.cert },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ports = await onceMessage<{ http: number; https: number }>(targets, 'ready', 20_000);
    console.error(`targets pid ${targets.pid}: http ${ports.http}, https ${ports.https}; knobs ${JSON.stringify(knobs)}`);
    for (const size of knobs.sizes) {
      console.error(`run: ${size} monitors at ${knobs.intervalMs / 1000} s (warm-up ${knobs.warmupS} s, measure ${knobs.measureS} s)`);
      const result = await runOnce(size, work, ports, files.ca, targets);
      console.log(JSON.stringify(result));
    }
  } finally {
    targets.disconnect();
    await stopChild(targets, 5_000);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
