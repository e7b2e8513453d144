// The http probe: one request per hop on a fresh connection (check/connect.ts, check/request.ts),
// redirects followed by hand (each hop guarded again, credentials dropped when the origin
// changes; a redirect that turns the method into GET drops the body), the body read to a cap
// (check/respbody.ts), then the monitor's rules, built once per monitor (check/validators.ts), in
// this order: status, keyword (present, or absent with keyword_absent), json_assertions (the
// body must be JSON and read whole), max_response_ms against http.rtt.total.
//
// Timing fields (microseconds), for the last hop when redirects were followed:
//   resolve.rtt.us              dns lookup call → address (0 for an IP literal)
//   tcp.rtt.connect.us          connect() → socket connected
//   tls.rtt.handshake.us        TLS start on the connected socket → handshake done
//   http.rtt.response_header.us request handed to the connection → response headers parsed
//   http.rtt.total.us           request handed to the connection → body read (or cap reached)

import type { HttpMethod } from '../../store/types.ts';
import type { ProbedMonitor } from '../probed-monitor.ts';
import { PROBE_DEFAULTS } from '../config.ts';
import { openConnection } from '../check/connect.ts';
import { ProbeFailure } from '../check/failure.ts';
import { sendRequest, type SentRequest } from '../check/request.ts';
import { readBody } from '../check/respbody.ts';
import { compileHttpRules, createKeywordScanner, type HttpRules } from '../check/validators.ts';
import { emptyMeasurements, type ProbeRun, type TypeProbe } from './types.ts';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect leaves the origin, as browsers do, so credentials stay with their site. */
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

const micros = (since: number) => Math.round((performance.now() - since) * 1000);

/** Rules per monitor object: the collector reloads monitors as new objects when one changes. */
const rulesByMonitor = new WeakMap<ProbedMonitor, HttpRules>();
/**
 * ...shared by monitors with the same rules (most expect "200-399" and nothing else): compiled
 * rules are a few hundred bytes, 15 MB of a probe thread at 50,000 monitors if each had its own.
 */
const rulesBySource = new Map<string, HttpRules>();
const RULE_SOURCES_KEPT = 10_000;

function rulesOf(monitor: ProbedMonitor): HttpRules {
  let rules = rulesByMonitor.get(monitor);
  if (rules === undefined) {
    const source = JSON.stringify([monitor.expect_status, monitor.keyword, monitor.keyword_absent, monitor.json_assertions, monitor.max_response_ms]);
    rules = rulesBySource.get(source);
    if (rules === undefined) {
      rules = compileHttpRules(monitor);
      if (rulesBySource.size >= RULE_SOURCES_KEPT) rulesBySource.clear();
      rulesBySource.set(source, rules);
    }
    rulesByMonitor.set(monitor, rules);
  }
  return rules;
}

export const httpProbe: TypeProbe = {
  async run(run) {
    const open: { request: SentRequest | null } = { request: null };
    try {
      await probeHttp(run, open);
    } finally {
      closeOpen(open);
    }
  },
};

