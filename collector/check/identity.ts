// A cheaper certificate for Node's server-identity check. During the handshake Node calls
// socket.getPeerCertificate(true), which decodes the whole chain with three fingerprints per
// certificate: ~90 µs per handshake, the largest single JavaScript-visible cost in profiles of
// HTTPS probes. While the handshake runs, the socket answers that call with the two fields that
// tls.checkServerIdentity reads (subject CN and subjectaltname), taken from the lazily decoded
// X509Certificate. Node's own checkServerIdentity still makes the decision, with its own rules;
// the override is removed as soon as the handshake ends, so later callers see the real method.

import type { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

/**
 * Installs the override; call the returned function on secureConnect or error. `peer` must be
 * memoised by the caller: Node hands out the peer's X509Certificate only once per socket.
 */
export function lightenIdentityCheck(socket: TLSSocket, peer: () => X509Certificate | undefined): () => void {
  const light = (): DetailedPeerCertificate => {
    const x509 = peer();
    if (!x509) return {} as DetailedPeerCertificate;
    const names = [...x509.subject.matchAll(/^CN=(.*)$/gm)].map((m) => m[1] ?? '');
    const subject = { CN: names.length > 1 ? names : names[0] };
    // Only the fields checkServerIdentity reads; the cast is confined to this override.
    return { subject, subjectaltname: x509.subjectAltName } as unknown as DetailedPeerCertificate;
  };
  Object.defineProperty(socket, 'getPeerCertificate', { value: light, configurable: true, writable: true });
  return () => {
    delete (socket as { getPeerCertificate?: unknown }).getPeerCertificate;
  };
}
