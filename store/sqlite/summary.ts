// The summary: per monitor of an owner, uptime over 24h/7d/30d/90d, the 24h average response,
// the newest check and the open incident, from rollups and one check_hours row per monitor, plus
// the checks not yet folded into them (fold.ts).
//
// Windows are whole UTC hours: a window of W hours is the current hour (up to `now`) and the
// W - 1 hours before it, so it spans between W - 1 and W hours back. Inside a window, whole UTC
// days come from rollup_day and the hours before the first whole day from rollup_hour: at most
// 23 hour rows and 90 day rows per monitor and window, whatever the check interval.

import { UPTIME_WINDOWS, type Incident, type MonitorSummary, type UptimeWindow } from '../types.ts';
import { CHECK_SELECT, toCheck } from './check-rows.ts';
import { type Db, int, intOrNull, readTransaction, text } from './db.ts';
import { foldedSeq } from './fold.ts';
import { SEQ_IN, hourLists, hourOf, seqParam } from './monitor-checks.ts';
import { openIncidentsOf } from './incidents.ts';
import { DAY_MS, HOUR_MS } from './rollups.ts';

const WINDOW_HOURS: Record<UptimeWindow, number> = { '24h': 24, '7d': 168, '30d': 720, '90d': 2160 };

/** checks counts every check; up only those outside maintenance (rollups.ts). */
type WindowTotals = { checks: number; up: number; maintenance: number; respCount: number; respSumUs: number };

export function summary(db: Db, ownerId: string, now: number): MonitorSummary[] {
  return readTransaction(db, () => summaryIn(db, ownerId, now));
}

function summaryIn(db: Db, ownerId: string, now: number): MonitorSummary[] {
  const monitors = db
    .sql('SELECT mkey, id, name, url, paused FROM monitors WHERE owner_id = ? AND deleted_at IS NULL ORDER BY mkey')
    .all(ownerId);
  if (monitors.length === 0) return [];
  const totals = windowTotals(db, ownerId, now);
  const newest = new Map<number, { ts: number; seq: number }>();
  addTail(db, ownerId, now, totals, newest);
  for (const row of monitors) {
    const mkey = int(row, 'mkey');
    const folded = newestFolded(db, mkey, now);
    const tail = newest.get(mkey);
    if (folded && (!tail || folded.ts > tail.ts || (folded.ts === tail.ts && folded.seq > tail.seq))) newest.set(mkey, folded);
  }
  const lastChecks = new Map(
    db
      .sql(`${CHECK_SELECT} WHERE ${SEQ_IN}`)
      .all(seqParam([...newest.values()].map((check) => check.seq)))
      .map((row) => [text(row, 'monitor_id'), toCheck(row)] as const),
  );
  const openIncidents = new Map<string, Incident>();
  // Newest first: keep the first one seen per monitor.
  for (const incident of openIncidentsOf(db, ownerId)) {
    if (!openIncidents.has(incident.monitor_id)) openIncidents.set(incident.monitor_id, incident);
  }

  return monitors.map((row) => {
    const id = text(row, 'id');
    const windows = totals.get(int(row, 'mkey'));
    const last = lastChecks.get(id) ?? null;
    const day = windows?.get('24h');
    return {
      monitor_id: id,
      name: text(row, 'name'),
      url: text(row, 'url'),
      paused: int(row, 'paused') === 1,
      status: last ? last.status : 'unknown',
      last_check: last,
      uptime: Object.fromEntries(
        UPTIME_WINDOWS.map((window) => {
          const t = windows?.get(window);
          return [window, t && t.checks > t.maintenance ? t.up / (t.checks - t.maintenance) : null];
        }),
      ) as Record<UptimeWindow, number | null>,
      avg_response_ms_24h: day && day.respCount > 0 ? Math.round(day.respSumUs / day.respCount) / 1000 : null,
      open_incident: openIncidents.get(id) ?? null,
    };
  });
}

/** The newest folded check at or before `now`: its hour list names it, unless it is later than `now`. */
function newestFolded(db: Db, mkey: number, now: number): { ts: number; seq: number } | null {
  const newestHour = db
    .sql('SELECT last_ts, last_seq FROM check_hours WHERE mkey = ? AND hour <= ? ORDER BY hour DESC LIMIT 1')
    .get(mkey, hourOf(now));
  if (!newestHour) return null;
  if (int(newestHour, 'last_ts') <= now) return { ts: int(newestHour, 'last_ts'), seq: int(newestHour, 'last_seq') };
  // Checks stamped later than `now` (a clock ahead, or a summary asked for the past): search.
  for (const list of hourLists(db, mkey, Number.MIN_SAFE_INTEGER, hourOf(now))) {
    if (list.lastTs <= now) return { ts: list.lastTs, seq: list.lastSeq };
    const row = db
      .sql(`SELECT c.ts, c.seq FROM checks c WHERE ${SEQ_IN} AND c.ts <= ? ORDER BY c.ts DESC, c.seq DESC LIMIT 1`)
      .get(seqParam(list.seqs), now);
    if (row) return { ts: int(row, 'ts'), seq: int(row, 'seq') };
  }
  return null;
}

