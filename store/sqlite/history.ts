// History buckets of one monitor. Whole UTC hours inside a bucket come from rollup_hour; the
// parts of an hour cut by a bucket edge or by `from`/`to` come from the raw checks (found through
// check_hours), and so do checks not yet folded into the rollups (fold.ts). In zones whose
// day and hour edges fall on whole UTC hours (every zone with a whole-hour offset, DST days
// included) raw checks are read only for a partial first or last hour of the range. In zones
// with a half- or quarter-hour offset (Asia/Kolkata, Asia/Kathmandu, Australia/Adelaide...)
// two raw hours per day bucket are read, and every hour for hour buckets: exact, and slower
// only in proportion to the raw checks read.

import type { HistoryQuery } from '../contract.ts';
import { historyTotals } from '../history-totals.ts';
import { bucketEdges } from '../time-buckets.ts';
import type { History } from '../types.ts';
import { type BucketTotals, addCheck, addRollup, emptyTotals, toBucket } from './bucket-totals.ts';
import { ownedMonitorKey } from './contacts.ts';
import { type Db, type Row, bytesOrNull, int, intOrNull, readTransaction } from './db.ts';
import { foldedSeq } from './fold.ts';
import { SEQ_IN, hourLists, hourOf, lastHourBefore, seqParam } from './monitor-checks.ts';
import { HOUR_MS } from './rollups.ts';

/** Bound on buckets per query: a year of hours. */
const MAX_BUCKETS = 9_000;

export function history(db: Db, ownerId: string, monitorId: string, query: HistoryQuery): History | null {
  return readTransaction(db, () => historyIn(db, ownerId, monitorId, query));
}

function historyIn(db: Db, ownerId: string, monitorId: string, query: HistoryQuery): History | null {
  const edges = bucketEdges(query.from, query.to, query.bucket, query.tz);
  if (edges.length - 1 > MAX_BUCKETS) {
    throw new RangeError(`history would have ${edges.length - 1} ${query.bucket} buckets; at most ${MAX_BUCKETS} are allowed`);
  }
  const mkey = ownedMonitorKey(db, ownerId, monitorId);
  if (mkey === null) return null;
  const totals = edges.slice(0, -1).map(emptyTotals);
  const { from, to } = query;
  const bucketOf = (instant: number) => bucketIndex(edges, instant);

  const rawHours: number[] = [];
  const rows = db
    .sql(
      `SELECT hour, checks, up, maintenance, resp_count, resp_sum_us, resp_max_us, histogram FROM rollup_hour
       WHERE mkey = ? AND hour >= ? AND hour < ? ORDER BY hour`,
    )
    .all(mkey, Math.floor(from / HOUR_MS), Math.ceil(to / HOUR_MS));
  for (const row of rows) {
    const hour = int(row, 'hour');
    const start = hour * HOUR_MS;
    const end = start + HOUR_MS;
    const index = bucketOf(start);
    // Whole hour inside the range and inside one bucket: the rollup answers; else raw checks.
    if (start >= from && end <= to && end <= (edges[index + 1] ?? -Infinity)) {
      addRollup(bucketAt(totals, index), {
        checks: int(row, 'checks'),
        up: int(row, 'up'),
        maintenance: int(row, 'maintenance'),
        respCount: int(row, 'resp_count'),
        respSumUs: int(row, 'resp_sum_us'),
        respMaxUs: intOrNull(row, 'resp_max_us'),
        histogram: bytesOrNull(row, 'histogram') ?? new Uint8Array(),
      });
    } else {
      rawHours.push(hour);
    }
  }

  const addRows = (rows: Row[]) => {
    for (const check of rows) {
      addCheck(bucketAt(totals, bucketOf(int(check, 'ts'))), int(check, 'up') === 1, check.maintenance === 1, intOrNull(check, 'response_us'));
    }
  };
  const select = 'SELECT ts, up, maintenance, CASE WHEN up = 1 THEN coalesce(total_us, duration_us) END AS response_us FROM checks c';
  for (const [start, end] of mergeHours(rawHours)) {
    const rangeFrom = Math.max(start, from);
    const rangeTo = Math.min(end, to);
    for (const list of hourLists(db, mkey, hourOf(rangeFrom), lastHourBefore(rangeTo))) {
      addRows(db.sql(`${select} WHERE ${SEQ_IN} AND c.ts >= ? AND c.ts < ?`).all(seqParam(list.seqs), rangeFrom, rangeTo));
    }
  }
  // Checks not yet folded are in no rollup: each is counted from its row.
  addRows(db.sql(`${select} WHERE c.seq > ? AND c.mkey = ? AND c.ts >= ? AND c.ts < ?`).all(foldedSeq(db), mkey, from, to));

  const buckets = totals.map((bucket, index) => toBucket(edges[index] ?? 0, bucket));
  return { buckets, totals: historyTotals(buckets) };
}

/** Index of the bucket holding `instant` (edges ascending; instant within the edges). */
function bucketIndex(edges: number[], instant: number): number {
  let low = 0;
  let high = edges.length - 2;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((edges[middle] ?? Infinity) <= instant) low = middle;
    else high = middle - 1;
  }
  return low;
}

function bucketAt(totals: BucketTotals[], index: number): BucketTotals {
  const bucket = totals[index];
  if (!bucket) throw new Error(`bucket ${index} out of range`);
  return bucket;
}

/** Consecutive hours as [start, end) ms ranges, so that raw checks are read in few queries. */
function mergeHours(hours: number[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const hour of hours) {
    const last = ranges.at(-1);
    if (last && last[1] === hour * HOUR_MS) last[1] += HOUR_MS;
    else ranges.push([hour * HOUR_MS, (hour + 1) * HOUR_MS]);
  }
  return ranges;
}
