// Probe capacity benchmark: can the product, every role in one `npm start`, keep N monitors on
// their interval while its API stays quick, and what does each probe type cost it?
//
//   node bench/probe-capacity.ts                       20,000 monitors at 20 s, half http half https
//   BENCH_MIX=http=0.25,https=0.25,tcp=0.25,dns=0.25 node bench/probe-capacity.ts     a mixed fleet
//   BENCH_STEPS=5000,10000,20000,30000 node bench/probe-capacity.ts    step mode: one run per size
//
// Knobs (env): BENCH_MONITORS (20000), BENCH_INTERVAL_SECONDS (20), BENCH_WARMUP_SECONDS
// (interval + 10), BENCH_MEASURE_SECONDS (80), BENCH_MIX (the fleet's share of each type, summing
// to 1: `http=0.5,https=0.5` by default; types http, https, tcp, dns), BENCH_HTTPS_SHARE (the older
// knob, same as BENCH_MIX=http=1-s,https=s; refused together with BENCH_MIX), BENCH_STEPS,
// BENCH_MONITORS_PER_OWNER (2500: the fleet is spread over owners, since /api/summary lists every
// monitor of its owner; sign-ups are rate limited, 20 at once then one per 6 s), BENCH_API_PAUSE_MS (1000: pause
// between the API reader's requests, about one a second, as a dashboard or two polling: the reader
// waits for each answer, so a shorter pause makes a quicker API serve more requests and spend
// more of the CPU the probes are measured with; 100 until 2026-12-01), BENCH_SHARDS (1: shard 0 runs every role, the others
// `--role collector`, with COLLECTOR_SHARD=i/n), BENCH_PRODUCT (main: `node main.ts`, every role;
// host: bench/collector-host.ts, the collector wiring alone, with monitors created in the store),
// BENCH_NODE_ARGS (flags for the product's node instead of `npm start`'s, e.g. "--cpu-prof
// --cpu-prof-dir=/tmp/prof" to find hot spots), BENCH_ENV (extra product variables, e.g.
// "PROBE_THREADS=2"), BENCH_PHASES (1: the per-type phases below; 0 skips them),
// BENCH_PHASE_WARMUP_SECONDS (15), BENCH_PHASE_SECONDS (30).
//
// Targets run in their own process (bench/targets.ts) on 127.0.0.1: HTTP and HTTPS servers
// (`/m/<index>`), a TCP listener (`tcp://127.0.0.1:<port>`) and a DNS server that tcp and dns
// monitors use as their resolver (`m<index>.bench.test` A, expected answer 192.0.2.10); they record
// each arrival. The product runs with its own DATA_DIR, trusting the bench CA through
// NODE_EXTRA_CA_CERTS, with ALLOW_PRIVATE_TARGETS=true. Monitors are created through POST
// /api/monitors/bulk of the running product (timed: the issue's target is 50,000 in ≤ 60 s). While
// the probes run, one reader calls GET /api/monitors/{id} and GET /api/summary of random owners in
// turn, and their latency percentiles are reported. Figures are taken over the measure window only
// (after warm-up):
//   on-time ratio   probes that started within 1 s of their slot / slots in the window
//   lateness        probe time − the monitor's slot (offset + k·interval). Its source per type
//                   (`by_type.<type>.source`): http, https and dns from outside, the arrival at the
//                   target (the path or the question name carries the monitor's index); tcp from
//                   the stored checks' timestamps (a connection carries no index), i.e. the probe's
//                   start as the product recorded it. The overall figures pool both sources.
//   stored          checks with a timestamp in the window found in the SQLite file afterwards,
//                   also per type with their error types (a target mistake shows up here)
//   CPU per probe   product's utime+stime, every role and thread, all shards (/proc/<pid>/stat) /
//                   probes seen by the targets (requests, TCP connections, DNS questions)
//   CPU by thread   the first product's cores over the window per thread name (/proc/<pid>/task):
//                   MainThread (API, alerting, store), probe-<i>, V8Worker (GC), libuv-worker
//   disk per probe  product's write_bytes (/proc/<pid>/io) / probes seen
//   RSS             the products' summed VmRSS (threads share their process's): maximum over warm-up and window
//                   (the import's peak, before collector/heap-release.ts gives it back), and at the end
//   API latency     p50/p95/max of each endpoint, from the bench's side of the socket
//
// Per-type CPU (`cpu_ms_per_probe_by_type`): a whole-process figure cannot tell types apart, so
// after the mixed window the reader stops and the bench pauses every monitor through the API
// (PATCH /api/monitors/{id} {paused}, 16 requests in flight), measures the product idle, then runs
// one phase per type with only that type's monitors unpaused: a warm-up (the collector sees the
// change on its next fleet poll), then CPU over BENCH_PHASE_SECONDS / that type's arrivals at the
// targets. `vs_http` is each type's figure over http's of the same run; `net_of_idle` subtracts the
// idle product's CPU (timers, fold, alerting polls), which a phase spreads over a quarter of the
// probes. A phase's `other_arrivals` must be 0 (the pause took), and `stored_errors` per phase show
// whether the probes were up. The mixed window's CPU per probe also pays for the API reader (a
// summary of 2,500 monitors costs ~100 ms or more), the phases' does not: compare types with each
// other, not with the mixed figure. Cost: 3 PATCHes per monitor (~400 a second here: 15 s for
// 2,000 monitors, 6 min for 50,000) plus (1 + types) × (warm-up + phase) seconds, 3 min 45 s with
// four types and the defaults; BENCH_PHASES=0 skips it. BENCH_PRODUCT=host has no API: no phases.
// Everything is bounded: each run stops by itself, children are stopped by their pid.

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { onceMessage, stopChild } from './children.ts';
import { freePort } from '../test/support/free-port.ts';
import { offsetMs } from '../collector/shard.ts';
import { dnsUri, typeDefaults } from '../store/monitor-types.ts';
import { createTestPki } from '../collector/testing/certs.ts';
import { openSqliteStore } from '../store/sqlite/open.ts';
import { percentile, sampleProcess, sampleThreads } from './proc-stats.ts';

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
/** PATCH requests in flight while pausing and unpausing for the per-type phases. */
const PATCHES_IN_FLIGHT = 16;

