// Start-up: read configuration, open the store, run the roles, stop cleanly.
//
//   node main.ts                        every role (api, collector, alerting)
//   node main.ts --role api --role alerting
//
// A bad configuration value stops start-up with one line naming it (exit code 2), and so does a
// bad MONITORS_FILE (one line per problem, each naming file, line and field). SIGINT/SIGTERM
// stop scheduling, flush pending check writes, finish in-flight deliveries and close the store;
// SIGHUP applies MONITORS_FILE again.

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, parseEnv } from 'node:util';
import v8 from 'node:v8';
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { startRetention } from './store/retention-job.ts';
import type { Store } from './store/contract.ts';
import { shareFleetReads } from './store/shared-fleet.ts';
import { openSqliteStore } from './store/sqlite/open.ts';
import { type ThreadHostSlot, createThreadHostSlot } from './store/thread-host.ts';
import type { Client } from '@elastic/elasticsearch';
import { startTelemetry } from './telemetry/otel.ts';
import { traceStore } from './telemetry/traced-store.ts';
import { createApp, serveApp } from './api/app.ts';
import { createHeapRelease } from './collector/heap-release.ts';
import { collectorConfigFrom, startCollector } from './collector/index.ts';
import { SpoolInUseError } from './collector/spool-owner.ts';
import { startAlerting } from './alerting/index.ts';
import { configuredChannels } from './alerting/channels/index.ts';
import { mountWeb } from './dashboards/web/routes.ts';
import { MonitorsFileError } from './monitors-file/parse.ts';
import { startMonitorsFile } from './monitors-file/watch.ts';

const ROLES = ['api', 'collector', 'alerting'] as const;
type Role = (typeof ROLES)[number];

type Stoppable = { stop(): Promise<void> };

function parseRoles(argv: string[]): Set<Role> {
  const { values } = parseArgs({ args: argv, options: { role: { type: 'string', multiple: true } } });
  const asked = values.role ?? [...ROLES];
  for (const role of asked) {
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new ConfigError(`invalid --role ${role}: expected one of ${ROLES.join(', ')}`);
    }
  }
  return new Set(asked as Role[]);
}

/** Variables from `.env` in the working directory; the real environment wins. */
function readDotEnv(path: string): Record<string, string> {
  return existsSync(path) ? (parseEnv(readFileSync(path, 'utf8')) as Record<string, string>) : {};
}

/**
 * JWT_SECRET if set; with SQLite, otherwise a random secret generated once into DATA_DIR (mode
 * 0600) so that tokens survive restarts and no default secret ships.
 */