/** Adds the checks not yet folded (fold.ts) to the window totals, and notes each monitor's newest. */
function addTail(
  db: Db,
  ownerId: string,
  now: number,
  totals: Map<number, Map<UptimeWindow, WindowTotals>>,
  newest: Map<number, { ts: number; seq: number }>,
): void {
  const currentHour = hourOf(now);
  const rows = db
    .sql(
      `SELECT c.seq, c.mkey, c.ts, c.up, c.maintenance, CASE WHEN c.up = 1 THEN coalesce(c.total_us, c.duration_us) END AS response_us
       FROM checks c WHERE c.seq > ? AND c.mkey IN (SELECT mkey FROM monitors WHERE owner_id = ? AND deleted_at IS NULL)`,
    )
    .iterate(foldedSeq(db), ownerId);
  for (const row of rows) {
    const mkey = int(row, 'mkey');
    const ts = int(row, 'ts');
    const seq = int(row, 'seq');
    const hour = hourOf(ts);
    if (hour > currentHour) continue;
    const last = newest.get(mkey);
    if (ts <= now && (!last || ts > last.ts || (ts === last.ts && seq > last.seq))) newest.set(mkey, { ts, seq });
    const response = intOrNull(row, 'response_us');
    const windows = totals.get(mkey) ?? new Map<UptimeWindow, WindowTotals>();
    totals.set(mkey, windows);
    for (const window of UPTIME_WINDOWS) {
      if (hour < currentHour - WINDOW_HOURS[window] + 1) continue;
      const t = windows.get(window) ?? { checks: 0, up: 0, maintenance: 0, respCount: 0, respSumUs: 0 };
      windows.set(window, t);
      t.checks += 1;
      if (row.maintenance === 1) t.maintenance += 1;
      else if (int(row, 'up') === 1) t.up += 1;
      if (response !== null) {
        t.respCount += 1;
        t.respSumUs += response;
      }
    }
  }
}

/** mkey → window → totals, in one query over both rollup tables. */
function windowTotals(db: Db, ownerId: string, now: number): Map<number, Map<UptimeWindow, WindowTotals>> {
  const currentHour = Math.floor(now / HOUR_MS);
  const today = Math.floor(now / DAY_MS);
  const parts: string[] = [];
  const params: Array<string | number> = [ownerId];
  UPTIME_WINDOWS.forEach((window, index) => {
    const firstHour = currentHour - WINDOW_HOURS[window] + 1;
    const firstDay = Math.ceil(firstHour / 24);
    parts.push(
      `SELECT mkey, ${index} AS w, checks, up, maintenance, resp_count, resp_sum_us FROM rollup_hour
       WHERE mkey IN (SELECT mkey FROM mine) AND hour >= ? AND hour < ? AND hour <= ?`,
      `SELECT mkey, ${index} AS w, checks, up, maintenance, resp_count, resp_sum_us FROM rollup_day
       WHERE mkey IN (SELECT mkey FROM mine) AND day >= ? AND day <= ?`,
    );
    params.push(firstHour, firstDay * 24, currentHour, firstDay, today);
  });
  const rows = db
    .sql(
      `WITH mine AS (SELECT mkey FROM monitors WHERE owner_id = ? AND deleted_at IS NULL)
       SELECT mkey, w, sum(checks) AS checks, sum(up) AS up, sum(maintenance) AS maintenance, sum(resp_count) AS resp_count, sum(resp_sum_us) AS resp_sum_us
       FROM (${parts.join(' UNION ALL ')}) GROUP BY mkey, w`,
    )
    .all(...params);
  const byMonitor = new Map<number, Map<UptimeWindow, WindowTotals>>();
  for (const row of rows) {
    const mkey = int(row, 'mkey');
    const window = UPTIME_WINDOWS[int(row, 'w')];
    if (!window) continue;
    const windows = byMonitor.get(mkey) ?? new Map<UptimeWindow, WindowTotals>();
    windows.set(window, {
      checks: int(row, 'checks'),
      up: int(row, 'up'),
      maintenance: int(row, 'maintenance'),
      respCount: int(row, 'resp_count'),
      respSumUs: int(row, 'resp_sum_us'),
    });
    byMonitor.set(mkey, windows);
  }
  return byMonitor;
}