/** The probe types of the fleet; https is an http monitor on an https URL (its TLS costs apart). */
const KINDS = ['https', 'http', 'tcp', 'dns'] as const;
type Kind = (typeof KINDS)[number];
type Mix = Record<Kind, number>;

/** BENCH_MIX "http=0.25,tcp=0.75" (shares summing to 1), or the older BENCH_HTTPS_SHARE. */
function parseMix(): Mix {
  const given = (name: string) => env[name] !== undefined && env[name] !== '';
  if (given('BENCH_MIX') && given('BENCH_HTTPS_SHARE')) {
    throw new Error('BENCH_MIX and BENCH_HTTPS_SHARE are both set: give the https share in BENCH_MIX alone (e.g. BENCH_MIX=http=0.5,https=0.5)');
  }
  if (!given('BENCH_MIX')) {
    const https = num('BENCH_HTTPS_SHARE', 0.5, 0, 1);
    return { https, http: 1 - https, tcp: 0, dns: 0 };
  }
  const text = env['BENCH_MIX']!;
  const mix: Mix = { https: 0, http: 0, tcp: 0, dns: 0 };
  const named = new Set<string>();
  for (const entry of text.split(',')) {
    const match = /^\s*([a-z]+)\s*=\s*(\S+)\s*$/.exec(entry);
    if (!match) throw new Error(`invalid BENCH_MIX=${JSON.stringify(text)}: entry ${JSON.stringify(entry)} is not type=share (e.g. tcp=0.25)`);
    const [, kind, raw] = match as unknown as [string, string, string];
    if (!(KINDS as readonly string[]).includes(kind)) {
      throw new Error(`invalid BENCH_MIX=${JSON.stringify(text)}: unknown type ${JSON.stringify(kind)} (expected ${KINDS.join(', ')})`);
    }
    if (named.has(kind)) throw new Error(`invalid BENCH_MIX=${JSON.stringify(text)}: ${kind} is given twice`);
    named.add(kind);
    const share = Number(raw);
    if (!Number.isFinite(share) || share < 0 || share > 1) {
      throw new Error(`invalid BENCH_MIX=${JSON.stringify(text)}: ${kind}=${raw} is not a share from 0 to 1`);
    }
    mix[kind as Kind] = share;
  }
  const sum = KINDS.reduce((total, kind) => total + mix[kind], 0);
  if (Math.abs(sum - 1) > 1e-6) throw new Error(`invalid BENCH_MIX=${JSON.stringify(text)}: the shares add up to ${+sum.toFixed(6)}, expected 1`);
  return mix;
}