async function resolveJwtSecret(config: Config): Promise<string> {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  const file = join(config.DATA_DIR, 'jwt-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(config.DATA_DIR, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  // 'wx' fails if another process created it meanwhile; then theirs is the one to use.
  await writeFile(file, secret, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return (await readFile(file, 'utf8')).trim();
}

/** The store the configuration names: SQLite in DATA_DIR, or Elasticsearch (templates installed). */
export async function openStore(config: Config, writerHost?: ThreadHostSlot): Promise<Store> {
  // Checks are written and folded off the main thread, on the first probe thread when the
  // collector runs (writerHost) or on one of their own, unless the whole product is asked to keep
  // to one thread (PROBE_THREADS=0, for one core).
  if (config.STORE === 'sqlite') {
    return openSqliteStore({ dataDir: config.DATA_DIR, checkWriter: config.PROBE_THREADS > 0 ? 'thread' : 'inline', ...(writerHost ? { writerHost } : {}) });
  }
  // Loaded only for this store: the client and its dependencies are ~10 MB of heap an embedded
  // start does not need.
  const [{ clientFromConfig }, { describeConnectFailure, safeOrigin }, { openElasticsearchStore }] = await Promise.all([
    import('./elastic/client.ts'),
    import('./elastic/connect-failure.ts'),
    import('./elastic/store/open.ts'),
  ]);
  const url = config.ELASTICSEARCH_URL as string; // loadConfig requires it with STORE=elasticsearch
  let client: Client | undefined;
  try {
    client = await clientFromConfig({ ...config, ELASTICSEARCH_URL: url });
    return await openElasticsearchStore({
      client,
      namespace: config.ELASTICSEARCH_NAMESPACE,
      retentionDays: config.CHECKS_RETENTION_DAYS,
    });
  } catch (error) {
    await client?.close();
    // One line naming the node, the reason (refused, untrusted certificate, bad credentials…) and
    // what to set.
    throw new StoreUnavailableError(`cannot open the Elasticsearch store at ${safeOrigin(url)}: ${describeConnectFailure(error, config)}`);
  }
}

/** The configured store could not be opened; the message is one line, without secrets. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<Stoppable> {
  const roles = parseRoles(argv);
  const config = loadConfig({ ...readDotEnv('.env'), ...env });
  // Before anything else, so that the SDK sees every module the roles load.
  const telemetry = await startTelemetry(config);
  const metrics = telemetry.metrics;
  // One readable line per entry for a person at a terminal; JSON for everything else (files, pipes,
  // log collectors). pino-pretty runs as a transport, in a worker thread, off the event loop.
  const log = pino({
    level: config.LOG_LEVEL,
    redact: { paths: ['*.password', '*.authorization', '*.token'], remove: true },
    ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  });
  // The collector's first probe thread hosts the SQLite writer: a thread less (store/thread-host.ts).
  const writerHost = createThreadHostSlot();
  const opened = await openStore(config, writerHost);
  const store = telemetry.exporting ? traceStore(opened, telemetry.tracer) : opened;
  const parts: Stoppable[] = [];
  // The collector and the evaluator follow the fleet by its change token: one read per change.
  const fleetStore = shareFleetReads(store);
  try {
    // Signs tokens (api) and derives webhook signing keys (alerting): one secret for both roles.
    const jwtSecret = await resolveJwtSecret(config);
    // Before the roles, so that they start with the file's monitors; a bad file stops start-up.
    if (config.MONITORS_FILE) {
      parts.push(
        await startMonitorsFile({
          store,
          file: resolve(config.MONITORS_FILE),
          options: {
            allowPrivateTargets: config.ALLOW_PRIVATE_TARGETS,
            minIntervalSeconds: config.MIN_INTERVAL_SECONDS,
            defaultIntervalSeconds: config.DEFAULT_INTERVAL_SECONDS,
            channels: configuredChannels(config),
          },
          log: log.child({ part: 'monitors-file' }),
        }),
      );
    }
    // One per process: the collector and the evaluator both read the whole fleet at each change,
    // and without a collector here nothing else would give an import's heap back. Idle unless told.
    const heapRelease = createHeapRelease({ log });
    parts.push({ stop: async () => heapRelease.stop() });
    if (roles.has('collector')) {
      parts.push(
        startCollector({
          store: fleetStore,
          config: collectorConfigFrom(config),
          log: log.child({ role: 'collector' }),
          metrics,
          heapRelease,
          threadHost: writerHost,
          ...(telemetry.exporting ? { tracer: telemetry.tracer } : {}),
        }),
      );
    }
    if (roles.has('alerting')) {
      parts.push(
        startAlerting({ store: fleetStore, config, log: log.child({ role: 'alerting' }), metrics, tracer: telemetry.tracer, signingKey: jwtSecret, heapRelease }),
      );
    }
    if (roles.has('api')) {
      const app = createApp({
        store,
        config: {
          jwtSecret,
          allowPrivateTargets: config.ALLOW_PRIVATE_TARGETS,
          minIntervalSeconds: config.MIN_INTERVAL_SECONDS,
          defaultIntervalSeconds: config.DEFAULT_INTERVAL_SECONDS,
          publicUrl: config.PUBLIC_URL,
        },
        channels: configuredChannels(config),
        log: log.child({ role: 'api' }),
        metrics,
        tracer: telemetry.tracer,
        extraRoutes: (api) => mountWeb(api, { store, publicUrl: config.PUBLIC_URL }),
      });
      const server = await serveApp(app, { port: config.PORT, host: config.HOST });
      log.info({ url: `http://${config.HOST}:${server.port}` }, 'api listening');
      parts.push({ stop: () => server.close() });
    }
    if (roles.has('collector') || roles.has('alerting')) {
      parts.push(startRetention({ store, retentionDays: config.CHECKS_RETENTION_DAYS, log }));
    }
  } catch (error) {
    await Promise.allSettled(parts.map((p) => p.stop()));
    await store.close();
    throw error;
  }
  log.info({ roles: [...roles], store: config.STORE }, 'started');
  return {
    async stop() {
      // Reverse order: stop taking requests and scheduling first, then flush, then close.
      for (const part of parts.reverse()) await part.stop();
      await store.close();
      await telemetry.shutdown().catch((error: unknown) => log.warn({ err: error }, 'telemetry shutdown failed'));
      log.info('stopped');
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `npm start` sizes this thread's young generation (--max-semi-space-size=8: a summary makes
  // ~15 MB of short-lived garbage). V8 would apply that process-wide flag to every thread over a
  // worker's own resourceLimits; cleared now that this thread's heap is set up, each worker's
  // limits size its own (probe threads, the SQLite writer; docs/architecture.md, Memory).
  v8.setFlagsFromString('--max-semi-space-size=0');
  main(process.argv.slice(2), process.env).then(
    (running) => {
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        running.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            console.error(`shutdown after ${signal} failed: ${error instanceof Error ? error.message : String(error)}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
    },
    (error: unknown) => {
      if (error instanceof ConfigError || error instanceof MonitorsFileError) {
        console.error(error.message);
        process.exit(2);
      }
      if (error instanceof StoreUnavailableError || error instanceof SpoolInUseError) {
        console.error(error.message);
        process.exit(1);
      }
      console.error(error);
      process.exit(1);
    },
  );
}
