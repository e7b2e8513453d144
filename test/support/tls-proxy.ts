// A secured cluster for tests: nginx (the Debian package) terminating TLS in front of the test
// run's search engine, with certificates made by openssl at start (test-pki.ts) and credentials
// checked by nginx, answering 401 otherwise. nginx runs as a child of the test, in one process
// (`master_process off`, `daemon off`), with its config, pid, logs and temp files in a temp dir.
//
//   const proxy = await startTlsProxy({ upstream: 'http://127.0.0.1:9200' });
//   … ELASTICSEARCH_URL: proxy.apiKeyUrl, ELASTICSEARCH_API_KEY: proxy.apiKey, ELASTICSEARCH_CA_FILE: proxy.pki.caFile …
//   await proxy.stop();

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { htpasswdLine, makeTestPki, type TestPki } from './test-pki.ts';
import { freePort } from './free-port.ts';

export type TlsProxy = {
  /** Accepts only `Authorization: ApiKey <apiKey>`. */
  apiKeyUrl: string;
  /** Accepts only Basic auth with username and password. */
  basicUrl: string;
  /** The API-key server at 127.0.0.2, an address its certificate does not list. */
  unlistedHostUrl: string;
  /** Presents the forged chain (pki.forgedChainFile); accepts the API key. */
  forgedUrl: string;
  apiKey: string;
  username: string;
  password: string;
  pki: TestPki;
  /** Stops nginx, keeping its files: the cluster is unreachable until up(). */
  down(): Promise<void>;
  /** Starts nginx again on the same ports, with the same certificates and credentials. */
  up(): Promise<void>;
  stop(): Promise<void>;
};

/** The nginx binary on PATH or in the sbin directories (not on every user's PATH), or null. */
export function findNginx(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    try {
      accessSync(join(dir, 'nginx'), constants.X_OK);
      return join(dir, 'nginx');
    } catch {
      // not here
    }
  }
  return null;
}

export async function startTlsProxy(options: { upstream: string; nginx?: string }): Promise<TlsProxy> {
  const nginx = options.nginx ?? findNginx();
  if (!nginx) throw new Error('nginx is not installed (Debian: apt-get install nginx)');
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:') throw new Error(`the TLS proxy forwards to an http:// engine, not ${options.upstream}`);
  const dir = await mkdtemp(join(tmpdir(), 'tls-proxy-'));
  try {
    const pki = await makeTestPki(dir);
    const apiKey = randomBytes(24).toString('base64');
    const username = 'monitor_app';
    const password = randomBytes(18).toString('base64url');
    await writeFile(join(dir, 'htpasswd'), await htpasswdLine(username, password), { mode: 0o600 });
    // A port may be taken between finding it free and nginx binding it: try again with others.
    for (let attempt = 1; ; attempt += 1) {
      const ports = { apiKey: await freePort(), basic: await freePort(), forged: await freePort() };
      await writeFile(join(dir, 'nginx.conf'), nginxConfig({ dir, upstream: upstream.host, apiKey, ports, pki }));
      try {
        let child: ChildProcess | null = await runNginx(nginx, dir, Object.values(ports));
        return {
          apiKeyUrl: `https://127.0.0.1:${ports.apiKey}`,
          basicUrl: `https://localhost:${ports.basic}`,
          unlistedHostUrl: `https://127.0.0.2:${ports.apiKey}`,
          forgedUrl: `https://127.0.0.1:${ports.forged}`,
          apiKey,
          username,
          password,
          pki,
          async down() {
            if (child) await stopProcess(child);
            child = null;
          },
          async up() {
            child ??= await runNginx(nginx, dir, Object.values(ports));
          },
          async stop() {
            if (child) await stopProcess(child);
            child = null;
            await rm(dir, { recursive: true, force: true });
          },
        };
      } catch (error) {
        if (attempt >= 3 || !String(error).includes('Address already in use')) throw error;
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

type ConfigInput = {
  dir: string;
  upstream: string;
  apiKey: string;
  ports: { apiKey: number; basic: number; forged: number };
  pki: TestPki;
};

function nginxConfig({ dir, upstream, apiKey, ports, pki }: ConfigInput): string {
  const tls = (chain: string) => `ssl_certificate ${chain}; ssl_certificate_key ${pki.keyFile};`;
  const unauthorized = `return 401 '{"error":{"type":"security_exception","reason":"unable to authenticate"},"status":401}';`;
  return `
master_process off;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type application/json;
  # Bulk bodies of any size, streamed as they come; answers likewise.
  client_max_body_size 0;
  proxy_request_buffering off;
  proxy_buffering off;
  proxy_read_timeout 120s;
  # Keep-alive to the engine; request headers (the client's vendor media types, which the dev
  # node's compat plugin maps) and response headers (X-elastic-product) pass through unchanged.
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Authorization "";
  upstream engine { server ${upstream}; keepalive 16; }
  map $http_authorization $api_key_ok { "ApiKey ${apiKey}" 1; default 0; }
  server {
    listen 127.0.0.1:${ports.apiKey} ssl;
    listen 127.0.0.2:${ports.apiKey} ssl;
    ${tls(pki.chainFile)}
    location / {
      if ($api_key_ok = 0) { ${unauthorized} }
      proxy_pass http://engine;
    }
  }
  server {
    listen 127.0.0.1:${ports.basic} ssl;
    ${tls(pki.chainFile)}
    auth_basic "security";
    auth_basic_user_file ${dir}/htpasswd;
    location / { proxy_pass http://engine; }
  }
  server {
    listen 127.0.0.1:${ports.forged} ssl;
    ${tls(pki.forgedChainFile)}
    location / {
      if ($api_key_ok = 0) { ${unauthorized} }
      proxy_pass http://engine;
    }
  }
}
`;
}

/** Starts nginx and waits (60 s at most) until every port accepts connections. */
async function runNginx(nginx: string, dir: string, ports: number[]): Promise<ChildProcess> {
  const child = spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(async ([code]) => {
    const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
    throw new Error(`nginx exited with ${code} at start: ${stderr}${log}`.trim());
  });
  exited.catch(() => undefined);
  const deadline = Date.now() + 60_000;
  for (const port of ports) {
    while (!(await accepts(port))) {
      if (child.exitCode !== null || child.signalCode !== null) await exited;
      if (Date.now() > deadline) {
        await stopProcess(child);
        throw new Error(`nginx did not listen on ${port} within 60 s: ${stderr}`);
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 100))]);
    }
  }
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2_000, () => socket.destroy());
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => undefined); // 'close' follows
    socket.once('close', () => resolve(false));
  });
}
