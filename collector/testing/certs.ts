// Test and benchmark support: a throw-away certificate authority made with openssl at run time,
// and server certificates it signs. ECDSA P-256 keeps handshakes cheap for the benchmark.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TestPki = {
  caCert: string;
  /** Signs a certificate for `names` (DNS names or IP addresses) valid for `days`. */
  issue(names: string[], opts?: { days?: number; commonName?: string }): { key: string; cert: string };
  dispose(): void;
};

export function createTestPki(caName = 'Downtime Test CA'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'dm-pki-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const ecKey = (file: string) => run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file);
  ecKey('ca.key');
  run('req', '-x509', '-new', '-key', 'ca.key', '-days', '30', '-subj', `/CN=${caName}`, '-out', 'ca.pem',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  let serial = 0;
  return {
    caCert: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    issue(names, opts = {}) {
      const n = ++serial;
      ecKey(`s${n}.key`);
      run('req', '-new', '-key', `s${n}.key`, '-subj', `/CN=${opts.commonName ?? names[0] ?? 'server'}`, '-out', `s${n}.csr`);
      const san = names.map((name) => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
      writeFileSync(join(dir, `s${n}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
      run('x509', '-req', '-in', `s${n}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(1000 + n),
        '-days', String(opts.days ?? 10), '-extfile', `s${n}.ext`, '-out', `s${n}.pem`);
      return { key: readFileSync(join(dir, `s${n}.key`), 'utf8'), cert: readFileSync(join(dir, `s${n}.pem`), 'utf8') };
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
