// The summary: per monitor of an owner, uptime over 24h/7d/30d/90d, the 24h average response,
// the newest check and the open incident, from rollups and one check_hours row per monitor, plus
// the checks not yet folded into them (fold.ts).
//
// Windows are whole UTC hours: a window of W hours is the current hour (up to `now`) and the
// W - 1 hours before it, so it spans between W - 1 and W hours back. Inside a window, whole UTC
// days come from rollup_day and the hours before the first whole day from rollup_hour: at most
// 23 hour rows and 90 day rows per monitor and window, whatever the check interval.
//
// A dashboard asks for it every few seconds, and checks pour in and are folded all the while:
// each reader keeps, per owner, the closed totals (window-totals.ts, closed-rollups.ts), and for
// all owners at once one tail (unfolded-tail.ts) that survives folds: the unfolded checks'
// totals, today's rows, and each monitor's newest check. A call then reads the owner's monitors,
// the checks stored since the previous call of anyone, the newest check's row of each monitor
// and the open incidents (bench/summary-under-folds.ts times each part).

import { UPTIME_WINDOWS, type Incident, type MonitorSummary, type UptimeWindow } from '../types.ts';
import { CHECK_SELECT, checkRows, toCheck } from './check-rows.ts';
import { closedRollupsKey } from './closed-rollups.ts';
import { type Db, int, readTransaction, text } from './db.ts';
import { foldedSeq } from './fold.ts';
import { openIncidentsOf } from './incidents.ts';
import { SEQ_IN, hourLists, hourOf, seqParam } from './monitor-checks.ts';
import { DAY_MS } from './rollups.ts';
import { type CheckRef, type TailView, createTailKeeper } from './unfolded-tail.ts';
import { type TotalsTable, type WindowTotals, closedTotals } from './window-totals.ts';

/** Owners whose totals are kept, least recently read dropped first... */
const CACHED_OWNERS = 256;
/** ...and monitors over all of them (a few hundred bytes each). */
const CACHED_MONITORS = 100_000;

type Kept = { closedKey: string; closed: TotalsTable };

/** Called after each phase of a summary with its CPU time (bench/summary-under-folds.ts). */
export type PhaseTimer = (phase: string, cpuMs: number) => void;

/** The summary reader of one connection, with its per-owner totals. */
export function createSummaryReader(db: Db, timer?: PhaseTimer): (ownerId: string, now: number) => MonitorSummary[] {
  const kept = new Map<string, Kept>();
  let keptMonitors = 0;
  const tails = createTailKeeper(db);

  function totalsFor(ownerId: string, now: number, mark: (phase: string) => void): { closed: TotalsTable; tail: TailView } {
    const version = closedRollupsKey(db, Math.floor(now / DAY_MS));
    const closedKey = `${hourOf(now)}:${version}`;
    const entry = kept.get(ownerId);
    if (entry) {
      kept.delete(ownerId);
      keptMonitors -= entry.closed.monitors();
    }
    const closed = entry && version !== null && entry.closedKey === closedKey ? entry.closed : closedTotals(db, ownerId, now);
    if (version !== null) {
      kept.set(ownerId, { closedKey, closed });
      keptMonitors += closed.monitors();
      for (const [owner, old] of kept) {
        if (kept.size <= CACHED_OWNERS && keptMonitors <= CACHED_MONITORS) break;
        kept.delete(owner);
        keptMonitors -= old.closed.monitors();
      }
    }
    mark('closed');
    const tail = tails.read(now, foldedSeq(db));
    mark('tail');
    return { closed, tail };
  }

  return (ownerId, now) => readTransaction(db, () => summaryIn(db, ownerId, now, totalsFor, phaseMarker(timer)));
}

/**
 * Reports the CPU time since the previous mark (or since its creation) under each phase name:
 * steadier than wall time on a machine whose cores other work shares.
 */
function phaseMarker(timer: PhaseTimer | undefined): (phase: string) => void {
  if (!timer) return () => {};
  let last = process.cpuUsage();
  return (phase) => {
    const spent = process.cpuUsage(last);
    timer(phase, (spent.user + spent.system) / 1000);
    last = process.cpuUsage();
  };
}

