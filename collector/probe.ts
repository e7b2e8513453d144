// One probe of one monitor → one check. Never throws: every failure becomes a typed error.type with
// a readable message, and the phases measured before it are kept. Redirects are followed by hand
// (each hop a fresh connection, guarded again), and one deadline covers the whole probe.
//
// A timeout is the target's fault only if the target really took that long. When our own event
// loop was blocked for a good part of the deadline (loop-stall.ts), the deadline timer fired late
// and the answer may already be waiting unread: the probe is run again at once, and that second
// attempt's result is the check. Should it time out during a stall too, its message says so.
//
// Timing fields (microseconds), for the last hop when redirects were followed:
//   resolve.rtt.us            dns lookup call → address (0 for an IP literal)
//   tcp.rtt.connect.us        connect() → socket connected
//   tls.rtt.handshake.us      TLS start on the connected socket → handshake done
//   http.rtt.response_header.us request handed to the connection → response headers parsed
//   http.rtt.total.us         request handed to the connection → body read (or cap reached)
//   monitor.duration.us       probe start → result, across every hop
//
// Example:
//   const check = await probe(monitor, { allowPrivate: false, observer: 'eu-1', secureContext });

import type { SecureContext } from 'node:tls';
import { newCheckId } from '../store/ids.ts';
import type { Check, HttpMethod, Monitor } from '../store/types.ts';
import { createAddressGuard, type AddressGuard } from '../net/address-guard.ts';
import { createProbeTrust, PROBE_DEFAULTS } from './config.ts';
import { watchLoopStalls } from './loop-stall.ts';
import { emptyHop, openConnection, systemLookup, type HopMeasurements, type LookupFn } from './check/connect.ts';
import { describeError, ProbeFailure } from './check/failure.ts';
import { sendRequest, type SentRequest } from './check/request.ts';
import { readBody } from './check/respbody.ts';
import { createKeywordScanner, parseExpectStatus } from './check/validators.ts';

export type ProbeOptions = {
  allowPrivate: boolean;
  /** CIDRs reachable even when private targets are refused. */
  allowedRanges?: readonly string[];
  /** The same policy prebuilt once (createAddressGuard); takes precedence over the two above. */
  guard?: AddressGuard;
  observer: string;
  /** Wall clock, epoch ms. */
  now?: () => number;
  /** When this probe was due; next_at = scheduledAt + interval. Defaults to the start time. */
  scheduledAt?: number;
  /** Shared TLS trust (createProbeTrust); built per probe when absent, which is slow. */
  secureContext?: SecureContext;
  lookup?: LookupFn;
  /** Check id maker; store/ids.ts newCheckId by default. */
  newId?: () => string;
  /** Overrides monitor.timeout_ms. */
  timeoutMs?: number;
  bodyCapBytes?: number;
  maxRedirects?: number;
  userAgent?: string;
  /** Told when a timeout was our own stall's doing and the probe is run again. */
  onStalledTimeout?: (stalledMs: number) => void;
};

