// The http probe: one request per hop on a fresh connection (check/connect.ts, check/request.ts),
// redirects followed by hand (each hop guarded again, credentials dropped when the origin
// changes), the body read to a cap (check/respbody.ts), then the monitor's rules: status, keyword.
//
// Timing fields (microseconds), for the last hop when redirects were followed:
//   resolve.rtt.us              dns lookup call → address (0 for an IP literal)
//   tcp.rtt.connect.us          connect() → socket connected
//   tls.rtt.handshake.us        TLS start on the connected socket → handshake done
//   http.rtt.response_header.us request handed to the connection → response headers parsed
//   http.rtt.total.us           request handed to the connection → body read (or cap reached)

import type { HttpMethod, Monitor } from '../../store/types.ts';
import { PROBE_DEFAULTS } from '../config.ts';
import { openConnection } from '../check/connect.ts';
import { ProbeFailure } from '../check/failure.ts';
import { sendRequest, type SentRequest } from '../check/request.ts';
import { readBody } from '../check/respbody.ts';
import { createKeywordScanner, parseExpectStatus } from '../check/validators.ts';
import { emptyMeasurements, type ProbeRun, type TypeProbe } from './types.ts';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect leaves the origin, as browsers do, so credentials stay with their site. */
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

const micros = (since: number) => Math.round((performance.now() - since) * 1000);

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
  const expected = parseExpectStatus(monitor.expect_status);
  if (!expected.ok) throw new ProbeFailure('status', `invalid expect_status ${JSON.stringify(monitor.expect_status)}: ${expected.reason}`);
  const maxRedirects = opts.maxRedirects ?? PROBE_DEFAULTS.maxRedirects;
  const headers = requestHeaders(monitor, opts.userAgent ?? PROBE_DEFAULTS.userAgent);
  let url = parseTarget(monitor.url, 'connect', 'invalid monitor URL');
  let method: HttpMethod = monitor.method;
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
    const response = await sendRequest(socket, url, method, headers, deps.signal, PROBE_DEFAULTS.maxHeaderBytes);
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
      }
      url = next;
      continue;
    }

    run.phase = 'reading the body';
    const scanner = monitor.keyword ? createKeywordScanner(monitor.keyword) : null;
    const capBytes = opts.bodyCapBytes ?? PROBE_DEFAULTS.bodyCapBytes;
    const body = await readBody(response.body, { capBytes, scanner, signal: deps.signal });
    m.total_us = micros(sentAt);
    m.body_bytes = body.bytes;

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
