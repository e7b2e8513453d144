// Opens one fresh connection for one request, timing each phase itself: DNS lookup, TCP connect,
// TLS handshake. The address guard runs on the address actually dialled (the lookup result is used
// directly, never resolved again), so a name that rebinds between a check and the connect cannot
// reach a private address. TLS is verified against the shared secure context; an untrusted
// certificate fails the probe after its details are recorded, before any request byte is sent.

import { lookup as dnsLookup } from 'node:dns/promises';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import { connect as tlsConnect, type SecureContext, type TLSSocket } from 'node:tls';
import type { AddressGuard } from '../../net/address-guard.ts';
import { asFailure, ProbeFailure } from './failure.ts';
import { lightenIdentityCheck } from './identity.ts';

export type LookupFn = (hostname: string) => Promise<{ address: string; family: number }>;

export const systemLookup: LookupFn = (hostname) => dnsLookup(hostname, { order: 'verbatim' });

/** `tls`: handshake after connecting (https, tls://); `alpn`: protocols offered in it (none when absent). */
export type Target = { hostname: string; port: number; tls: boolean; alpn?: string[] };

/** What one hop measured; fields stay null for phases that did not happen or did not finish. */
export type HopMeasurements = {
  resolved_ip: string | null;
  dns_us: number | null;
  connect_us: number | null;
  tls_us: number | null;
  tls_version: string | null;
  cert_not_after: number | null;
  cert_issuer: string | null;
  cert_sha256: string | null;
};

export type ConnectDeps = {
  lookup: LookupFn;
  guard: AddressGuard;
  secureContext: SecureContext;
  signal: AbortSignal;
};

const micros = (since: number) => Math.round((performance.now() - since) * 1000);
const noop = () => {};

/** Resolves, guards, connects and (for https and tls://) handshakes. Throws ProbeFailure. */
export async function openConnection(target: Target, deps: ConnectDeps, m: HopMeasurements): Promise<Socket> {
  const ip = await resolve(target.hostname, deps, m);
  const reason = deps.guard(ip);
  if (reason !== null) throw new ProbeFailure('blocked', `refused to connect to ${target.hostname}: ${reason} (ALLOW_PRIVATE_TARGETS is off)`);
  let started = performance.now();
  const socket = await settle<Socket>(deps.signal, (done, fail) => {
    const s = netConnect({ host: ip, port: target.port, noDelay: true });
    // Errors after hand-off are reported through undici's own listener; this one only keeps a
    // late error from becoming an uncaught exception.
    s.on('error', noop);
    const onError = (e: Error) => fail(asFailure(e, 'connect', `could not connect to ${ip}:${target.port}`));
    s.once('connect', () => {
      s.off('error', onError);
      done(s);
    });
    s.once('error', onError);
    return () => s.destroy();
  });
  m.connect_us = micros(started);
  if (!target.tls) return socket;

  started = performance.now();
  let peerCert: X509Certificate | undefined;
  const secure = await settle<TLSSocket>(deps.signal, (done, fail) => {
    const s = tlsConnect({
      socket,
      host: target.hostname,
      servername: isIP(target.hostname) === 0 ? target.hostname : undefined,
      secureContext: deps.secureContext,
      // Verified below instead, so that an untrusted certificate's details can still be recorded.
      rejectUnauthorized: false,
      ...(target.alpn ? { ALPNProtocols: target.alpn } : {}),
    });
    s.on('error', noop);
    const restore = lightenIdentityCheck(s, () => (peerCert ??= s.getPeerX509Certificate()));
    const onError = (e: Error) => {
      restore();
      fail(asFailure(e, 'tls', 'TLS handshake failed'));
    };
    s.once('secureConnect', () => {
      restore();
      s.off('error', onError);
      done(s);
    });
    s.once('error', onError);
    return () => {
      s.destroy();
      socket.destroy();
    };
  });
  m.tls_us = micros(started);
  m.tls_version = secure.getProtocol();
  // The X509Certificate view decodes fields lazily: ~10x cheaper than getPeerCertificate().
  const cert = (peerCert ??= secure.getPeerX509Certificate());
  if (cert) {
    const notAfter = cert.validToDate.getTime();
    m.cert_not_after = Number.isNaN(notAfter) ? null : notAfter;
    m.cert_issuer = /^CN=(.*)$/m.exec(cert.issuer)?.[1] ?? null;
    // "AB:CD:…" → "abcd…", the form ECS gives tls.server.hash.sha256.
    m.cert_sha256 = cert.fingerprint256.replaceAll(':', '').toLowerCase();
  }
  if (!secure.authorized) {
    secure.destroy();
    socket.destroy();
    throw new ProbeFailure('tls', untrustedMessage(target.hostname, secure.authorizationError));
  }
  return secure;
}

/** Readable reasons for the verification codes people meet; others keep OpenSSL's code. */
const TLS_REASONS: Record<string, string> = {
  ERR_TLS_CERT_ALTNAME_INVALID: 'it is issued for other names',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends in an untrusted self-signed root',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is unknown (incomplete chain or untrusted CA)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is unknown (incomplete chain or untrusted CA)',
};

function untrustedMessage(hostname: string, error: Error | string | null | undefined): string {
  const code = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error);
  const reason = TLS_REASONS[code];
  return `certificate of ${hostname} not trusted: ${reason ? `${reason} (${code})` : code}`;
}

async function resolve(hostname: string, deps: ConnectDeps, m: HopMeasurements): Promise<string> {
  if (isIP(hostname) !== 0) {
    m.dns_us = 0;
    m.resolved_ip = hostname;
    return hostname;
  }
  const started = performance.now();
  // A system lookup cannot be cancelled; the race lets the probe's deadline win anyway.
  const { address } = await settle<{ address: string }>(deps.signal, (done, fail) => {
    deps.lookup(hostname).then(done, (e) => fail(asFailure(e, 'dns', `could not resolve ${hostname}`)));
    return noop;
  });
  m.dns_us = micros(started);
  m.resolved_ip = address;
  return address;
}

/**
 * A promise for one phase that also settles when the probe's deadline fires: `cancel` then
 * releases what the phase holds and the promise rejects with the signal's reason.
 */
export function settle<T>(
  signal: AbortSignal,
  start: (done: (value: T) => void, fail: (error: unknown) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolvePromise, rejectPromise) => {
    if (signal.aborted) {
      rejectPromise(signal.reason);
      return;
    }
    let finished = false;
    let cancel: () => void = noop;
    const onAbort = () => {
      if (finished) return;
      finished = true;
      cancel();
      rejectPromise(signal.reason);
    };
    cancel = start(
      (value) => {
        if (finished) return;
        finished = true;
        signal.removeEventListener('abort', onAbort);
        resolvePromise(value);
      },
      (error) => {
        if (finished) return;
        finished = true;
        signal.removeEventListener('abort', onAbort);
        cancel();
        rejectPromise(error);
      },
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Where a connection was when the deadline fired, from what it had measured so far. */
export function connectingAt(m: HopMeasurements, tls: boolean): string {
  if (m.dns_us === null) return 'resolving the host name';
  if (m.connect_us === null) return `connecting to ${m.resolved_ip}`;
  return tls ? 'in the TLS handshake' : 'connecting';
}