const intervalS = num('BENCH_INTERVAL_SECONDS', 20);
const knobs = {
  intervalMs: intervalS * 1000,
  warmupS: num('BENCH_WARMUP_SECONDS', intervalS + 10),
  measureS: num('BENCH_MEASURE_SECONDS', 80),
  mix: parseMix(),
  nodeArgs: (env['BENCH_NODE_ARGS'] ?? startFlags()).split(' ').filter(Boolean),
  productEnv: Object.fromEntries((env['BENCH_ENV'] ?? '').split(' ').filter(Boolean).map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`invalid BENCH_ENV entry ${JSON.stringify(pair)}: expected NAME=value`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  })),
  perOwner: Math.round(num('BENCH_MONITORS_PER_OWNER', 2500, 1)),
  apiPauseMs: num('BENCH_API_PAUSE_MS', 1000, 0),
  shards: Math.round(num('BENCH_SHARDS', 1)),
  sizes: env['BENCH_STEPS'] ? env['BENCH_STEPS'].split(',').map(Number) : [num('BENCH_MONITORS', 20_000)],
  phases: num('BENCH_PHASES', 1, 0, 1) === 1,
  phaseWarmupS: num('BENCH_PHASE_WARMUP_SECONDS', 15, 0),
  phaseS: num('BENCH_PHASE_SECONDS', 30),
};

/** Each monitor's type by index: contiguous runs in KINDS order (https first, as before BENCH_MIX). */
function kindsOf(size: number): Kind[] {
  const present = KINDS.filter((kind) => knobs.mix[kind] > 0);
  let upTo = 0;
  const ends = present.map((kind) => (upTo += knobs.mix[kind]) * size);
  return Array.from({ length: size }, (_, i) => {
    const at = ends.findIndex((end) => i < end);
    // Rounding may leave the last index past the last end: it belongs to the last type.
    return present[at === -1 ? present.length - 1 : at]!;
  });
}

type Targets = { http: number; https: number; tcp: number; dns: string; dnsAnswer: string };

/** Monitor i as POST /api/monitors/bulk takes it. */
function monitorBody(i: number, kind: Kind, targets: Targets) {
  const common = { name: `bench ${i}`, interval_seconds: knobs.intervalMs / 1000, timeout_ms: 5000 };
  if (kind === 'tcp') return { ...common, type: 'tcp' as const, url: `tcp://127.0.0.1:${targets.tcp}` };
  if (kind === 'dns') {
    // The question carries the index, so that the DNS target can tell which monitor asked.
    return { ...common, type: 'dns' as const, dns: { name: `m${i}.bench.test`, record_type: 'A' as const, resolver: targets.dns, expect: targets.dnsAnswer } };
  }
  const url = kind === 'https' ? `https://127.0.0.1:${targets.https}/m/${i}` : `http://127.0.0.1:${targets.http}/m/${i}`;
  return { ...common, type: 'http' as const, url, method: 'GET' as const, expect_status: '200-399' };
}

/** The node flags of `npm start` (package.json), so that the bench runs the product as users do. */
function startFlags(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(' ').filter((word) => word.startsWith('--')).join(' ');
}

