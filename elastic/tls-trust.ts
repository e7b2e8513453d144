// Which certificate authority the client trusts for an https ELASTICSEARCH_URL, settled once at
// start-up with a TLS handshake, so that an untrusted certificate stops start-up with a line that
// says what to set (the client itself would only retry and report "Connection Error").
//
//   ELASTICSEARCH_CA_FILE         the CA's PEM certificate
//   ELASTICSEARCH_CA_FINGERPRINT  the CA's SHA-256: the certificate with that fingerprint is taken
//                                 from the chain the server presents, then used like a CA file
//   neither                       Node's bundled public CAs
//
// Why not the client's own `caFingerprint` option: for a private CA it needs
// `rejectUnauthorized: false`, and then it only compares the fingerprint of a certificate the
// server merely *sends* in its chain; the chain's signatures and the host name are not checked,
// so any server that appends the (public) CA certificate to its own passes. Here the pinned CA
// becomes the trust anchor of a normal verification: signatures, validity and host name.
//
//   const ca = await resolveTrust(new URL('https://es:9200'), { ELASTICSEARCH_CA_FINGERPRINT: 'ef80…' });

import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { connect, type ConnectionOptions, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';

/** A TLS trust problem, worded for the person starting the product (names what to set). */
export class TrustError extends Error {
  override name = 'TrustError';
}

export type TrustConfig = {
  ELASTICSEARCH_CA_FILE?: string | undefined;
  ELASTICSEARCH_CA_FINGERPRINT?: string | undefined;
};

const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * The PEM CA the client must trust (undefined: Node's public CAs), after one verified handshake
 * with `url`. Throws TrustError when the server's certificate is not trusted; a network failure
 * (refused, timeout) is thrown as it is.
 */
export async function resolveTrust(url: URL, config: TrustConfig): Promise<string | undefined> {
  if (url.protocol !== 'https:') return undefined;
  let ca: string | undefined;
  let source: string;
  if (config.ELASTICSEARCH_CA_FILE) {
    ca = await readCaFile(config.ELASTICSEARCH_CA_FILE);
    source = `is not signed by the CA in ELASTICSEARCH_CA_FILE=${config.ELASTICSEARCH_CA_FILE}: set it to the CA certificate that signed the server's`;
  } else if (config.ELASTICSEARCH_CA_FINGERPRINT) {
    ca = await pinnedCa(url, config.ELASTICSEARCH_CA_FINGERPRINT);
    source = 'is not signed by the CA that ELASTICSEARCH_CA_FINGERPRINT names: check the fingerprint, or set ELASTICSEARCH_CA_FILE';
  } else {
    source =
      "is not signed by a public CA: set ELASTICSEARCH_CA_FILE to the CA certificate that signed it (Elasticsearch's config/certs/http_ca.crt), or ELASTICSEARCH_CA_FINGERPRINT to that CA's SHA-256 fingerprint";
  }
  const socket = await handshake(url, { ...(ca ? { ca } : {}), rejectUnauthorized: false });
  const { authorized, authorizationError } = socket;
  socket.destroy();
  if (authorized) return ca;
  const reason = String(authorizationError);
  if (reason === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    throw new TrustError(
      `its TLS certificate is not valid for ${url.hostname} (${reason}): use in ELASTICSEARCH_URL a host name or address the certificate lists`,
    );
  }
  throw new TrustError(`its TLS certificate ${source} (${reason})`);
}

async function readCaFile(path: string): Promise<string> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    throw new TrustError(`cannot read ELASTICSEARCH_CA_FILE=${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new TrustError(`ELASTICSEARCH_CA_FILE=${path} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)`);
  }
  return pem;
}

/** The CA certificate (PEM) in the server's chain whose SHA-256 is `fingerprint` (64 hex digits). */
async function pinnedCa(url: URL, fingerprint: string): Promise<string> {
  // Verification is off for this handshake only: it reads the chain, it trusts nothing.
  const socket = await handshake(url, { rejectUnauthorized: false });
  const chain = peerChain(socket.getPeerCertificate(true));
  socket.destroy();
  const wanted = fingerprint.toLowerCase().replaceAll(':', '');
  const match = chain.find((cert) => cert.fingerprint256.toLowerCase().replaceAll(':', '') === wanted);
  if (!match) {
    throw new TrustError(
      `ELASTICSEARCH_CA_FINGERPRINT matches none of the certificates the server presents: check it (Elasticsearch prints it at its first start; or \`openssl x509 -fingerprint -sha256 -noout -in http_ca.crt\`), or set ELASTICSEARCH_CA_FILE`,
    );
  }
  const x509 = new X509Certificate(match.raw);
  if (!x509.ca) {
    throw new TrustError(
      "ELASTICSEARCH_CA_FINGERPRINT is the fingerprint of the server's own certificate, not of a CA: use the fingerprint of the CA that signed it",
    );
  }
  return x509.toString();
}

/** The certificates of a peer chain, leaf first, each once (a self-signed root points at itself). */
function peerChain(leaf: DetailedPeerCertificate): DetailedPeerCertificate[] {
  const chain: DetailedPeerCertificate[] = [];
  for (let cert: DetailedPeerCertificate | undefined = leaf; cert?.raw && !chain.includes(cert); cert = cert.issuerCertificate) {
    chain.push(cert);
  }
  return chain;
}

function handshake(url: URL, options: ConnectionOptions): Promise<TLSSocket> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port: Number(url.port || 443),
      // SNI carries names only, never addresses.
      ...(isIP(host) ? {} : { servername: host }),
      ...options,
    });
    socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () => {
      socket.destroy(new Error(`no TLS handshake with ${url.host} within ${HANDSHAKE_TIMEOUT_MS / 1000} s`));
    });
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
