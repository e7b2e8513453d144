// What changed in the fleet, as changes per probe lane. It polls the store's cheap change token;
// when the token moves it reads the monitors once and compares each with a 53-bit fingerprint of
// what it last sent, so the lanes (scheduler.ts, in the probe threads) receive only the monitors
// created or changed and the ids removed, paused or moved out of this collector's shard. A burst
// of API writes (a bulk import, 50 requests) costs one read per poll period, not one per write,
// and the period stretches to ten times the last read's duration, so that reading a large fleet
// again and again during an import takes at most a tenth of the thread the API shares.
//
// The store contract has no change feed (a search engine keeps no ordered log of deletes), so the
// read is still the whole list; the fingerprints keep what crosses to the probe threads, and what
// the schedulers redo, proportional to the change. Kept in memory: one number per monitor. What
// is sent is the part of each monitor a probe reads (probed-monitor.ts).
//
// Example:
//   const feed = createFleetFeed({ store, shard, lanes: 2, reloadEveryMs: 2000, log,
//     onChange: (lane, change) => lanes[lane].apply(change) });
//   await feed.start(); ... feed.stop();

import type { Logger } from 'pino';
import type { MonitorStore } from '../store/contract.ts';
import type { Monitor } from '../store/types.ts';
import { type ProbedMonitor, probedMonitor } from './probed-monitor.ts';
import type { FleetChange } from './scheduler.ts';
import { probeFor } from './probes/registry.ts';
import { hashId, inShard, laneOf, type Shard } from './shard.ts';

/** A slow read stretches the poll period to ten times its duration, but never beyond this. */
const MAX_STRETCHED_POLL_MS = 30_000;

export type FleetFeedOptions = {
  store: Pick<MonitorStore, 'listAllMonitors' | 'monitorsChangeToken'>;
  shard: Shard;
  lanes: number;
  reloadEveryMs: number;
  log: Logger;
  /** Called once per lane with a non-empty change, and for every lane on the first read. */
  onChange: (lane: number, change: FleetChange) => void;
};

export type FleetFeed = {
  /** Reads the fleet once (a failure is logged and retried by the poll), then polls. */
  start(): Promise<void>;
  /** Forgets what lane `lane` was sent, so the next poll sends it its whole share (a restarted thread). */
  resend(lane: number): void;
  stop(): void;
};

/**
 * Two 32-bit hashes of what the probes read, folded into one exact double: a write that changes
 * nothing they read (updated_at, contacts' settings, tags…) changes nothing for them.
 */
function fingerprint(monitor: ProbedMonitor): number {
  const text = JSON.stringify(monitor);
  return hashId(text) * 2 ** 21 + (hashId(text, 0x5bd1e995) & 0x1fffff);
}

export function createFleetFeed(opts: FleetFeedOptions): FleetFeed {
  const sent = new Map<string, number>();
  let token: string | null = null;
  let first = true;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  /** How long the last full read took (token unchanged: 0). */
  let lastReadMs = 0;

  function diff(monitors: Monitor[]): FleetChange[] {
    const changes = Array.from({ length: opts.lanes }, (): FleetChange => ({ upsert: [], remove: [] }));
    const live = new Set<string>();
    for (const monitor of monitors) {
      // Push monitors are not probed: collector/push-deadlines.ts watches their silence.
      if (monitor.paused || probeFor(monitor.type) === null || !inShard(monitor.id, opts.shard)) continue;
      live.add(monitor.id);
      const probed = probedMonitor(monitor);
      const print = fingerprint(probed);
      if (sent.get(monitor.id) === print) continue;
      sent.set(monitor.id, print);
      changes[laneOf(monitor.id, opts.shard, opts.lanes)]!.upsert.push(probed);
    }
    for (const id of sent.keys()) {
      if (live.has(id)) continue;
      sent.delete(id);
      changes[laneOf(id, opts.shard, opts.lanes)]!.remove.push(id);
    }
    return changes;
  }

  async function reload(): Promise<void> {
    const next = await opts.store.monitorsChangeToken();
    lastReadMs = 0;
    if (next === token) return;
    const readFrom = performance.now();
    const monitors = await opts.store.listAllMonitors();
    token = next;
    const changes = diff(monitors);
    changes.forEach((change, lane) => {
      if (first || change.upsert.length > 0 || change.remove.length > 0) opts.onChange(lane, change);
    });
    first = false;
    lastReadMs = performance.now() - readFrom;
    opts.log.debug({ scheduled: sent.size, total: monitors.length, changed: changes.reduce((n, c) => n + c.upsert.length + c.remove.length, 0) }, 'monitors reloaded');
  }

  function poll(): void {
    timer = setTimeout(() => {
      reload()
        .catch((error: unknown) => opts.log.warn({ err: error }, 'could not reload monitors; keeping the current schedule'))
        .finally(() => {
          if (!stopped) poll();
        });
    }, Math.max(opts.reloadEveryMs, Math.min(MAX_STRETCHED_POLL_MS, 10 * lastReadMs)));
  }

  return {
    async start() {
      // A store that is down at start-up is retried by the poll loop; probes begin once it answers.
      await reload().catch((error: unknown) => opts.log.warn({ err: error }, 'could not load monitors; retrying'));
      if (!stopped) poll();
    },
    resend(lane) {
      for (const id of sent.keys()) if (laneOf(id, opts.shard, opts.lanes) === lane) sent.delete(id);
      token = null;
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}
