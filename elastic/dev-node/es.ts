// Starts and stops the local search-engine node for development and CI: OpenSearch 2.19.6 in one
// JVM, built from this folder's Maven project (README.md beside this file says why OpenSearch).
// It runs in the background on 127.0.0.1; pid file, data and log live under `.es/` in the repo.
//
//   npm run es:start        (ES_PORT=9201 for another port, ES_JAVA_OPTS to change the heap)
//   npm run es:stop
//
// Library use (the vitest global setup): `const node = await startDevNode({ port: 9200 })`, and
// `await stopDevNode()` if `node.started`.

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEV_NODE_DIR = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ES_DIR = join(ROOT, '.es');
const PID_FILE = join(ES_DIR, 'node.pid');
const LOG_FILE = join(ES_DIR, 'node.log');
// The running node's URL, for scripts (`ES_URL=$(cat .es/node.url)`) and to tell a second start on
// another port that the data folder is taken.
const URL_FILE = join(ES_DIR, 'node.url');
const TARGET = join(DEV_NODE_DIR, 'target');
// Written after a successful `mvn package` only: a build cut short leaves none, so it reruns.
const BUILD_STAMP = join(TARGET, 'dev-node.built');
const MAIN_CLASS = 'dev.downtimemonitor.devnode.DevNode';
const CLUSTER_NAME = 'downtime-monitor-dev';
// -Xmx1g is plenty for tests and benchmarks on a 2-core, shared machine; -Xms512m lets it start
// smaller than the cap. The -D flags are the ones OpenSearch's own launcher always adds: date
// parsing depends on the locale providers, and log4j must outlive the shutdown hook that closes
// the node so that its last lines reach the log.
const DEFAULT_HEAP = ['-Xms512m', '-Xmx1g'];
const SYSTEM_JVM_OPTIONS = [
  '-Djava.locale.providers=SPI,COMPAT',
  '-Dfile.encoding=UTF-8',
  '-Dlog4j.shutdownHookEnabled=false',
  '-Dlog4j2.disable.jmx=true',
  '-XX:-OmitStackTraceInFastThrow',
];

export const DEFAULT_PORT = 9200;

export type DevNode = {
  url: string;
  pid: number | null;
  /** False when a dev node was already running: the caller must not stop it then. */
  started: boolean;
  version: string;
  /** Seconds from launch to a yellow or green cluster; 0 when it was already running. */
  seconds: number;
};

export type StartOptions = {
  port?: number;
  /** Bound on launch-to-healthy; a busy 2-core machine needs up to ~70 s. */
  timeoutMs?: number;
  log?: (line: string) => void;
};

type NodeInfo = { clusterName: string; distribution: string; version: string };

export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** True when startDevNode can work here: java, and mvn unless the build is already there. */
export function canRunDevNode(): boolean {
  return onPath('java') && (onPath('mvn') || !needsBuild());
}

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function needsBuild(): boolean {
  if (!existsSync(BUILD_STAMP)) return true;
  const sources = Math.max(newestMtime(join(DEV_NODE_DIR, 'pom.xml')), newestMtime(join(DEV_NODE_DIR, 'src')));
  return sources > statSync(BUILD_STAMP).mtimeMs;
}

