// Pre-aggregated rollups, written by the fold (fold.ts) from stored check rows, each row once.
// Two grains:
// - rollup_hour (monitor, UTC hour): counts, response count/sum/max and a response histogram;
//   history sums these for every bucket whose edges fall on whole UTC hours.
// - rollup_day (monitor, UTC day): counts and response count/sum; the summary's long windows
//   read these so that 90 days of 1,000 monitors stay a few hundred thousand rows at most.
//
// Response statistics count only up checks, with total_us (or duration_us when the probe did not
// reach the body) as the response time: a down check's time is a timeout or an error's time,
// not the site's speed. Down checks still count in checks and down. A check probed during
// maintenance counts in checks and `maintenance`, not in up: uptime is up / (checks - maintenance).

import type { Db } from './db.ts';
import { type Histogram, addTo, binOf, encode } from './histogram.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The check columns that rollups count. */
export type RollupInput = { ts: number; up: boolean; maintenance: boolean; durationUs: number; totalUs: number | null };

/** The response time a check contributes to statistics, or null when it contributes none. */
export function responseUs(check: RollupInput): number | null {
  if (!check.up) return null;
  return check.totalUs ?? check.durationUs;
}

type Totals = { mkey: number; grain: number; checks: number; up: number; maintenance: number; respCount: number; respSum: number };
type HourTotals = Totals & { respMax: number | null; histogram: Histogram };

export type RollupBatch = {
  add(mkey: number, check: RollupInput): void;
  /** Writes the batch's totals inside the fold's transaction, stopping every `rowsPerStep` rows (fold.ts, foldSteps). */
  flush(db: Db, rowsPerStep: number): Generator<void, void, void>;
};

export function createRollupBatch(): RollupBatch {
  const hours = new Map<string, HourTotals>();
  const days = new Map<string, Totals>();

  return {
    add(mkey, check) {
      const hour = Math.floor(check.ts / HOUR_MS);
      const day = Math.floor(check.ts / DAY_MS);
      const hourKey = `${mkey}:${hour}`;
      const dayKey = `${mkey}:${day}`;
      let hourTotals = hours.get(hourKey);
      if (!hourTotals) {
        hourTotals = { mkey, grain: hour, checks: 0, up: 0, maintenance: 0, respCount: 0, respSum: 0, respMax: null, histogram: new Map() };
        hours.set(hourKey, hourTotals);
      }
      let dayTotals = days.get(dayKey);
      if (!dayTotals) {
        dayTotals = { mkey, grain: day, checks: 0, up: 0, maintenance: 0, respCount: 0, respSum: 0 };
        days.set(dayKey, dayTotals);
      }
      const response = responseUs(check);
      const up = check.up && !check.maintenance ? 1 : 0;
      const maintenance = check.maintenance ? 1 : 0;
      for (const totals of [hourTotals, dayTotals]) {
        totals.checks += 1;
        totals.up += up;
        totals.maintenance += maintenance;
        if (response !== null) {
          totals.respCount += 1;
          totals.respSum += response;
        }
      }
      if (response !== null) {
        hourTotals.respMax = Math.max(hourTotals.respMax ?? 0, response);
        addTo(hourTotals.histogram, binOf(response));
      }
    },

    *flush(db, rowsPerStep) {
      const hour = db.sql(
        `INSERT INTO rollup_hour (mkey, hour, checks, up, maintenance, resp_count, resp_sum_us, resp_max_us, histogram)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (mkey, hour) DO UPDATE SET
           checks = checks + excluded.checks,
           up = up + excluded.up,
           maintenance = maintenance + excluded.maintenance,
           resp_count = resp_count + excluded.resp_count,
           resp_sum_us = resp_sum_us + excluded.resp_sum_us,
           resp_max_us = max(coalesce(resp_max_us, excluded.resp_max_us), coalesce(excluded.resp_max_us, resp_max_us)),
           histogram = histogram_merge(histogram, excluded.histogram)`,
      );
      let written = 0;
      for (const t of hours.values()) {
        hour.run(t.mkey, t.grain, t.checks, t.up, t.maintenance, t.respCount, t.respSum, t.respMax, encode(t.histogram));
        if (++written % rowsPerStep === 0) yield;
      }
      const day = db.sql(
        `INSERT INTO rollup_day (mkey, day, checks, up, maintenance, resp_count, resp_sum_us) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (mkey, day) DO UPDATE SET
           checks = checks + excluded.checks,
           up = up + excluded.up,
           maintenance = maintenance + excluded.maintenance,
           resp_count = resp_count + excluded.resp_count,
           resp_sum_us = resp_sum_us + excluded.resp_sum_us`,
      );
      for (const t of days.values()) {
        day.run(t.mkey, t.grain, t.checks, t.up, t.maintenance, t.respCount, t.respSum);
        if (++written % rowsPerStep === 0) yield;
      }
    },
  };
}
