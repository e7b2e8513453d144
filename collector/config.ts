// Probe and spool defaults in one place, and the TLS trust the probes share. The secure context is built once
// per collector: building one per probe would parse the whole root store every time.

import { createSecureContext, getCACertificates, type SecureContext } from 'node:tls';

export const PROBE_DEFAULTS = {
  /** Bodies are read up to this many bytes; the rest is not downloaded. */
  bodyCapBytes: 1024 * 1024,
  /** Redirects followed before the probe gives up with error.type = redirects. */
  maxRedirects: 5,
  userAgent: 'downtime-monitor/0.1 (uptime probe)',
  /** Response headers larger than this fail the probe with error.type = protocol (Node's default). */
  maxHeaderBytes: 16 * 1024,
  /** Used when a monitor carries no usable timeout (the API enforces a range). */
  timeoutMs: 10_000,
} as const;

/** SPOOL_MAX_BYTES's default: at ~80 bytes per spooled check, about 13 million checks. */
export const DEFAULT_SPOOL_MAX_BYTES = 1024 ** 3;

/**
 * TLS trust for probes: the system roots (including NODE_EXTRA_CA_CERTS), plus `ca` PEM
 * certificates when given (e.g. an internal CA). Certificates are always verified.
 */
export function createProbeTrust(ca?: string | readonly string[]): SecureContext {
  const extra = ca === undefined ? [] : typeof ca === 'string' ? [ca] : ca;
  // Classic key exchange groups only: OpenSSL 3.5 also offers the X25519MLKEM768 hybrid, which
  // costs ~0.1 ms of CPU per handshake, and a probe's handshake protects no secret worth it.
  const ecdhCurve = 'X25519:P-256:P-384:P-521';
  if (extra.length === 0) return createSecureContext({ ecdhCurve });
  // `ca` replaces the default roots, so start from them ('default' includes NODE_EXTRA_CA_CERTS).
  return createSecureContext({ ca: [...getCACertificates('default'), ...extra], ecdhCurve });
}