/** Arrivals at the targets: the monitor's index (-1: a TCP connection, which carries none) and time. */
type Samples = { indexes: number[]; times: number[]; total: number };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type ApiLatencies = { monitor: number[]; summary: number[]; errors: number };

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
  // Timed to the answer's last byte: parsing a summary's 3.6 MB of JSON is the client's work
  // (5–13 ms on a quiet core here, more on the busy ones it shares with the product), and it was
  // counted as API latency until 2026-12-02.
  const get = async (path: string) => {
    const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60_000) });
    await res.arrayBuffer();
    return { status: res.status };
  };
  return { token, get };
}

/** Owners signed up first (scrypt, rate limited), then their monitors created in bulk: timed. */
async function createFleet(base: string, size: number, kinds: Kind[], targets: Targets) {
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
      const lot = Array.from({ length: Math.min(BULK_PER_REQUEST, end - first) }, (_, j) => monitorBody(first + j, kinds[first + j]!, targets));
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
  return { base, owners, ids, ownerOf, seconds };
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

type Fleet = Awaited<ReturnType<typeof createFleet>>;
type ProductSample = { cpuSeconds: number; systemSeconds: number; writeBytes: number; rssBytes: number };
/** One per-type phase: only `kind`'s monitors unpaused over [t0, t1). */
type Phase = { kind: Kind; t0: number; t1: number; cpuSeconds: number; own: number; others: number };
type Phases = { idleCores: number; toggleSeconds: number; phases: Phase[] };

/** PATCH /api/monitors/{id} {paused} for each index, PATCHES_IN_FLIGHT at once; any refusal stops the run. */
async function setPaused(fleet: Fleet, indexes: readonly number[], paused: boolean): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < indexes.length) {
      const k = indexes[next++]!;
      const res = await fetch(`${fleet.base}/api/monitors/${fleet.ids[k]}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${fleet.owners[fleet.ownerOf[k]!]!.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ paused }),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`PATCH /api/monitors/${fleet.ids[k]} {"paused":${paused}} failed: ${res.status} ${text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: PATCHES_IN_FLIGHT }, worker));
}

/**
 * After the mixed window: every monitor paused, the idle product measured, then one phase per
 * type with only its monitors unpaused. CPU per probe of a type = the product's CPU in its phase /
 * that type's arrivals at the targets.
 */
async function runPhases(
  fleet: Fleet, kinds: readonly Kind[], targets: ChildProcess, sampleAll: () => ProductSample, watch: (seconds: number) => Promise<void>,
): Promise<Phases> {
  const present = KINDS.filter((kind) => knobs.mix[kind] > 0);
  const byKind = new Map<Kind, number[]>(present.map((kind) => [kind, []]));
  kinds.forEach((kind, i) => byKind.get(kind)!.push(i));
  let toggleMs = 0;
  const toggle = async (indexes: readonly number[], paused: boolean) => {
    const started = performance.now();
    await setPaused(fleet, indexes, paused);
    toggleMs += performance.now() - started;
  };
  await toggle(kinds.map((_, i) => i), true);
  await watch(knobs.phaseWarmupS);
  const idleBefore = sampleAll();
  const idleFrom = Date.now();
  await watch(knobs.phaseS);
  const idleCores = (sampleAll().cpuSeconds - idleBefore.cpuSeconds) / ((Date.now() - idleFrom) / 1000);
  console.error(`  phases: every monitor paused in ${(toggleMs / 1000).toFixed(1)} s; idle product ${idleCores.toFixed(3)} cores`);
  const phases: Phase[] = [];
  for (const kind of present) {
    await toggle(byKind.get(kind)!, false);
    await watch(knobs.phaseWarmupS);
    targets.send({ type: 'record' });
    const before = sampleAll();
    const t0 = Date.now();
    await watch(knobs.phaseS);
    const t1 = Date.now();
    const after = sampleAll();
    const collected = onceMessage<Samples>(targets, 'samples', 30_000);
    targets.send({ type: 'collect' });
    const samples = await collected;
    let own = 0;
    let others = 0;
    for (let k = 0; k < samples.indexes.length; k++) {
      if (samples.times[k]! < t0 || samples.times[k]! >= t1) continue;
      const index = samples.indexes[k]!;
      if ((index < 0 ? 'tcp' : kinds[index]) === kind) own++;
      else others++;
    }
    phases.push({ kind, t0, t1, cpuSeconds: after.cpuSeconds - before.cpuSeconds, own, others });
    console.error(`  phase ${kind}: ${own} probes, ${(((after.cpuSeconds - before.cpuSeconds) * 1000) / Math.max(1, own)).toFixed(3)} ms CPU per probe`);
    await toggle(byKind.get(kind)!, true);
  }
  return { idleCores, toggleSeconds: toggleMs / 1000, phases };
}

