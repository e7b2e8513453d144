// CPU per probe of each monitor type, as the collector's probe frame runs them (collector/probe.ts
// and the registry), against targets on 127.0.0.1 in their own processes: HTTP and HTTPS
// (bench/targets.ts), TCP and TLS connects to those same ports, and DNS A questions to a local
// server (bench/dns-target.ts). Every probe opens a fresh connection, as the collector does.
//
// The types take turns in each round, so a busy machine slows them alike; the figure is the median
// over rounds of this process's CPU (user + system) per probe, and its ratio to plain HTTP.
// A probe that is not up is counted and printed: a fast failure must not pass for a fast probe.
//
//   npm run bench:probe-types            (BENCH_PROBES per type and round, BENCH_ROUNDS, BENCH_CONCURRENCY)

import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProbeTrust } from '../collector/config.ts';
import { probe, type ProbeOptions } from '../collector/probe.ts';
import { createTestPki } from '../collector/testing/certs.ts';
import { testMonitor } from '../collector/testing/monitor.ts';
import { createAddressGuard } from '../net/address-guard.ts';
import type { Monitor } from '../store/types.ts';
import { onceMessage, stopChild } from './children.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const knobs = {
  probes: Number(process.env['BENCH_PROBES'] ?? 2_000),
  rounds: Number(process.env['BENCH_ROUNDS'] ?? 5),
  concurrency: Number(process.env['BENCH_CONCURRENCY'] ?? 50),
};

type Kind = { name: string; monitor: Monitor };

/** `count` probes of `monitor`, `concurrency` at a time: CPU µs per probe and the causes of those not up. */
async function measure(monitor: Monitor, opts: ProbeOptions): Promise<{ cpuUs: number; down: Record<string, number> }> {
  const down: Record<string, number> = {};
  let next = 0;
  const before = process.cpuUsage();
  const worker = async () => {
    while (next < knobs.probes) {
      next++;
      const check = await probe(monitor, opts);
      if (check.status !== 'up') down[check.error_type ?? 'unknown'] = (down[check.error_type ?? 'unknown'] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: knobs.concurrency }, worker));
  const used = process.cpuUsage(before);
  return { cpuUs: (used.user + used.system) / knobs.probes, down };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'dm-bench-types-'));
  const pki = createTestPki('Bench CA');
  const tls = pki.issue(['127.0.0.1', 'localhost']);
  const files = { key: join(work, 'target.key'), cert: join(work, 'target.pem') };
  writeFileSync(files.key, tls.key);
  writeFileSync(files.cert, tls.cert);
  const trust = createProbeTrust(pki.caCert);
  pki.dispose();
  const web = fork(join(ROOT, 'bench/targets.ts'), [], {
    env: { ...process.env, TARGET_KEY_FILE: files.key, TARGET_CERT_FILE: files.cert },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const dns = fork(join(ROOT, 'bench/dns-target.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const ports = await onceMessage<{ http: number; https: number }>(web, 'ready', 20_000);
    const { address } = await onceMessage<{ address: string }>(dns, 'ready', 20_000);
    const kinds: Kind[] = [
      { name: 'http', monitor: testMonitor({ url: `http://127.0.0.1:${ports.http}/m/1` }) },
      { name: 'https', monitor: testMonitor({ url: `https://127.0.0.1:${ports.https}/m/1` }) },
      { name: 'tcp', monitor: testMonitor({ type: 'tcp', url: `tcp://127.0.0.1:${ports.http}` }) },
      { name: 'tls', monitor: testMonitor({ type: 'tcp', url: `tls://127.0.0.1:${ports.https}` }) },
      {
        name: 'dns',
        monitor: testMonitor({ type: 'dns', url: `dns://${address}/bench.test?type=A`, dns: { name: 'bench.test', record_type: 'A', resolver: address, expect: '192.0.2.10' } }),
      },
    ];
    // What the collector's probe lanes pass: one guard and one trust, built once.
    const opts: ProbeOptions = { allowPrivate: true, guard: createAddressGuard({ allowPrivate: true }), observer: 'bench', secureContext: trust };
    console.error(`knobs ${JSON.stringify(knobs)}; load average ${loadavg()[0]!.toFixed(2)}`);
    for (const kind of kinds) await measure(kind.monitor, { ...opts }); // warm-up: JIT, TLS session setup code
    const figures = new Map<string, number[]>(kinds.map((k) => [k.name, []]));
    const failures = new Map<string, Record<string, number>>();
    for (let round = 1; round <= knobs.rounds; round++) {
      for (const kind of kinds) {
        const { cpuUs, down } = await measure(kind.monitor, opts);
        figures.get(kind.name)!.push(cpuUs);
        if (Object.keys(down).length > 0) failures.set(kind.name, down);
      }
      console.error(`round ${round}/${knobs.rounds} done; load average ${loadavg()[0]!.toFixed(2)}`);
    }
    const baseline = median(figures.get('http')!);
    console.log('| type | CPU per probe (median of rounds) | vs. http | probes not up |');
    console.log('|---|---|---|---|');
    for (const kind of kinds) {
      const cpu = median(figures.get(kind.name)!);
      const failed = failures.get(kind.name);
      console.log(`| ${kind.name} | ${(cpu / 1000).toFixed(3)} ms | ${(cpu / baseline).toFixed(2)}× | ${failed ? JSON.stringify(failed) : 0} |`);
    }
    console.log(`load average at the end: ${loadavg()[0]!.toFixed(2)}`);
  } finally {
    web.disconnect();
    dns.disconnect();
    await Promise.all([stopChild(web, 5_000), stopChild(dns, 5_000)]);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
