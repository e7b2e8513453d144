// Reads a process's CPU time, disk writes and memory from /proc (Linux), for benchmarks that
// measure the product from outside.

import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat; 100 on every Linux this runs on. */
const CLK_TCK = 100;

/** cpuSeconds = user + system; systemSeconds is the kernel's share (sockets, loopback TCP, disk). */
export type ProcSample = { cpuSeconds: number; systemSeconds: number; writeBytes: number; rssBytes: number };

export function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const systemSeconds = Number(fields[12]) / CLK_TCK;
  const cpuSeconds = Number(fields[11]) / CLK_TCK + systemSeconds;
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const writeBytes = Number(/^write_bytes:\s*(\d+)/m.exec(io)?.[1] ?? NaN);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssBytes = Number(/^VmRSS:\s*(\d+) kB/m.exec(status)?.[1] ?? NaN) * 1024;
  return { cpuSeconds, systemSeconds, writeBytes, rssBytes };
}

/**
 * CPU seconds (user + system) of a process's live threads, summed by thread name: node's
 * "MainThread", a worker's name ("probe-0"), "V8Worker" (GC and compiler helpers), "libuv-worker".
 * A thread that has ended is no longer counted.
 */
export function sampleThreads(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // ended between the listing and the read
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / CLK_TCK);
  }
  return byName;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