async function runOnce(size: number, work: string, ports: Targets, caFile: string, targets: ChildProcess) {
  const dataDir = mkdtempSync(join(work, `data-${size}-`));
  const host = env['BENCH_PRODUCT'] === 'host';
  const kinds = kindsOf(size);
  let hostIds: string[] = [];
  if (host) hostIds = await createInStore(dataDir, kinds, ports);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;

  // One product per shard (COLLECTOR_SHARD=i/n), all on the same store; figures are summed.
  const logFile = join(work, `product-${size}.log`);
  const products = Array.from({ length: knobs.shards }, (_, i) =>
    spawn(process.execPath, [...knobs.nodeArgs, ...(host ? ['bench/collector-host.ts'] : i === 0 ? ['main.ts'] : ['main.ts', '--role', 'collector'])], {
      cwd: ROOT,
      env: {
        ...env, LOG_LEVEL: 'warn', ...knobs.productEnv, DATA_DIR: dataDir, ALLOW_PRIVATE_TARGETS: 'true', NODE_EXTRA_CA_CERTS: caFile,
        OBSERVER_NAME: `bench-${i}`, COLLECTOR_SHARD: `${i}/${knobs.shards}`, PORT: String(port), JWT_SECRET: 'bench-probe-capacity-secret-'.repeat(2),
      },
      stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')],
    }),
  );
  const sampleAll = (): ProductSample => {
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
    let fleet: Fleet | null = null;
    let createSeconds: number | null = null;
    if (!host) {
      await waitForApi(base, products, logFile);
      fleet = await createFleet(base, size, kinds, ports);
      ids = fleet.ids;
      createSeconds = fleet.seconds;
      console.error(`  ${size} monitors created through the bulk API in ${createSeconds.toFixed(1)} s (${fleet.owners.length} owners)`);
      reader = readApiWhile(fleet, () => reading);
    }
    await watch(knobs.warmupS);
    targets.send({ type: 'record' });
    const before = sampleAll();
    const threadsBefore = sampleThreads(products[0]!.pid!);
    const targetsBefore = sampleProcess(targets.pid!);
    const apiFrom = reader ? { monitor: reader.latencies.monitor.length, summary: reader.latencies.summary.length } : null;
    const t0 = Date.now();
    await watch(knobs.measureS);
    const t1 = Date.now();
    const after = sampleAll();
    const threadsAfter = sampleThreads(products[0]!.pid!);
    const targetsAfter = sampleProcess(targets.pid!);
    reading = false;
    const threadCores = Object.fromEntries(
      [...threadsAfter].map(([name, seconds]) => [name, +((seconds - (threadsBefore.get(name) ?? 0)) / ((t1 - t0) / 1000)).toFixed(2)]),
    );
    const api = reader && apiFrom ? { monitor: reader.latencies.monitor.slice(apiFrom.monitor), summary: reader.latencies.summary.slice(apiFrom.summary), errors: reader.latencies.errors } : null;
    await reader?.done;
    const collected = onceMessage<Samples>(targets, 'samples', 30_000);
    targets.send({ type: 'collect' });
    const samples = await collected;
    const phases = fleet && knobs.phases ? await runPhases(fleet, kinds, targets, sampleAll, watch) : null;
    await Promise.all(products.map((p) => stopChild(p, 30_000)));
    return summarize({ size, ids, kinds, t0, t1, samples, before, after, targetsCpu: targetsAfter.cpuSeconds - targetsBefore.cpuSeconds, threadCores, rssMax, rssEnd: after.rssBytes, dataDir, logFile, createSeconds, api, phases });
  } finally {
    reading = false;
    await Promise.all(products.map((p) => stopChild(p, 5_000)));
  }
}

