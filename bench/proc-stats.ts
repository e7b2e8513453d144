// Reads a process's CPU time, disk writes and memory from /proc (Linux), for benchmarks that
// measure the product from outside.

import { readFileSync } from 'node:fs';

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

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
