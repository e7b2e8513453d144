// Probe capacity benchmark: can one collector keep N monitors on their interval?
//
//   node bench/probe-capacity.ts                       20,000 monitors at 20 s, half http half https
//   BENCH_STEPS=5000,10000,20000,30000 node bench/probe-capacity.ts    step mode: one run per size
//
// Knobs (env): BENCH_MONITORS (20000), BENCH_INTERVAL_SECONDS (20), BENCH_WARMUP_SECONDS
// (interval + 10), BENCH_MEASURE_SECONDS (80), BENCH_HTTPS_SHARE (0.5), BENCH_STEPS,
// BENCH_SHARDS (1: that many collector processes with COLLECTOR_SHARD=i/n), BENCH_PRODUCT (main: `node main.ts --role collector`; host: bench/collector-host.ts, the same
// collector wiring without the other roles), BENCH_NODE_ARGS (flags for the product's node instead
// of `npm start`'s, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to find hot spots).
//
// Targets run in their own process (bench/targets.ts) on 127.0.0.1 and record each request's
// arrival; the product runs as `node main.ts --role collector` with its own DATA_DIR, trusting the
// bench CA through NODE_EXTRA_CA_CERTS. Monitors are created directly in the SQLite store. Figures
// are taken over the measure window only (after warm-up):
//   on-time ratio   requests that reached a target within 1 s of their slot / slots in the window
//   lateness        arrival at the target − the monitor's slot (offset + k·interval), from outside
//   stored          checks with a timestamp in the window found in the SQLite file afterwards
//   CPU per probe   product's utime+stime (all shards) (/proc/<pid>/stat) / requests seen
//   disk per probe  product's write_bytes (/proc/<pid>/io) / requests seen
// Everything is bounded: each run stops by itself, children are stopped by their pid.

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
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
const intervalS = num('BENCH_INTERVAL_SECONDS', 20);
const knobs = {
  intervalMs: intervalS * 1000,
  warmupS: num('BENCH_WARMUP_SECONDS', intervalS + 10),
  measureS: num('BENCH_MEASURE_SECONDS', 80),
  httpsShare: num('BENCH_HTTPS_SHARE', 0.5, 0, 1),
  product: [
    ...(env['BENCH_NODE_ARGS'] ?? startFlags()).split(' ').filter(Boolean),
    ...(env['BENCH_PRODUCT'] === 'host' ? ['bench/collector-host.ts'] : ['main.ts', '--role', 'collector']),
  ],
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

function onceMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} message from pid ${child.pid} in ${timeoutMs} ms`)), timeoutMs);
    const listener = (message: { type: string }) => {
      if (message.type !== type) return;
      clearTimeout(timer);
      child.off('message', listener);
      resolvePromise(message as T);
    };
    child.on('message', listener);
  });
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function runOnce(size: number, work: string, ports: { http: number; https: number }, caFile: string, targets: ChildProcess) {
  const dataDir = mkdtempSync(join(work, `data-${size}-`));
  const store = await openSqliteStore({ dataDir });
  const owner = await store.createUser({ email: 'bench@example.com', password_hash: 'x' });
  const ids: string[] = [];
  const created = performance.now();
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
  console.error(`  ${size} monitors created in ${((performance.now() - created) / 1000).toFixed(1)} s`);

  // One product per shard (COLLECTOR_SHARD=i/n), all on the same store; figures are summed.
  const logFile = join(work, `product-${size}.log`);
  const products = Array.from({ length: knobs.shards }, (_, i) =>
    spawn(process.execPath, knobs.product, {
      cwd: ROOT,
      env: {
        ...env, DATA_DIR: dataDir, ALLOW_PRIVATE_TARGETS: 'true', NODE_EXTRA_CA_CERTS: caFile, LOG_LEVEL: 'warn',
        OBSERVER_NAME: `bench-${i}`, COLLECTOR_SHARD: `${i}/${knobs.shards}`,
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
  try {
    await watch(knobs.warmupS);
    targets.send({ type: 'record' });
    const before = sampleAll();
    const targetsBefore = sampleProcess(targets.pid!);
    const t0 = Date.now();
    await watch(knobs.measureS);
    const t1 = Date.now();
    const after = sampleAll();
    const targetsAfter = sampleProcess(targets.pid!);
    const collected = onceMessage<Samples>(targets, 'samples', 30_000);
    targets.send({ type: 'collect' });
    const samples = await collected;
    await Promise.all(products.map((p) => stopChild(p, 30_000)));
    return summarize({ size, ids, t0, t1, samples, before, after, targetsCpu: targetsAfter.cpuSeconds - targetsBefore.cpuSeconds, rssMax, dataDir, logFile });
  } finally {
    await Promise.all(products.map((p) => stopChild(p, 5_000)));
  }
}

function summarize(r: {
  size: number; ids: string[]; t0: number; t1: number; samples: Samples; rssMax: number; dataDir: string; logFile: string;
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
  return {
    monitors: r.size,
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