/** BENCH_PRODUCT=host has no API: its monitors are written to the store before it starts. */
async function createInStore(dataDir: string, kinds: readonly Kind[], targets: Targets): Promise<string[]> {
  const store = await openSqliteStore({ dataDir });
  const owner = await store.createUser({ email: 'bench@example.com', password_hash: 'x' });
  const ids: string[] = [];
  for (let i = 0; i < kinds.length; i++) {
    const body = monitorBody(i, kinds[i]!, targets);
    const typed = body.type === 'dns' ? { type: body.type, dns: body.dns, url: dnsUri(body.dns) } : { type: body.type, url: body.url };
    const m = await store.createMonitor(owner.id, {
      name: body.name, method: 'GET', interval_seconds: body.interval_seconds, timeout_ms: body.timeout_ms,
      expect_status: '200-399', keyword: null, headers: {}, confirm_failures: 2, confirm_recoveries: 1,
      remind_every_minutes: 0, paused: false, tags: [], timezone: null, public: false, ...typeDefaults(), ...typed,
    });
    ids.push(m.id);
  }
  await store.close();
  return ids;
}

type StoredRow = { kind: Kind; error_type: string | null; n: number; up: number };

/** Stored checks in [from, to) per type (https: an http monitor on an https URL), with their error types. */
function storedByKind(db: DatabaseSync, from: number, to: number): Map<Kind, { checks: number; up: number; errors: Record<string, number> }> {
  const rows = db
    .prepare(
      `SELECT CASE WHEN m.type = 'http' AND m.url LIKE 'https:%' THEN 'https' ELSE m.type END AS kind, c.error_type AS error_type,
              count(*) AS n, sum(c.up) AS up
         FROM checks c JOIN monitors m ON m.mkey = c.mkey WHERE c.ts >= ? AND c.ts < ? GROUP BY 1, 2`,
    )
    .all(from, to) as StoredRow[];
  const totals = new Map<Kind, { checks: number; up: number; errors: Record<string, number> }>();
  for (const row of rows) {
    const t = totals.get(row.kind) ?? { checks: 0, up: 0, errors: {} };
    t.checks += row.n;
    t.up += row.up;
    if (row.error_type !== null) t.errors[row.error_type] = (t.errors[row.error_type] ?? 0) + row.n;
    totals.set(row.kind, t);
  }
  return totals;
}

const ms3 = (value: number) => +value.toFixed(3);

