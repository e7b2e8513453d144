// One probe of one monitor → one check. Never throws: every failure becomes a typed error.type with
// a readable message, and the phases measured before it are kept. The monitor's type picks the
// probe module (probes/registry.ts); this frame gives every type the same deadline, the same
// check document and the same retry when our own process stalled.
//
// A timeout is the target's fault only if the target really took that long. When our own event
// loop was blocked for a good part of the deadline (loop-stall.ts), the deadline timer fired late
// and the answer may already be waiting unread: the probe is run again at once, and that second
// attempt's result is the check. Should it time out during a stall too, its message says so.
//
//   monitor.duration.us       probe start → result (every hop of an http probe)
// The other timing fields are documented beside each type's probe (probes/http.ts, tcp.ts, dns.ts).
//
// Example:
//   const check = await probe(monitor, { allowPrivate: false, observer: 'eu-1', secureContext });

import { newCheckId } from '../store/ids.ts';
import type { Check } from '../store/types.ts';
import type { ProbedMonitor } from './probed-monitor.ts';
import { createAddressGuard } from '../net/address-guard.ts';
import { createProbeTrust, PROBE_DEFAULTS } from './config.ts';
import { watchLoopStalls } from './loop-stall.ts';
import { connectingAt, systemLookup } from './check/connect.ts';
import { describeError, ProbeFailure } from './check/failure.ts';
import { probeFor } from './probes/registry.ts';
import { emptyMeasurements, type ProbeOptions, type ProbeRun } from './probes/types.ts';

export type { ProbeOptions } from './probes/types.ts';

const micros = (since: number) => Math.round((performance.now() - since) * 1000);

/** A stall shorter than this (and than a tenth of the deadline) leaves a timeout to the target. */
const STALL_MIN_MS = 100;

export async function probe(monitor: ProbedMonitor, opts: ProbeOptions): Promise<Check> {
  const first = await attempt(monitor, opts);
  if (first.stalledMs === null) return first.check;
  opts.onStalledTimeout?.(first.stalledMs);
  return (await attempt(monitor, opts)).check;
}

/** One probe; stalledMs is set when it timed out because our own loop was blocked. */
async function attempt(monitor: ProbedMonitor, opts: ProbeOptions): Promise<{ check: Check; stalledMs: number | null }> {
  const now = opts.now ?? Date.now;
  const timestamp = now();
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? (monitor.timeout_ms > 0 ? monitor.timeout_ms : PROBE_DEFAULTS.timeoutMs);
  const stalls = watchLoopStalls();
  let stalledMs: number | null = null;
  const controller = new AbortController();
  const run: ProbeRun = {
    monitor,
    opts,
    deps: {
      lookup: opts.lookup ?? systemLookup,
      guard: opts.guard ?? createAddressGuard({ allowPrivate: opts.allowPrivate, allowedRanges: opts.allowedRanges }),
      secureContext: opts.secureContext ?? createProbeTrust(),
      signal: controller.signal,
    },
    timeoutMs,
    m: emptyMeasurements(),
    phase: null,
    tls: false,
  };
  const typeProbe = probeFor(monitor.type);
  let deadline: ProbeFailure | null = null;
  const timer = setTimeout(() => {
    const stalled = Math.round(stalls.stalledMs());
    const ours = stalled >= Math.max(STALL_MIN_MS, timeoutMs / 10);
    if (ours) stalledMs = stalled;
    const note = ours ? ` (this collector was itself unresponsive for ${stalled} ms meanwhile)` : '';
    const where = run.phase ?? connectingAt(run.m, run.tls);
    deadline = new ProbeFailure(typeProbe?.deadlineError ?? 'timeout', `timed out after ${timeoutMs} ms ${where}${note}`);
    controller.abort(deadline);
  }, timeoutMs);
  let failure: ProbeFailure | null = null;
  try {
    if (typeProbe === null) throw new ProbeFailure('protocol', `${monitor.type} monitors are not probed: their checks arrive as heartbeats`);
    await typeProbe.run(run);
  } catch (error) {
    failure = error instanceof ProbeFailure ? error : new ProbeFailure('connect', `probe failed: ${describeError(error)}`);
  } finally {
    clearTimeout(timer);
    stalls.close();
  }
  const { m } = run;
  const check: Check = {
    id: opts.newId ? opts.newId() : newCheckId(timestamp),
    monitor_id: monitor.id,
    owner_id: monitor.owner_id,
    monitor_name: monitor.name,
    monitor_type: monitor.type,
    url: monitor.url,
    method: m.method,
    observer: opts.observer,
    timestamp,
    next_at: (opts.scheduledAt ?? timestamp) + monitor.interval_seconds * 1000,
    status: failure === null ? 'up' : 'down',
    duration_us: micros(started),
    status_code: m.status_code,
    body_bytes: m.body_bytes,
    resolved_ip: m.resolved_ip,
    dns_us: m.dns_us,
    connect_us: m.connect_us,
    tls_us: m.tls_us,
    first_byte_us: m.first_byte_us,
    total_us: m.total_us,
    tls_version: m.tls_version,
    cert_not_after: m.cert_not_after,
    cert_issuer: m.cert_issuer,
    cert_sha256: m.cert_sha256,
    error_type: failure?.type ?? null,
    error_message: failure?.message ?? null,
    ...(m.dns === null ? {} : { dns: m.dns }),
  };
  return { check, stalledMs: failure !== null && failure === deadline ? stalledMs : null };
}
