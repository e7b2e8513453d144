// Entry point of a probe worker thread (started by probe-threads.ts): one probe lane
// (probe-lane.ts) whose checks go back to the collector's thread in batches. Everything this
// thread does is probing, so a slow store write, a fold or an API request elsewhere in the process
// never delays a probe, and its timers fire on time.
//
// In:  {type:'apply', change} {type:'host', module, port, data} {type:'windows', windows} {type:'room', open} {type:'stop'}
// Out: {type:'ready'} {type:'batch', checks, lateness, stalls, stats} {type:'log', line} {type:'stopped'}

import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import type { Check } from '../store/types.ts';
import { createInterner } from '../store/interner.ts';
import { createProbeLane } from './probe-lane.ts';
import { probedMonitor } from './probed-monitor.ts';
import type { ProbeThreadData, ToProbeThread } from './probe-threads.ts';

/** A batch leaves when it holds this many checks, or after BATCH_EVERY_MS. */
const BATCH_CHECKS = 500;
const BATCH_EVERY_MS = 50;
/** Stats go out at least this often, also when no probe finished. */
const STATS_EVERY_MS = 1_000;

const port = parentPort;
if (!port) throw new Error('collector/probe-thread.ts runs as a worker thread (see probe-threads.ts)');
const data = workerData as ProbeThreadData;

// Log lines go to the collector's thread, which writes them with its own logger (and redaction).
const log = pino({ level: data.logLevel, base: { lane: data.lane } }, { write: (line: string) => port.postMessage({ type: 'log', line }) });

let checks: Check[] = [];
let lateness: number[] = [];
let stalls: number[] = [];
let flushTimer: NodeJS.Timeout | null = null;
let roomOpen = true;
/** Services of the store this thread runs beside its probes (store/thread-host.ts). */
type HostedService = { idle(): Promise<void> };
const hosted = new Set<HostedService>();

const lane = createProbeLane({
  probe: data.probe,
  maxConcurrency: data.maxConcurrency,
  canStart: () => roomOpen,
  onCheck(check) {
    checks.push(check);
    if (checks.length >= BATCH_CHECKS) flush();
    else flushTimer ??= setTimeout(flush, BATCH_EVERY_MS);
  },
  onLateness: (seconds) => lateness.push(seconds),
  onStalledTimeout: (ms) => stalls.push(ms),
  log,
});

function flush(): void {
  if (flushTimer !== null) clearTimeout(flushTimer);
  flushTimer = null;
  port!.postMessage({ type: 'batch', checks, lateness, stalls, stats: lane.stats() });
  checks = [];
  lateness = [];
  stalls = [];
}

const statsTimer = setInterval(flush, STATS_EVERY_MS);

port.on('message', (message: ToProbeThread) => {
  switch (message.type) {
    case 'apply': {
      // One interner per change: an import's 50,000 monitors share their repeated fields, and
      // a later change of one monitor keeps nothing of the values it replaced.
      const shared = createInterner();
      lane.apply({ upsert: message.change.upsert.map((monitor) => probedMonitor(monitor, shared)), remove: message.change.remove });
      break;
    }
    case 'host': {
      const { module, port: servicePort, data: serviceData } = message;
      // A service of the store that would otherwise take a thread of its own (the SQLite check
      // writer: store/thread-host.ts). A module that fails to load closes the port, which its
      // peer sees.
      import(module).then(
        (service: { serve(port: MessagePort, data: unknown): HostedService }) => {
          const started = service.serve(servicePort, serviceData);
          hosted.add(started);
          // Its caller went elsewhere: nothing more to wait for at stop.
          servicePort.once('close', () => hosted.delete(started));
        },
        (error: unknown) => {
          log.error({ err: error, module }, 'cannot host a service on this probe thread');
          servicePort.close();
        },
      );
      break;
    }
    case 'windows':
      lane.setWindows(message.windows);
      break;
    case 'room':
      roomOpen = message.open;
      break;
    case 'stop':
      clearInterval(statsTimer);
      // A hosted service ends its current work first (the writer's batch: its caller has moved on
      // to another writer already, store/sqlite/threaded-writer.ts).
      void lane.stop().then(async () => {
        await Promise.all([...hosted].map((service) => service.idle()));
        flush();
        port!.postMessage({ type: 'stopped' });
        port!.close();
      });
      break;
  }
});
lane.start();
port.postMessage({ type: 'ready' });