async function probeHttp(run: ProbeRun, open: { request: SentRequest | null }): Promise<void> {
  const { monitor, opts, deps, m } = run;
  m.method = monitor.method;
  const rules = rulesOf(monitor);
  if (rules.statusProblem !== null) throw new ProbeFailure('status', `invalid expect_status ${JSON.stringify(monitor.expect_status)}: ${rules.statusProblem}`);
  const maxRedirects = opts.maxRedirects ?? PROBE_DEFAULTS.maxRedirects;
  const headers = requestHeaders(monitor, opts.userAgent ?? PROBE_DEFAULTS.userAgent);
  let url = parseTarget(monitor.url, 'connect', 'invalid monitor URL');
  let method: HttpMethod = monitor.method;
  let body = monitor.body;
  const visited = [url.href];

  for (let redirects = 0; ; redirects++) {
    run.phase = null;
    run.tls = url.protocol === 'https:';
    // Each hop measures afresh; the check shows the last one.
    Object.assign(m, emptyMeasurements(), { method: monitor.method });
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port === '' ? (run.tls ? 443 : 80) : Number(url.port);
    const socket = await openConnection({ hostname, port, tls: run.tls, alpn: ['http/1.1'] }, deps, m);

    run.phase = 'waiting for response headers';
    const sentAt = performance.now();
    const response = await sendRequest(socket, url, method, headers, body, deps.signal, PROBE_DEFAULTS.maxHeaderBytes);
    open.request = response;
    m.first_byte_us = micros(sentAt);
    m.status_code = response.statusCode;

    if (REDIRECTS.has(response.statusCode) && response.location !== null) {
      closeOpen(open);
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
        body = null;
        delete headers['content-type'];
      }
      url = next;
      continue;
    }

    run.phase = 'reading the body';
    const scanner = rules.keyword ? createKeywordScanner(rules.keyword.text) : null;
    const capBytes = opts.bodyCapBytes ?? PROBE_DEFAULTS.bodyCapBytes;
    const read = await readBody(response.body, { capBytes, scanner, signal: deps.signal, keep: rules.json.length > 0 });
    m.total_us = micros(sentAt);
    m.body_bytes = read.bytes;

    if (!rules.status(response.statusCode)) {
      throw new ProbeFailure('status', `status ${response.statusCode} is not in the expected ${monitor.expect_status}`);
    }
    if (scanner && rules.keyword && scanner.found === rules.keyword.absent) {
      if (rules.keyword.absent) {
        throw new ProbeFailure('keyword', `keyword ${JSON.stringify(rules.keyword.text)} found in the body, and must be absent (keyword_absent)`);
      }
      const where = method === 'HEAD' ? 'a HEAD response has no body' : read.truncated ? `not in the first ${capBytes} bytes of the body` : `not in the body (${read.bytes} bytes)`;
      throw new ProbeFailure('keyword', `keyword ${JSON.stringify(rules.keyword.text)} not found: ${where}`);
    }
    if (rules.json.length > 0) checkJson(rules, read.data ?? Buffer.alloc(0), read.truncated, capBytes);
    if (rules.maxResponseUs !== null && m.total_us > rules.maxResponseUs) {
      throw new ProbeFailure('slow', `the response took ${Math.round(m.total_us / 1000)} ms, more than max_response_ms ${monitor.max_response_ms} ms`);
    }
    return;
  }
}

/** Every json_assertions rule against the body; the first that fails is the check's cause. */
function checkJson(rules: HttpRules, data: Buffer, truncated: boolean, capBytes: number): void {
  if (truncated) throw new ProbeFailure('assertion', `the body is larger than ${capBytes} bytes: JSON assertions need all of it`);
  let document: unknown;
  try {
    document = JSON.parse(data.toString('utf8'));
  } catch (error) {
    const start = JSON.stringify(data.subarray(0, 60).toString('utf8'));
    throw new ProbeFailure('assertion', `the body is not JSON (${(error as Error).message}); it starts with ${start}`);
  }
  const problems = rules.json.flatMap((rule) => rule(document) ?? []);
  if (problems.length === 0) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more assertion${problems.length > 2 ? 's' : ''} failed)` : '';
  throw new ProbeFailure('assertion', `${problems[0]}${more}`);
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

function requestHeaders(monitor: ProbedMonitor, userAgent: string): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': userAgent, accept: '*/*' };
  for (const [name, value] of Object.entries(monitor.headers)) headers[name.toLowerCase()] = value;
  return headers;
}

/**
 * Given to undici when a probe's client is closed: without an error, undici builds one (with a
 * stack trace) for every close, which showed up in profiles at 1,000 probes/s.
 */
const PROBE_FINISHED = new Error('probe finished');

function closeOpen(open: { request: SentRequest | null }): void {
  const request = open.request;
  if (request === null) return;
  open.request = null;
  if (!request.body.readableEnded) request.body.destroy(PROBE_FINISHED);
  request.client.destroy(PROBE_FINISHED).catch(() => {});
}
