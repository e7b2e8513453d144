// Missed heartbeats of push monitors (DESIGN "Monitor types"). A push monitor is never probed:
// its checks arrive through /push/{token}. This watcher writes a down check with error.type
// `missed` for each deadline that passes in silence, for the push monitors of this collector's
// shard:
//   - the first deadline is interval + grace after the newest check, or after the monitor was
//     created or last changed (unpausing restarts the clock), whichever is later;
//   - after a missed check, one more per interval while the job stays silent;
//   - a deadline is acted on `settleMs` after it passed, so that a push stored just before it is
//     visible to the read (Elasticsearch refreshes about once a second); a push in that margin
//     counts as on time;
//   - a collector that was down does not backfill every deadline it slept through: it writes the
//     latest one that has passed.
// Exactly once with several collectors: shards own their push monitors, and beyond that the
// missed check's id is derived from (monitor id, deadline) in the form of store/ids.ts, so two
// writers (a shard handed over, a stale read, a replayed spool) store it once — appendChecks is
// idempotent by id. Every input of the deadline is read from the store, so any collector
// computes the same one.
// Cost: one listChecks per push monitor per deadline (the next one is remembered in memory).
//
// Example:
//   const deadlines = startPushDeadlines({ store, shard, observer: 'eu-1', append: writer.append, log });
//   ...; await deadlines.stop();

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { CheckReader, MonitorStore } from '../store/contract.ts';
import { pushCheck } from '../store/push-check.ts';
import type { Check, Monitor } from '../store/types.ts';
import { inShard, type Shard } from './shard.ts';

export type PushDeadlinesDeps = {
  store: Pick<MonitorStore, 'listAllMonitors' | 'monitorsChangeToken'> & Pick<CheckReader, 'listChecks'>;
  shard: Shard;
  /** The collector's name, the missed checks' observer. */
  observer: string;
  /** Where missed checks go: the collector's spool-backed writer. */
  append: (check: Check) => void;
  /** Marks a check taken inside one of the monitor's maintenance windows. */
  covers?: (monitor: Monitor, instant: number) => boolean;
  log: Logger;
  clock?: () => number;
  everyMs?: number;
  settleMs?: number;
};

export type PushDeadlines = { stop(): Promise<void> };

export const DEFAULT_SETTLE_MS = 3_000;

/** The missed check's id: 6 bytes of the deadline (time-prefixed like newCheckId) and 10 of a hash of (monitor, deadline). */
export function missedCheckId(monitorId: string, deadline: number): string {
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(Math.max(0, Math.min(Math.floor(deadline), 2 ** 48 - 1)), 0, 6);
  createHash('sha256').update(`missed\u0000${monitorId}\u0000${deadline}`).digest().copy(bytes, 6, 0, 10);
  return bytes.toString('base64url');
}

/**
 * The deadline the newest check `last` (or its absence) sets, moved on by whole intervals to the
 * latest one at or before `now - settleMs` when several have passed.
 */
export function dueDeadline(monitor: Monitor, last: Pick<Check, 'timestamp' | 'error_type'> | null, now: number, settleMs: number): { deadline: number; passed: boolean } {
  const intervalMs = monitor.interval_seconds * 1000;
  const since = Math.max(monitor.created_at, monitor.updated_at);
  let deadline: number;
  if (last === null || last.timestamp < since) deadline = since + intervalMs + monitor.grace_seconds * 1000;
  else if (last.error_type === 'missed') deadline = last.timestamp + intervalMs;
  else deadline = last.timestamp + intervalMs + monitor.grace_seconds * 1000;
  const actAt = now - settleMs;
  if (actAt < deadline) return { deadline, passed: false };
  return { deadline: deadline + Math.floor((actAt - deadline) / intervalMs) * intervalMs, passed: true };
}

export function missedCheck(monitor: Monitor, deadline: number, observer: string): Check {
  return pushCheck(monitor, {
    id: missedCheckId(monitor.id, deadline),
    observer,
    timestamp: deadline,
    next_at: deadline + monitor.interval_seconds * 1000,
    status: 'down',
    duration_us: 0,
    error_type: 'missed',
    error_message: `no push within ${monitor.interval_seconds} s + ${monitor.grace_seconds} s grace`,
  });
}

export function startPushDeadlines(deps: PushDeadlinesDeps): PushDeadlines {
  const { store, shard, observer, append, covers, log } = deps;
  const clock = deps.clock ?? Date.now;
  const settleMs = deps.settleMs ?? DEFAULT_SETTLE_MS;
  let monitors: Monitor[] = [];
  let changeToken: string | null = null;
  /** Per monitor (id and updated_at), when to read its newest check again: nothing can be due before. */
  const nextReadAt = new Map<string, number>();
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  async function reload(): Promise<void> {
    const token = await store.monitorsChangeToken();
    if (token === changeToken) return;
    const all = await store.listAllMonitors();
    monitors = all.filter((m) => m.type === 'push' && !m.paused && inShard(m.id, shard));
    changeToken = token;
    const live = new Set(monitors.map(key));
    for (const k of nextReadAt.keys()) if (!live.has(k)) nextReadAt.delete(k);
  }

  async function tick(): Promise<void> {
    await reload();
    for (const monitor of monitors) {
      if (stopped) return;
      const now = clock();
      if ((nextReadAt.get(key(monitor)) ?? 0) > now) continue;
      const page = await store.listChecks(monitor.owner_id, monitor.id, { limit: 1 });
      if (page === null) continue; // deleted meanwhile
      const { deadline, passed } = dueDeadline(monitor, page.items[0] ?? null, now, settleMs);
      if (passed) {
        const check = missedCheck(monitor, deadline, observer);
        append(covers?.(monitor, deadline) ? { ...check, maintenance: true } : check);
        log.info({ monitor_id: monitor.id, deadline: new Date(deadline).toISOString() }, 'push monitor missed its deadline');
        nextReadAt.set(key(monitor), deadline + monitor.interval_seconds * 1000 + settleMs);
      } else {
        nextReadAt.set(key(monitor), deadline + settleMs);
      }
    }
  }

  let busy = false;
  const timer = setInterval(() => {
    // A pass slower than the period is not queued behind: the next tick after it ends starts one.
    if (busy) return;
    busy = true;
    running = tick()
      .catch((error: unknown) => log.error({ err: error }, 'push deadlines: a pass failed; the next one retries'))
      .finally(() => {
        busy = false;
      });
  }, deps.everyMs ?? 1_000);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** A changed monitor (new interval, unpaused) gets a fresh read. */
function key(monitor: Monitor): string {
  return `${monitor.id}@${monitor.updated_at}`;
}