function summarize(r: {
  size: number; ids: string[]; kinds: readonly Kind[]; t0: number; t1: number; samples: Samples; rssMax: number; rssEnd: number; dataDir: string; logFile: string;
  createSeconds: number | null; api: ApiLatencies | null; phases: Phases | null;
  before: ProductSample; after: ProductSample; targetsCpu: number; threadCores: Record<string, number>;
}) {
  const I = knobs.intervalMs;
  const present = KINDS.filter((kind) => knobs.mix[kind] > 0);
  const lateOf = (id: string, at: number) => (((at - offsetMs(id, I)) % I) + I) % I;
  const perKind = new Map(present.map((kind) => [kind, { lateness: [] as number[], seen: 0 }]));
  let seen = 0;
  for (let k = 0; k < r.samples.indexes.length; k++) {
    // Recording starts and stops by IPC, a little off the window: count arrivals inside it only.
    if (r.samples.times[k]! < r.t0 || r.samples.times[k]! >= r.t1) continue;
    seen++;
    const index = r.samples.indexes[k]!;
    const kind = index < 0 ? 'tcp' : r.kinds[index]!;
    const figures = perKind.get(kind);
    if (!figures) continue;
    figures.seen++;
    if (index >= 0) figures.lateness.push(lateOf(r.ids[index]!, r.samples.times[k]!));
  }
  // The product's own view, read from its SQLite file after it stopped.
  const db = new DatabaseSync(join(r.dataDir, 'downtime-monitor.sqlite'), { readOnly: true });
  const row = db.prepare('SELECT count(*) AS n, sum(up) AS up FROM checks WHERE ts >= ? AND ts < ?').get(r.t0, r.t1) as { n: number; up: number };
  const errors = db.prepare('SELECT error_type, count(*) AS n FROM checks WHERE ts >= ? AND ts < ? AND up = 0 GROUP BY 1').all(r.t0, r.t1);
  // A TCP connection carries no index: tcp lateness comes from the stored checks' start times.
  if (perKind.has('tcp')) {
    const tcpChecks = db
      .prepare("SELECT m.id AS id, c.ts AS ts FROM checks c JOIN monitors m ON m.mkey = c.mkey WHERE m.type = 'tcp' AND c.ts >= ? AND c.ts < ?")
      .all(r.t0, r.t1) as Array<{ id: string; ts: number }>;
    perKind.get('tcp')!.lateness = tcpChecks.map((c) => lateOf(c.id, c.ts));
  }
  const stored = storedByKind(db, r.t0, r.t1);
  const storedInPhases = (r.phases?.phases ?? []).map((phase) => storedByKind(db, phase.t0, phase.t1));
  db.close();
  const windowS = (r.t1 - r.t0) / 1000;
  let lateness: number[] = [];
  let onTime = 0;
  const byType: Record<string, unknown> = {};
  for (const [kind, figures] of perKind) {
    figures.lateness.sort((a, b) => a - b);
    // Not push(...): 100,000 and more arguments overflow the stack.
    lateness = lateness.concat(figures.lateness);
    const kindOnTime = figures.lateness.filter((l) => l <= 1000).length;
    onTime += kindOnTime;
    const monitors = r.kinds.filter((k) => k === kind).length;
    const expected = (monitors * (r.t1 - r.t0)) / I;
    const s = stored.get(kind) ?? { checks: 0, up: 0, errors: {} };
    byType[kind] = {
      monitors,
      expected_probes: Math.round(expected),
      seen_by_targets: figures.seen,
      // Where on-time and lateness come from (see the header).
      source: kind === 'tcp' ? 'stored checks (probe start)' : 'target arrivals',
      on_time_ratio: +(kindOnTime / expected).toFixed(4),
      lateness_ms: { p50: percentile(figures.lateness, 50), p99: percentile(figures.lateness, 99), max: figures.lateness.at(-1) ?? null },
      stored_checks: s.checks,
      stored_up: s.up,
      stored_errors: s.errors,
    };
  }
  lateness.sort((a, b) => a - b);
  const expected = (r.size * (r.t1 - r.t0)) / I;
  const cpu = r.after.cpuSeconds - r.before.cpuSeconds;
  // Warnings the product logged (pino level 40+): backpressure, store retries, crashes.
  const warningLines = readFileSync(r.logFile, 'utf8').split('\n').filter((l) => /"level":(4|5|6)0/.test(l));
  const warnings = warningLines.length;
  // Which warnings, counted by message: backpressure and a slow store read differently.
  const warningMessages: Record<string, number> = {};
  for (const line of warningLines) {
    const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 80);
    warningMessages[msg] = (warningMessages[msg] ?? 0) + 1;
  }
  const latency = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const round = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : Math.round(v));
    return { n: sorted.length, p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), max: round(sorted[sorted.length - 1]) };
  };
  const perProbe = Object.fromEntries((r.phases?.phases ?? []).map((p) => [p.kind, (p.cpuSeconds * 1000) / Math.max(1, p.own)]));
  const netPerProbe = Object.fromEntries(
    (r.phases?.phases ?? []).map((p) => [p.kind, ((p.cpuSeconds - r.phases!.idleCores * ((p.t1 - p.t0) / 1000)) * 1000) / Math.max(1, p.own)]),
  );
  const vsHttp = (figures: Record<string, number>) =>
    figures['http'] === undefined ? null : Object.fromEntries(Object.entries(figures).map(([kind, v]) => [kind, +(v / figures['http']!).toFixed(2)]));
  return {
    monitors: r.size,
    created_through_bulk_api_s: r.createSeconds === null ? null : +r.createSeconds.toFixed(1),
    shards: knobs.shards,
    interval_s: I / 1000,
    mix: Object.fromEntries(present.map((kind) => [kind, knobs.mix[kind]])),
    https_share: knobs.mix.https,
    window_s: Math.round(windowS),
    expected_probes: Math.round(expected),
    seen_by_targets: seen,
    on_time_ratio: +(onTime / expected).toFixed(4),
    seen_ratio: +(seen / expected).toFixed(4),
    lateness_ms: { p50: percentile(lateness, 50), p99: percentile(lateness, 99), max: lateness[lateness.length - 1] ?? null },
    stored_checks: row.n,
    stored_up: row.up,
    stored_errors: errors,
    by_type: byType,
    product_rss_mb_max: Math.round(r.rssMax / 2 ** 20),
    product_rss_mb_end: Math.round(r.rssEnd / 2 ** 20),
    product_cpu_ms_per_probe: +((cpu * 1000) / Math.max(1, seen)).toFixed(3),
    // The kernel's share: socket set-up and tear-down and, on loopback, both ends' TCP work.
    product_cpu_system_ms_per_probe: +(((r.after.systemSeconds - r.before.systemSeconds) * 1000) / Math.max(1, seen)).toFixed(3),
    product_cpu_cores: +(cpu / windowS).toFixed(2),
    // Of the first product process, by thread name: which role's thread spends the cores.
    product_cpu_cores_by_thread: r.threadCores,
    targets_cpu_cores: +(r.targetsCpu / windowS).toFixed(2),
    disk_bytes_per_probe: Math.round((r.after.writeBytes - r.before.writeBytes) / Math.max(1, seen)),
    product_warnings: warnings,
    product_warning_messages: warningMessages,
    api_ms: r.api ? { monitor: latency(r.api.monitor), summary: latency(r.api.summary), errors: r.api.errors } : null,
    // Per-type phases (see the header): the whole product's CPU with one type's monitors active.
    cpu_ms_per_probe_by_type: r.phases ? Object.fromEntries(Object.entries(perProbe).map(([kind, v]) => [kind, ms3(v)])) : null,
    cpu_ms_per_probe_vs_http: r.phases ? vsHttp(perProbe) : null,
    phases: r.phases
      ? {
          warmup_s: knobs.phaseWarmupS,
          phase_s: knobs.phaseS,
          pause_unpause_s: +r.phases.toggleSeconds.toFixed(1),
          idle_cpu_cores: +r.phases.idleCores.toFixed(3),
          cpu_ms_per_probe_net_of_idle: Object.fromEntries(Object.entries(netPerProbe).map(([kind, v]) => [kind, ms3(v)])),
          net_of_idle_vs_http: vsHttp(netPerProbe),
          by_type: Object.fromEntries(
            r.phases.phases.map((p, i) => {
              const s = storedInPhases[i]!;
              const own = s.get(p.kind) ?? { checks: 0, up: 0, errors: {} };
              const otherStored = [...s].filter(([kind]) => kind !== p.kind).reduce((sum, [, t]) => sum + t.checks, 0);
              return [p.kind, {
                probes_seen: p.own,
                probes_per_s: +(p.own / ((p.t1 - p.t0) / 1000)).toFixed(1),
                cpu_cores: +(p.cpuSeconds / ((p.t1 - p.t0) / 1000)).toFixed(3),
                other_arrivals: p.others,
                stored_checks: own.checks,
                stored_up: own.up,
                stored_errors: own.errors,
                other_types_stored: otherStored,
              }];
            }),
          ),
        }
      : null,
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
    const ports = await onceMessage<Targets>(targets, 'ready', 20_000);
    console.error(`targets pid ${targets.pid}: http ${ports.http}, https ${ports.https}, tcp ${ports.tcp}, dns ${ports.dns}; knobs ${JSON.stringify(knobs)}`);
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