type Progress = {
  phase: 'connecting' | 'waiting for response headers' | 'reading the body';
  https: boolean;
  hop: HopMeasurements;
  status_code: number | null;
  body_bytes: number | null;
  first_byte_us: number | null;
  total_us: number | null;
  open: SentRequest | null;
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect leaves the origin, as browsers do, so credentials stay with their site. */
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

const micros = (since: number) => Math.round((performance.now() - since) * 1000);

/** A stall shorter than this (and than a tenth of the deadline) leaves a timeout to the target. */
const STALL_MIN_MS = 100;

export async function probe(monitor: Monitor, opts: ProbeOptions): Promise<Check> {
  const first = await attempt(monitor, opts);
  if (first.stalledMs === null) return first.check;
  opts.onStalledTimeout?.(first.stalledMs);
  return (await attempt(monitor, opts)).check;
}

/** One probe; stalledMs is set when it timed out because our own loop was blocked. */
async function attempt(monitor: Monitor, opts: ProbeOptions): Promise<{ check: Check; stalledMs: number | null }> {
  const now = opts.now ?? Date.now;
  const timestamp = now();
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? (monitor.timeout_ms > 0 ? monitor.timeout_ms : PROBE_DEFAULTS.timeoutMs);
  const stalls = watchLoopStalls();
  let stalledMs: number | null = null;
  const progress: Progress = {
    phase: 'connecting',
    https: false,
    hop: emptyHop(),
    status_code: null,
    body_bytes: null,
    first_byte_us: null,
    total_us: null,
    open: null,
  };
  const controller = new AbortController();
  const timer = setTimeout(() => {
    const stalled = Math.round(stalls.stalledMs());
    const ours = stalled >= Math.max(STALL_MIN_MS, timeoutMs / 10);
    if (ours) stalledMs = stalled;
    const note = ours ? ` (this collector was itself unresponsive for ${stalled} ms meanwhile)` : '';
    controller.abort(new ProbeFailure('timeout', `timed out after ${timeoutMs} ms ${stalledAt(progress)}${note}`));
  }, timeoutMs);
  let failure: ProbeFailure | null = null;
  try {
    await run(monitor, opts, progress, controller.signal);
  } catch (error) {
    failure = error instanceof ProbeFailure ? error : new ProbeFailure('connect', `probe failed: ${describeError(error)}`);
  } finally {
    clearTimeout(timer);
    stalls.close();
    closeOpen(progress);
  }
  const { hop } = progress;
  const check: Check = {
    id: opts.newId ? opts.newId() : newCheckId(timestamp),
    monitor_id: monitor.id,
    owner_id: monitor.owner_id,
    monitor_name: monitor.name,
    monitor_type: monitor.type,
    url: monitor.url,
    method: monitor.method,
    observer: opts.observer,
    timestamp,
    next_at: (opts.scheduledAt ?? timestamp) + monitor.interval_seconds * 1000,
    status: failure === null ? 'up' : 'down',
    duration_us: micros(started),
    status_code: progress.status_code,
    body_bytes: progress.body_bytes,
    resolved_ip: hop.resolved_ip,
    dns_us: hop.dns_us,
    connect_us: hop.connect_us,
    tls_us: hop.tls_us,
    first_byte_us: progress.first_byte_us,
    total_us: progress.total_us,
    tls_version: hop.tls_version,
    cert_not_after: hop.cert_not_after,
    cert_issuer: hop.cert_issuer,
    cert_sha256: hop.cert_sha256,
    error_type: failure?.type ?? null,
    error_message: failure?.message ?? null,
  };
  return { check, stalledMs: failure?.type === 'timeout' ? stalledMs : null };
}

async function run(monitor: Monitor, opts: ProbeOptions, progress: Progress, signal: AbortSignal): Promise<void> {
  const expected = parseExpectStatus(monitor.expect_status);
  if (!expected.ok) throw new ProbeFailure('status', `invalid expect_status ${JSON.stringify(monitor.expect_status)}: ${expected.reason}`);
  const maxRedirects = opts.maxRedirects ?? PROBE_DEFAULTS.maxRedirects;
  const deps = {
    lookup: opts.lookup ?? systemLookup,
    guard: opts.guard ?? createAddressGuard({ allowPrivate: opts.allowPrivate, allowedRanges: opts.allowedRanges }),
    secureContext: opts.secureContext ?? createProbeTrust(),
    signal,
  };
  const headers = requestHeaders(monitor, opts.userAgent ?? PROBE_DEFAULTS.userAgent);
  let url = parseTarget(monitor.url, 'connect', 'invalid monitor URL');
  let method: HttpMethod = monitor.method;
  const visited = [url.href];

  for (let redirects = 0; ; redirects++) {
    progress.phase = 'connecting';
    progress.https = url.protocol === 'https:';
    progress.hop = emptyHop();
    progress.status_code = null;
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port === '' ? (progress.https ? 443 : 80) : Number(url.port);
    const socket = await openConnection({ hostname, port, https: progress.https }, deps, progress.hop);

    progress.phase = 'waiting for response headers';
    const sentAt = performance.now();
    const response = await sendRequest(socket, url, method, headers, signal, PROBE_DEFAULTS.maxHeaderBytes);
    progress.open = response;
    progress.first_byte_us = micros(sentAt);
    progress.status_code = response.statusCode;

    if (REDIRECTS.has(response.statusCode) && response.location !== null) {
      closeOpen(progress);
      if (redirects >= maxRedirects) {
        throw new ProbeFailure('redirects', `more than ${maxRedirects} redirects (last ${response.statusCode} to ${response.location})`);
      }
      const next = parseTarget(response.location, 'redirects', `redirect from ${url.href} to an invalid URL`, url);
      if (visited.includes(next.href)) {
        throw new ProbeFailure('redirects', `redirect loop: ${[...visited, next.href].join(' → ')}`);
      }
      visited.push(next.href);
      if (next.origin !== url.origin) for (const name of ORIGIN_BOUND_HEADERS) delete headers[name];
      if (response.statusCode === 303 || ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')) {
        method = 'GET';
      }
      url = next;
      continue;
    }

    progress.phase = 'reading the body';
    const scanner = monitor.keyword ? createKeywordScanner(monitor.keyword) : null;
    const capBytes = opts.bodyCapBytes ?? PROBE_DEFAULTS.bodyCapBytes;
    const body = await readBody(response.body, { capBytes, scanner, signal });
    progress.total_us = micros(sentAt);
    progress.body_bytes = body.bytes;

    if (!expected.match(response.statusCode)) {
      throw new ProbeFailure('status', `status ${response.statusCode} is not in the expected ${monitor.expect_status}`);
    }
    if (scanner && !scanner.found) {
      const where = method === 'HEAD' ? 'a HEAD response has no body' : body.truncated ? `not in the first ${capBytes} bytes of the body` : `not in the body (${body.bytes} bytes)`;
      throw new ProbeFailure('keyword', `keyword ${JSON.stringify(monitor.keyword)} not found: ${where}`);
    }
    return;
  }
}

/** `raw` as a URL to probe, relative to `base` (a Location header's target); else a typed failure. */
function parseTarget(raw: string, type: 'connect' | 'redirects', context: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new ProbeFailure(type, `${context}: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProbeFailure(type, `${context}: only http and https are probed, not ${url.protocol.replace(/:$/, '')}`);
  }
  return url;
}

function requestHeaders(monitor: Monitor, userAgent: string): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': userAgent, accept: '*/*' };
  for (const [name, value] of Object.entries(monitor.headers)) headers[name.toLowerCase()] = value;
  return headers;
}

function stalledAt(progress: Progress): string {
  if (progress.phase !== 'connecting') return progress.phase;
  if (progress.hop.dns_us === null) return 'resolving the host name';
  if (progress.hop.connect_us === null) return `connecting to ${progress.hop.resolved_ip}`;
  return progress.https ? 'in the TLS handshake' : 'connecting';
}

/**
 * Given to undici when a probe's client is closed: without an error, undici builds one (with a
 * stack trace) for every close, which showed up in profiles at 1,000 probes/s.
 */
const PROBE_FINISHED = new Error('probe finished');

function closeOpen(progress: Progress): void {
  const open = progress.open;
  if (open === null) return;
  progress.open = null;
  if (!open.body.readableEnded) open.body.destroy(PROBE_FINISHED);
  open.client.destroy(PROBE_FINISHED).catch(() => {});
}
