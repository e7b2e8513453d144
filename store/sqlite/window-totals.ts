// Uptime window totals of an owner's monitors, in three parts that add up (summary.ts):
//   closed  the hour rows before each window's first whole day, and its day rows before today
//   today   today's rollup_day row, part of every window (kept by unfolded-tail.ts)
//   tail    the checks not yet folded into rollups (fold.ts; kept by unfolded-tail.ts)
// Every hour of the closed part is before today: a window's first whole day is today at the
// latest. Closed totals change only through late checks and retention (closed-rollups.ts), which
// is what lets the summary keep them in memory.

import { UPTIME_WINDOWS, type UptimeWindow } from '../types.ts';
import { type Db, int } from './db.ts';
import { DAY_MS, HOUR_MS } from './rollups.ts';

export const WINDOW_HOURS: Record<UptimeWindow, number> = { '24h': 24, '7d': 168, '30d': 720, '90d': 2160 };

/** checks counts every check; up only those outside maintenance (rollups.ts). */
export type WindowTotals = { checks: number; up: number; maintenance: number; respCount: number; respSumUs: number };

const FIGURES = 5;
const PER_MONITOR = UPTIME_WINDOWS.length * FIGURES;

/** Window totals per monitor in one growing typed array (about 200 bytes a monitor). */
export type TotalsTable = ReturnType<typeof createTotalsTable>;

function createTotalsTable() {
  const index = new Map<number, number>();
  let values = new Float64Array(16 * PER_MONITOR);
  const slot = (mkey: number): number => {
    let at = index.get(mkey);
    if (at === undefined) {
      at = index.size * PER_MONITOR;
      index.set(mkey, at);
      if (at + PER_MONITOR > values.length) {
        const grown = new Float64Array(values.length * 2);
        grown.set(values);
        values = grown;
      }
    }
    return at;
  };
  return {
    monitors: () => index.size,
    /** Adds to window number `w` (an index of UPTIME_WINDOWS) of a monitor. */
    add(mkey: number, w: number, checks: number, up: number, maintenance: number, respCount: number, respSumUs: number): void {
      const at = slot(mkey) + w * FIGURES;
      values[at] = values[at]! + checks;
      values[at + 1] = values[at + 1]! + up;
      values[at + 2] = values[at + 2]! + maintenance;
      values[at + 3] = values[at + 3]! + respCount;
      values[at + 4] = values[at + 4]! + respSumUs;
    },
    /** Adds this table's figures for a monitor and window into `into`. */
    addTo(mkey: number, w: number, into: WindowTotals): void {
      const base = index.get(mkey);
      if (base === undefined) return;
      const at = base + w * FIGURES;
      into.checks += values[at]!;
      into.up += values[at + 1]!;
      into.maintenance += values[at + 2]!;
      into.respCount += values[at + 3]!;
      into.respSumUs += values[at + 4]!;
    },
  };
}

const MINE = 'SELECT mkey FROM monitors WHERE owner_id = ? AND deleted_at IS NULL';

/** The closed part, in one query over both rollup tables. */
export function closedTotals(db: Db, ownerId: string, now: number): TotalsTable {
  const currentHour = Math.floor(now / HOUR_MS);
  const today = Math.floor(now / DAY_MS);
  const parts: string[] = [];
  const params: Array<string | number> = [ownerId];
  UPTIME_WINDOWS.forEach((window, w) => {
    const firstHour = currentHour - WINDOW_HOURS[window] + 1;
    const firstDay = Math.ceil(firstHour / 24);
    parts.push(
      `SELECT mkey, ${w} AS w, checks, up, maintenance, resp_count, resp_sum_us FROM rollup_hour
       WHERE mkey IN (SELECT mkey FROM mine) AND hour >= ? AND hour < ?`,
      `SELECT mkey, ${w} AS w, checks, up, maintenance, resp_count, resp_sum_us FROM rollup_day
       WHERE mkey IN (SELECT mkey FROM mine) AND day >= ? AND day < ?`,
    );
    params.push(firstHour, firstDay * 24, firstDay, today);
  });
  const rows = db
    .sql(
      `WITH mine AS (${MINE})
       SELECT mkey, w, sum(checks) AS checks, sum(up) AS up, sum(maintenance) AS maintenance, sum(resp_count) AS resp_count, sum(resp_sum_us) AS resp_sum_us
       FROM (${parts.join(' UNION ALL ')}) GROUP BY mkey, w`,
    )
    .iterate(...params);
  const table = createTotalsTable();
  for (const row of rows) {
    table.add(int(row, 'mkey'), int(row, 'w'), int(row, 'checks'), int(row, 'up'), int(row, 'maintenance'), int(row, 'resp_count'), int(row, 'resp_sum_us'));
  }
  return table;
}