function build(log: (line: string) => void): void {
  if (!onPath('mvn')) throw new Error('es:start: the dev node needs building and `mvn` is not on PATH');
  log('es:start: building elastic/dev-node with Maven (a first build downloads ~80 MB from Maven Central) …');
  const started = performance.now();
  // clean: a changed pom must not leave old jars in target/lib, which is the classpath.
  // Output kept for a failure only: quiet Maven still prints stray ANSI codes.
  const result = spawnSync('mvn', ['-q', '-B', 'clean', 'package', '-DskipTests'], {
    cwd: DEV_NODE_DIR,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.replace(/\x1b\[[0-9;]*m/g, '').trim();
    throw new Error(`es:start: mvn package failed in elastic/dev-node (exit ${result.status ?? result.signal}):\n${output}`);
  }
  writeFileSync(BUILD_STAMP, `${new Date().toISOString()}\n`);
  log(`es:start: built in ${seconds(started)} s`);
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function readPid(): number | null {
  if (!existsSync(PID_FILE)) return null;
  const pid = Number.parseInt(readFileSync(PID_FILE, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function recordNode(pid: number, url: string): void {
  writeFileSync(PID_FILE, `${pid}\n`);
  writeFileSync(URL_FILE, `${url}\n`);
}

function forgetNode(): void {
  rmSync(PID_FILE, { force: true });
  rmSync(URL_FILE, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// A pid file outlives reboots and the pid may since belong to something else: never signal that.
function isDevNodeProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  if (!existsSync('/proc/self/cmdline')) return true; // no procfs (macOS): trust the pid file
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(MAIN_CLASS);
  } catch {
    return false;
  }
}

async function getJson(url: string): Promise<Record<string, unknown> | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return null;
    return (await response.json()) as Record<string, unknown>;
  } catch {
    return null;
  }
}

async function nodeInfo(url: string): Promise<NodeInfo | null> {
  const body = await getJson(`${url}/`);
  if (!body) return null;
  const version = (body.version ?? {}) as Record<string, unknown>;
  return {
    clusterName: String(body.cluster_name ?? ''),
    distribution: String(version.distribution ?? 'elasticsearch'),
    version: String(version.number ?? '?'),
  };
}

// Lets a lost or overwritten pid file be repaired from the node itself.
async function devNodePid(url: string): Promise<number | null> {
  const body = await getJson(`${url}/_nodes/_local/process`);
  const nodes = Object.values((body?.nodes ?? {}) as Record<string, { process?: { id?: number } }>);
  const pid = nodes[0]?.process?.id;
  return typeof pid === 'number' && isDevNodeProcess(pid) ? pid : null;
}

async function isHealthy(url: string): Promise<boolean> {
  const health = await getJson(`${url}/_cluster/health`);
  return health?.status === 'yellow' || health?.status === 'green';
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function logTail(lines = 40): string {
  if (!existsSync(LOG_FILE)) return '(no log)';
  return readFileSync(LOG_FILE, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

function describe(info: NodeInfo): string {
  return `${info.distribution === 'opensearch' ? 'OpenSearch' : 'Elasticsearch'} ${info.version}`;
}

async function waitHealthy(url: string, deadline: number, exited: () => string | null): Promise<boolean> {
  while (performance.now() < deadline) {
    const exit = exited();
    if (exit) throw new Error(`es:start: the node exited (${exit}) before it was ready; last lines of ${relative(ROOT, LOG_FILE)}:\n${logTail()}`);
    if (await isHealthy(url)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

export async function startDevNode(options: StartOptions = {}): Promise<DevNode> {
  const port = options.port ?? DEFAULT_PORT;
  const timeoutMs = options.timeoutMs ?? 180_000;
  const log = options.log ?? console.log;
  const url = `http://127.0.0.1:${port}`;

  const recorded = readPid();
  if (recorded !== null && isDevNodeProcess(recorded)) {
    const runningUrl = existsSync(URL_FILE) ? readFileSync(URL_FILE, 'utf8').trim() : url;
    if (runningUrl !== url) {
      throw new Error(`es:start: the dev node already runs on ${runningUrl} (pid ${recorded}) and holds .es/data; use it, or \`npm run es:stop\` first`);
    }
    // Running, or still starting from another es:start: either way, wait for it.
    if (!(await waitHealthy(url, performance.now() + timeoutMs, () => (isAlive(recorded) ? null : 'gone')))) {
      throw new Error(`es:start: the dev node (pid ${recorded}) is not healthy on ${url} after ${timeoutMs / 1000} s; see .es/node.log, or \`npm run es:stop\``);
    }
    recordNode(recorded, url); // node.url may predate this script
    const info = await nodeInfo(url);
    log(`es:start: ${info ? describe(info) : 'the dev node'} already running on ${url} (pid ${recorded})`);
    return { url, pid: recorded, started: false, version: info?.version ?? '?', seconds: 0 };
  }
  if (recorded !== null) {
    log(`es:start: removing stale ${relative(ROOT, PID_FILE)} (pid ${recorded} is not a running dev node)`);
    forgetNode();
  }

  const existing = await nodeInfo(url);
  if (existing?.clusterName === CLUSTER_NAME) {
    const pid = await devNodePid(url);
    if (pid !== null) recordNode(pid, url);
    log(`es:start: ${describe(existing)} already running on ${url} (pid ${pid ?? '?'}; ${relative(ROOT, PID_FILE)} was missing)`);
    return { url, pid, started: false, version: existing.version, seconds: 0 };
  }
  if (existing) {
    throw new Error(`es:start: port ${port} is taken by ${describe(existing)} (cluster ${existing.clusterName}); set ES_PORT to another port`);
  }
  if (!(await portIsFree(port))) throw new Error(`es:start: port ${port} on 127.0.0.1 is in use by another program; set ES_PORT to another port`);

  if (needsBuild()) build(log);

  mkdirSync(ES_DIR, { recursive: true });
  const logFd = openSync(LOG_FILE, 'w');
  const javaOptions = process.env.ES_JAVA_OPTS?.trim() ? process.env.ES_JAVA_OPTS.trim().split(/\s+/) : DEFAULT_HEAP;
  const classpath = [join(TARGET, 'classes'), join(TARGET, 'lib', '*')].join(delimiter);
  const launched = performance.now();
  // detached: its own process group, so that the node outlives this script and a Ctrl-C on it.
  const child = spawn('java', [...javaOptions, ...SYSTEM_JVM_OPTIONS, '-cp', classpath, MAIN_CLASS, ES_DIR, String(port)], {
    cwd: ES_DIR,
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  let exit: string | null = null;
  child.on('error', (error) => (exit = `could not run java: ${error.message}`));
  child.on('exit', (code, signal) => (exit = signal ? `signal ${signal}` : `exit code ${code}`));
  child.unref();
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', (error) => reject(new Error(`es:start: could not run java: ${error.message}`)));
  });
  recordNode(pid, url);

  let healthy: boolean;
  try {
    healthy = await waitHealthy(url, launched + timeoutMs, () => exit);
  } catch (error) {
    forgetNode();
    throw error;
  }
  if (!healthy) {
    await stopDevNode({ port, log: () => {} });
    throw new Error(`es:start: not healthy after ${timeoutMs / 1000} s, stopped it; last lines of ${relative(ROOT, LOG_FILE)}:\n${logTail()}`);
  }
  const took = seconds(launched);
  const info = await nodeInfo(url);
  log(`es:start: ${info ? describe(info) : 'node'} ready on ${url} in ${took} s (log ${relative(ROOT, LOG_FILE)})`);
  return { url, pid, started: true, version: info?.version ?? '?', seconds: Number(took) };
}

export async function stopDevNode(options: { port?: number; timeoutMs?: number; log?: (line: string) => void } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const log = options.log ?? console.log;
  const recorded = readPid();
  const pid =
    recorded !== null && isDevNodeProcess(recorded)
      ? recorded
      : await devNodePid(`http://127.0.0.1:${options.port ?? DEFAULT_PORT}`);
  if (pid === null) {
    forgetNode();
    log('es:stop: not running');
    return;
  }
  const started = performance.now();
  // SIGTERM runs the node's shutdown hook, which closes it cleanly (no shard recovery next time).
  process.kill(pid, 'SIGTERM');
  while (isAlive(pid) && performance.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (isAlive(pid)) {
    log(`es:stop: pid ${pid} still running after ${timeoutMs / 1000} s, killing it`);
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  forgetNode();
  log(`es:stop: stopped pid ${pid} in ${seconds(started)} s`);
}

export function portFromEnv(): number {
  const raw = process.env.ES_PORT;
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`ES_PORT=${raw} is not a port number (1-65535)`);
  }
  return port;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const command = process.argv[2];
  try {
    if (command === 'start') await startDevNode({ port: portFromEnv() });
    else if (command === 'stop') await stopDevNode({ port: portFromEnv() });
    else throw new Error('usage: node elastic/dev-node/es.ts start|stop');
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