function summaryIn(
  db: Db,
  ownerId: string,
  now: number,
  totalsFor: (ownerId: string, now: number, mark: (phase: string) => void) => { closed: TotalsTable; tail: TailView },
  mark: (phase: string) => void,
): MonitorSummary[] {
  const monitors = db
    .sql('SELECT mkey, id, name, url, paused FROM monitors WHERE owner_id = ? AND deleted_at IS NULL ORDER BY mkey')
    .all(ownerId);
  if (monitors.length === 0) return [];
  mark('monitors');
  const { closed, tail } = totalsFor(ownerId, now, mark);
  tail.knowToday(db, ownerId, monitors.map((row) => int(row, 'mkey')));
  mark('today');
  const newest: CheckRef[] = [];
  for (const row of monitors) {
    const mkey = int(row, 'mkey');
    const pick = tail.newestOf(mkey, () => newestFolded(db, mkey, now));
    if (pick) newest.push(pick);
  }
  mark('newest');
  const lastChecks = new Map(
    checkRows(db, `${CHECK_SELECT} WHERE ${SEQ_IN}`, seqParam(newest.map((check) => check.seq)))
      .map(toCheck)
      .map((check) => [check.monitor_id, check] as const),
  );
  mark('last checks');
  const openIncidents = new Map<string, Incident>();
  // Newest first: keep the first one seen per monitor.
  for (const incident of openIncidentsOf(db, ownerId)) {
    if (!openIncidents.has(incident.monitor_id)) openIncidents.set(incident.monitor_id, incident);
  }
  mark('incidents');

  // One totals object reused for the 10,000 windows of 2,500 monitors: a fresh one per window was
  // a tenth of what a summary allocated.
  const t: WindowTotals = { checks: 0, up: 0, maintenance: 0, respCount: 0, respSumUs: 0 };
  const totalsOf = (mkey: number, w: number): WindowTotals => {
    t.checks = t.up = t.maintenance = t.respCount = t.respSumUs = 0;
    closed.addTo(mkey, w, t);
    tail.addTo(mkey, w, t);
    return t;
  };
  const summaries = monitors.map((row): MonitorSummary => {
    const id = text(row, 'id');
    const mkey = int(row, 'mkey');
    const uptime = {} as Record<UptimeWindow, number | null>;
    let avgResponseMs: number | null = null;
    for (let w = 0; w < UPTIME_WINDOWS.length; w += 1) {
      const totals = totalsOf(mkey, w);
      uptime[UPTIME_WINDOWS[w]!] = totals.checks > totals.maintenance ? totals.up / (totals.checks - totals.maintenance) : null;
      // The first window is the 24 hours the average response is given for.
      if (w === 0 && totals.respCount > 0) avgResponseMs = Math.round(totals.respSumUs / totals.respCount) / 1000;
    }
    const last = lastChecks.get(id) ?? null;
    return {
      monitor_id: id,
      name: text(row, 'name'),
      url: text(row, 'url'),
      paused: int(row, 'paused') === 1,
      status: last ? last.status : 'unknown',
      last_check: last,
      uptime,
      avg_response_ms_24h: avgResponseMs,
      open_incident: openIncidents.get(id) ?? null,
    };
  });
  mark('assemble');
  return summaries;
}

/**
 * The newest folded check at or before `now`: its hour list names it, unless it is later than
 * `now`. `keep` when the answer holds for any later `now` of the same hour, given that the tail
 * sees every check folded from here on: true unless a check later than `now` had to be skipped.
 */
function newestFolded(db: Db, mkey: number, now: number): { check: CheckRef | null; keep: boolean } {
  const newestHour = db
    .sql('SELECT last_ts, last_seq FROM check_hours WHERE mkey = ? AND hour <= ? ORDER BY hour DESC LIMIT 1')
    .get(mkey, hourOf(now));
  if (!newestHour) return { check: null, keep: true };
  if (int(newestHour, 'last_ts') <= now) return { check: { ts: int(newestHour, 'last_ts'), seq: int(newestHour, 'last_seq') }, keep: true };
  // Checks stamped later than `now` (a clock ahead, or a summary asked for the past): search.
  for (const list of hourLists(db, mkey, Number.MIN_SAFE_INTEGER, hourOf(now))) {
    if (list.lastTs <= now) return { check: { ts: list.lastTs, seq: list.lastSeq }, keep: false };
    const row = db
      .sql(`SELECT c.ts, c.seq FROM checks c WHERE ${SEQ_IN} AND c.ts <= ? ORDER BY c.ts DESC, c.seq DESC LIMIT 1`)
      .get(seqParam(list.seqs), now);
    if (row) return { check: { ts: int(row, 'ts'), seq: int(row, 'seq') }, keep: false };
  }
  return { check: null, keep: false };
}
