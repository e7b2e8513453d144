// Certificates made by openssl at test time, as an operator would make them for a cluster: a CA,
// a server certificate for 127.0.0.1 and localhost signed by it, and the deliberately wrong ones
// the trust tests need (another CA, a forgery that names the CA without being signed by it).
//
//   const pki = await makeTestPki(dir);   // files in dir; fingerprints as openssl prints them

import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type TestPki = {
  /** The CA's PEM certificate (what ELASTICSEARCH_CA_FILE points at). */
  caFile: string;
  /** The CA's SHA-256 as `openssl x509 -fingerprint -sha256` prints it: AA:BB:… */
  caFingerprint: string;
  /** Server certificate (leaf, then the CA: the full chain, as Elasticsearch sends it) and key. */
  chainFile: string;
  keyFile: string;
  /** SHA-256 of the server's own certificate (not a CA). */
  serverFingerprint: string;
  /** Another CA, unrelated to the server. */
  otherCaFile: string;
  otherCaFingerprint: string;
  /**
   * A chain whose leaf has the CA's name as issuer but is signed by an impostor key, followed by
   * the real CA certificate: the fingerprint of a certificate in it matches, the signature does not.
   */
  forgedChainFile: string;
};

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const CA_EXTENSIONS = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];

export async function makeTestPki(dir: string): Promise<TestPki> {
  const file = (name: string) => join(dir, name);
  const caSubject = `/CN=downtime-monitor test CA ${randomBytes(4).toString('hex')}`;
  await makeCa(file('ca'), caSubject);
  await makeCa(file('other-ca'), `/CN=some other CA ${randomBytes(4).toString('hex')}`);
  // Same name as the real CA, different key.
  await makeCa(file('impostor-ca'), caSubject);

  await run('openssl', ['req', ...EC_KEY, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost']);
  const leafExtensions = ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'basicConstraints=CA:FALSE', 'extendedKeyUsage=serverAuth'];
  await writeFile(file('server.ext'), leafExtensions.join('\n') + '\n');
  // Without an authority key id, nothing but the signature tells the forgery from the real one.
  await writeFile(file('forged.ext'), [...leafExtensions, 'authorityKeyIdentifier=none'].join('\n') + '\n');
  await signLeaf(file('server.csr'), file('ca'), file('server.ext'), file('server.crt'));
  await signLeaf(file('server.csr'), file('impostor-ca'), file('forged.ext'), file('forged.crt'));

  await concat([file('server.crt'), file('ca.crt')], file('chain.pem'));
  await concat([file('forged.crt'), file('ca.crt')], file('forged-chain.pem'));
  return {
    caFile: file('ca.crt'),
    caFingerprint: await fingerprint(file('ca.crt')),
    chainFile: file('chain.pem'),
    keyFile: file('server.key'),
    serverFingerprint: await fingerprint(file('server.crt')),
    otherCaFile: file('other-ca.crt'),
    otherCaFingerprint: await fingerprint(file('other-ca.crt')),
    forgedChainFile: file('forged-chain.pem'),
  };
}

/** An htpasswd line for nginx's auth_basic (apr1 hash, made by openssl). */
export async function htpasswdLine(username: string, password: string): Promise<string> {
  // On stdin, not as an argument: a random password may start with "-" and read as an option.
  const hash = execFileSync('openssl', ['passwd', '-apr1', '-stdin'], { input: `${password}\n`, encoding: 'utf8', timeout: 10_000 });
  return `${username}:${hash.trim()}\n`;
}

async function makeCa(base: string, subject: string): Promise<void> {
  await run('openssl', ['req', '-x509', ...EC_KEY, '-keyout', `${base}.key`, '-out', `${base}.crt`, '-days', '2', '-subj', subject, ...CA_EXTENSIONS]);
}

async function signLeaf(csr: string, caBase: string, extFile: string, out: string): Promise<void> {
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', `${caBase}.crt`, '-CAkey', `${caBase}.key`, '-CAcreateserial', '-days', '2', '-extfile', extFile, '-out', out]);
}

async function fingerprint(certFile: string): Promise<string> {
  const { stdout } = await run('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', certFile]);
  // "sha256 Fingerprint=AA:BB:…" (the prefix's case varies between openssl versions)
  return stdout.trim().replace(/^.*=/, '');
}

async function concat(files: string[], out: string): Promise<void> {
  const parts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
  await writeFile(out, parts.join(''));
}
