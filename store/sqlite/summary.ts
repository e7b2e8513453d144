// The summary: per monitor of an owner, uptime over 24h/7d/30d/90d, the 24h average response,
// the newest check and the open incident, from rollups and one index seek per monitor.
//
// Windows are whole UTC hours: a window of W hours is the current hour (up to `now`) and the
// W - 1 hours before it, so it spans between W - 1 and W hours back. Inside a window, whole UTC
// days come from rollup_day and the hours before the first whole day from rollup_hour: at most
// 23 hour rows and 90 day rows per monitor and window, whatever the check interval.

import { UPTIME_WINDOWS, type Incident, type MonitorSummary, type UptimeWindow } from '../types.ts';
import { CHECK_SELECT, toCheck } from './check-rows.ts';
import { type Db, int, text } from './db.ts';
import { openIncidentsOf } from './incidents.ts';
import { DAY_MS, HOUR_MS } from './rollups.ts';

const WINDOW_HOURS: Record<UptimeWindow, number> = { '24h': 24, '7d': 168, '30d': 720, '90d': 2160 };

type WindowTotals = { checks: number; up: number; respCount: number; respSumUs: number };

export function summary(db: Db, ownerId: string, now: number): MonitorSummary[] {
  const monitors = db
    .sql('SELECT mkey, id, name, url, paused FROM monitors WHERE owner_id = ? AND deleted_at IS NULL ORDER BY mkey')
    .all(ownerId);
  if (monitors.length === 0) return [];
  const totals = windowTotals(db, ownerId, now);
  const lastChecks = new Map(
    db
      .sql(
        `${CHECK_SELECT} WHERE c.seq IN (
           SELECT (SELECT i.seq FROM checks i WHERE i.mkey = o.mkey AND i.ts <= ? ORDER BY i.ts DESC, i.seq DESC LIMIT 1)
           FROM monitors o WHERE o.owner_id = ? AND o.deleted_at IS NULL)`,
      )
      .all(now, ownerId)
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
          return [window, t && t.checks > 0 ? t.up / t.checks : null];
        }),
      ) as Record<UptimeWindow, number | null>,
      avg_response_ms_24h: day && day.respCount > 0 ? Math.round(day.respSumUs / day.respCount) / 1000 : null,
      open_incident: openIncidents.get(id) ?? null,
    };
  });
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
      `SELECT mkey, ${index} AS w, checks, up, resp_count, resp_sum_us FROM rollup_hour
       WHERE mkey IN (SELECT mkey FROM mine) AND hour >= ? AND hour < ? AND hour <= ?`,
      `SELECT mkey, ${index} AS w, checks, up, resp_count, resp_sum_us FROM rollup_day
       WHERE mkey IN (SELECT mkey FROM mine) AND day >= ? AND day <= ?`,
    );
    params.push(firstHour, firstDay * 24, currentHour, firstDay, today);
  });
  const rows = db
    .sql(
      `WITH mine AS (SELECT mkey FROM monitors WHERE owner_id = ? AND deleted_at IS NULL)
       SELECT mkey, w, sum(checks) AS checks, sum(up) AS up, sum(resp_count) AS resp_count, sum(resp_sum_us) AS resp_sum_us
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
      respCount: int(row, 'resp_count'),
      respSumUs: int(row, 'resp_sum_us'),
    });
    byMonitor.set(mkey, windows);
  }
  return byMonitor;
}
