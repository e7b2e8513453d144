// Static checks of docker-compose.yml, the Dockerfile and .env.example (no Docker engine here):
// docker-compose itself validates the file when installed, and the rules below hold whatever the
// engine: pinned images, health checks behind every "healthy" dependency, the app's required
// configuration present (run through the app's own config parser), secrets never defaulted.

import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../config.ts';

type Service = {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string | number | boolean>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  restart?: string;
};

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
const dockerfile = read('Dockerfile');
const envExample = read('.env.example');
const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

/** Secrets a user must provide: the `${VAR:?…}` variables. */
const REQUIRED = [...new Set([...composeText.matchAll(/\$\{(\w+):\?/g)].map((m) => m[1] as string))];
const TEST_VALUES = Object.fromEntries(REQUIRED.map((name) => [name, `test-${name.toLowerCase()}-0123456789abcdef0123456789`]));

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR:?message}, and $$ for a literal $. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\{(\w+)(?::([-?])([^}]*))?\}/g, (match, name?: string, op?: string, arg?: string) => {
    if (match === '$$') return '$';
    const set = env[name as string];
    if (set) return set;
    if (op === '?') throw new Error(`${name} is required: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

const ONE_SHOT = new Set(['setup', 'setup-app']);
const LONG_RUNNING = Object.keys(services).filter((name) => !ONE_SHOT.has(name));

const hasDockerCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasDockerCompose) console.warn('\n*** docker-compose not installed: skipping `docker-compose config` (the static rules still run) ***\n');

describe('docker-compose config', () => {
  const envFile = (values: Record<string, string>) => {
    const file = join(mkdtempSync(join(tmpdir(), 'compose-env-')), 'test.env');
    writeFileSync(file, Object.entries(values).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    return file;
  };
  const run = (file: string) =>
    spawnSync('docker-compose', ['--env-file', file, '-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });

  it.skipIf(!hasDockerCompose)('accepts the file with every secret set', () => {
    const result = run(envFile(TEST_VALUES));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.skipIf(!hasDockerCompose)('refuses to start without a secret, naming it', () => {
    const { JWT_SECRET: _omitted, ...rest } = TEST_VALUES;
    const result = run(envFile(rest));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('set JWT_SECRET in .env');
  });
});

describe('docker-compose.yml rules', () => {
  it('pins every image to an exact version', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, `${name} has an image`).toBeDefined();
      expect(service.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
    }
  });

  it('runs Elasticsearch and Kibana on the same 8.19 release, over TLS with security on', () => {
    const tag = (name: string) => services[name]?.image?.split(':')[1];
    expect(tag('elasticsearch')).toMatch(/^8\.19\.\d+$/);
    expect(tag('kibana')).toBe(tag('elasticsearch'));
    expect(tag('setup')).toBe(tag('elasticsearch'));
    const es = services.elasticsearch?.environment ?? {};
    expect(es['xpack.security.enabled']).toBe('true');
    expect(es['xpack.security.http.ssl.enabled']).toBe('true');
    expect(services.kibana?.environment?.ELASTICSEARCH_HOSTS).toBe('https://elasticsearch:9200');
    expect(services.kibana?.environment?.ELASTICSEARCH_SSL_CERTIFICATEAUTHORITIES).toBeDefined();
  });

  it('makes the CA and certificates with elasticsearch-certutil and sets the kibana_system password', () => {
    const script = [services.setup?.command ?? []].flat().join('\n');
    expect(script).toMatch(/elasticsearch-certutil ca\b/);
    expect(script).toMatch(/elasticsearch-certutil cert\b/);
    expect(script).toContain('/_security/user/kibana_system/_password');
  });

  it('gives every long-running service a health check', () => {
    for (const name of LONG_RUNNING) {
      const check = services[name]?.healthcheck;
      expect(check?.disable, name).not.toBe(true);
      expect(check?.test?.length, `${name} healthcheck`).toBeGreaterThan(0);
    }
  });

  it('orders start-up with valid depends_on conditions and no cycle', () => {
    const valid = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);
    for (const [name, service] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[target], `${name} depends on unknown ${target}`).toBeDefined();
        expect(valid.has(condition), `${name} -> ${target}: ${condition}`).toBe(true);
        if (condition === 'service_healthy') {
          expect(services[target]?.healthcheck?.test, `${target} needs a healthcheck for ${name}`).toBeDefined();
          expect(services[target]?.healthcheck?.disable).not.toBe(true);
        }
        if (condition === 'service_completed_successfully') {
          expect(ONE_SHOT.has(target), `${name} waits for ${target} to exit`).toBe(true);
          expect(services[target]?.restart ?? 'no').toBe('no');
        }
      }
    }
    const visiting = new Set<string>();
    const visit = (name: string, path: string[]) => {
      expect(visiting.has(name), `cycle ${[...path, name].join(' -> ')}`).toBe(false);
      visiting.add(name);
      for (const target of Object.keys(services[name]?.depends_on ?? {})) visit(target, [...path, name]);
      visiting.delete(name);
    };
    for (const name of Object.keys(services)) visit(name, []);
    expect(services.app?.depends_on?.['setup-app']?.condition).toBe('service_completed_successfully');
  });

  it('runs the app on the Elasticsearch store with every variable its configuration requires', () => {
    const env = Object.fromEntries(
      Object.entries(services.app?.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), TEST_VALUES)]),
    );
    const config = loadConfig(env);
    expect(config.STORE).toBe('elasticsearch');
    expect(config.ELASTICSEARCH_URL).toBe('https://elasticsearch:9200');
    expect(config.JWT_SECRET).toBe(TEST_VALUES.JWT_SECRET);
    expect(config.ELASTICSEARCH_USERNAME && config.ELASTICSEARCH_PASSWORD).toBeTruthy();
    expect(config.SMTP_URL).toBe('smtp://mailpit:1025');
    expect(config.MAIL_FROM).toBeTruthy();
    expect(env.PUBLIC_URL).toBeTruthy();
    expect(config.HOST).toBe('0.0.0.0');
    // The CA file lies in a volume the app mounts, the one the setup service writes certificates to.
    const mount = services.app?.volumes?.find((v) => config.ELASTICSEARCH_CA_FILE?.startsWith(`${v.split(':')[1]}/`));
    expect(mount?.split(':')[0]).toBe('certs');
    expect(services.setup?.volumes?.some((v) => v.startsWith('certs:'))).toBe(true);
  });

  it('makes the app refuse to start when a secret is missing (no default secret ships)', () => {
    expect(() => interpolate(String(services.app?.environment?.JWT_SECRET), {})).toThrow('JWT_SECRET is required');
  });

  it('runs the template install and dashboard import with scripts package.json defines', () => {
    const command = [services['setup-app']?.command ?? []].flat().join(' ');
    const scripts = [...command.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1] as string);
    expect(scripts).toEqual(['es:setup', 'dashboards:import']);
    for (const script of scripts) expect(packageJson.scripts[script], script).toBeDefined();
    expect(services['setup-app']?.environment?.KIBANA_URL).toBe('http://kibana:5601');
  });

  it('publishes ports on the loopback interface only', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
  });
});

describe('.env.example', () => {
  const lines = Object.fromEntries(
    envExample
      .split('\n')
      .filter((l) => /^\w+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

  it('lists every variable the compose file reads', () => {
    const used = new Set([...composeText.matchAll(/\$\{(\w+)/g)].map((m) => m[1] as string));
    expect([...used].filter((name) => !(name in lines))).toEqual([]);
  });

  it('leaves every secret empty', () => {
    expect(REQUIRED.length).toBeGreaterThanOrEqual(5);
    for (const name of REQUIRED) expect(lines[name], name).toBe('');
  });
});

describe('Dockerfile', () => {
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const final = stages.at(-1) ?? '';

  it('builds on pinned node 24 slim images, in more than one stage', () => {
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const image of froms) expect(image).toMatch(/^node:24\.\d+\.\d+-slim$/);
  });

  it('installs production dependencies only, from the lockfile', () => {
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(final).toContain('COPY --from=deps /app/node_modules');
  });

  it('runs as a non-root user with a health check and node main.ts, with the flags npm start passes', () => {
    const user = /^USER (\S+)/m.exec(final)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(final).toMatch(/^HEALTHCHECK .*\/healthz/ms);
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start.split(' ');
    expect(start[0]).toBe('node');
    const flags = start.filter((word) => word.startsWith('--'));
    expect(flags).toContain('--expose-gc'); // the heap release after a bulk import needs it
    expect(final).toContain(`CMD [${['node', ...flags, 'main.ts'].map((word) => JSON.stringify(word)).join(', ')}]`);
  });

  it("keeps Node's compile cache where the image's user can write it, in its volume", () => {
    const volume = /^VOLUME \["([^"]+)"\]/m.exec(final)?.[1];
    const cache = /NODE_COMPILE_CACHE=(\S+)/.exec(final)?.[1];
    expect(volume).toBeDefined();
    expect(cache?.startsWith(`${volume}/`)).toBe(true);
    expect(final).toContain(`chown node:node ${volume}`);
  });

  it('keeps dependencies, local data and secrets out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', '.env', 'data', '.git', '.tools']) expect(ignored).toContain(entry);
  });

  it('has a health check that passes on a 200 from /healthz and fails otherwise', async () => {
    const script = /"node", "-e", "(.*)"\]/.exec(final)?.[1]?.replace(/\\"/g, '"') ?? '';
    expect(script).toContain('/healthz');
    let status = 200;
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = String((server.address() as AddressInfo).port);
    const exitCode = () =>
      new Promise<number>((resolve) => {
        execFile(process.execPath, ['-e', script], { env: { PORT: port }, timeout: 10_000 }, (error) =>
          resolve(error ? Number(error.code ?? 1) : 0),
        );
      });
    try {
      expect(await exitCode()).toBe(0);
      status = 503;
      expect(await exitCode()).toBe(1);
    } finally {
      server.close();
    }
    expect(await exitCode()).toBe(1); // nothing listening
    expect(paths).toEqual(['/healthz', '/healthz']);
  });
});
