// Uptime window totals of an owner's monitors, in three parts that add up (summary.ts):
//   closed  the hour rows before each window's first whole day, and its day rows before today
//   today   today's rollup_day row, part of every window
//   tail    the checks not yet folded into rollups (fold.ts)
// Every hour of the closed part is before today: a window's first whole day is today at the
// latest. Closed totals change only through late checks and retention (closed-rollups.ts), and
// the tail only grows until the next fold, which is what lets the summary keep both in memory.

import { UPTIME_WINDOWS, type UptimeWindow } from '../types.ts';
import { type Db, int, intOrNull } from './db.ts';
import { hourOf } from './monitor-checks.ts';
import { DAY_MS, HOUR_MS } from './rollups.ts';

const WINDOW_HOURS: Record<UptimeWindow, number> = { '24h': 24, '7d': 168, '30d': 720, '90d': 2160 };

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

/** Today's day row of each monitor, counted in every window. */
export function todayTotals(db: Db, ownerId: string, now: number): TotalsTable {
  const rows = db
    .sql(`SELECT mkey, checks, up, maintenance, resp_count, resp_sum_us FROM rollup_day WHERE day = ? AND mkey IN (${MINE})`)
    .iterate(Math.floor(now / DAY_MS), ownerId);
  const table = createTotalsTable();
  for (const row of rows) {
    const mkey = int(row, 'mkey');
    for (let w = 0; w < UPTIME_WINDOWS.length; w++) {
      table.add(mkey, w, int(row, 'checks'), int(row, 'up'), int(row, 'maintenance'), int(row, 'resp_count'), int(row, 'resp_sum_us'));
    }
  }
  return table;
}

/** True when check `a` is newer than `b` (or there is no `b`): later, or as late and stored after. */
export function newer(a: { ts: number; seq: number }, b: { ts: number; seq: number } | null | undefined): boolean {
  return !b || a.ts > b.ts || (a.ts === b.ts && a.seq > b.seq);
}

/** Totals and newest check of the unfolded checks with a seq in (from, ...], as of one hour. */
export type Tail = {
  hour: number;
  /** fold_state.folded_seq when the tail was started: a fold since then starts it over. */
  foldedSeq: number;
  scannedSeq: number;
  totals: TotalsTable;
  newest: Map<number, { ts: number; seq: number }>;
  /** The latest `now` it was read for: a call for an earlier instant starts over. */
  now: number;
  /** False once a check stamped later than `now` was met: the next call starts over. */
  reusable: boolean;
};

export function emptyTail(foldedSeq: number, now: number): Tail {
  return { hour: hourOf(now), foldedSeq, scannedSeq: foldedSeq, totals: createTotalsTable(), newest: new Map(), now, reusable: true };
}

/** Adds the owner's unfolded checks after tail.scannedSeq to the tail. */
export function extendTail(db: Db, ownerId: string, now: number, tail: Tail): void {
  const currentHour = tail.hour;
  tail.now = now;
  // One writer at a time, and seqs are given inside its transaction: a snapshot holds every seq
  // up to its newest, so the next call can start after it.
  const newest = db.sql('SELECT max(seq) AS seq FROM checks').get();
  const upTo = typeof newest?.seq === 'number' ? newest.seq : tail.scannedSeq;
  const rows = db
    .sql(
      `SELECT c.seq, c.mkey, c.ts, c.up, c.maintenance, CASE WHEN c.up = 1 THEN coalesce(c.total_us, c.duration_us) END AS response_us
       FROM checks c WHERE c.seq > ? AND c.seq <= ? AND c.mkey IN (${MINE})`,
    )
    .iterate(tail.scannedSeq, upTo, ownerId);
  tail.scannedSeq = Math.max(tail.scannedSeq, upTo);
  for (const row of rows) {
    const mkey = int(row, 'mkey');
    const ts = int(row, 'ts');
    const seq = int(row, 'seq');
    if (ts > now) tail.reusable = false;
    const hour = hourOf(ts);
    if (hour > currentHour) continue;
    const check = { ts, seq };
    if (ts <= now && newer(check, tail.newest.get(mkey))) tail.newest.set(mkey, check);
    const response = intOrNull(row, 'response_us');
    const maintenance = row.maintenance === 1 ? 1 : 0;
    const up = maintenance === 0 && int(row, 'up') === 1 ? 1 : 0;
    UPTIME_WINDOWS.forEach((window, w) => {
      if (hour >= currentHour - WINDOW_HOURS[window] + 1) tail.totals.add(mkey, w, 1, up, maintenance, response === null ? 0 : 1, response ?? 0);
    });
  }
}
