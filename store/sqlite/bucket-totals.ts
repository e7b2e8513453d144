// Running totals of one history bucket, fed by rollup rows and by raw checks alike, and their
// shape in the API (response times in ms).

import type { HistoryBucket } from '../types.ts';
import { type Histogram, addTo, binOf, decodeInto, p95Ms } from './histogram.ts';

export type BucketTotals = {
  checks: number;
  /** Up checks outside maintenance. */
  up: number;
  maintenance: number;
  respCount: number;
  respSumUs: number;
  respMaxUs: number | null;
  histogram: Histogram;
};

export function emptyTotals(): BucketTotals {
  return { checks: 0, up: 0, maintenance: 0, respCount: 0, respSumUs: 0, respMaxUs: null, histogram: new Map() };
}

export function addRollup(
  totals: BucketTotals,
  row: { checks: number; up: number; maintenance: number; respCount: number; respSumUs: number; respMaxUs: number | null; histogram: Uint8Array },
): void {
  totals.checks += row.checks;
  totals.up += row.up;
  totals.maintenance += row.maintenance;
  totals.respCount += row.respCount;
  totals.respSumUs += row.respSumUs;
  if (row.respMaxUs !== null) totals.respMaxUs = Math.max(totals.respMaxUs ?? 0, row.respMaxUs);
  decodeInto(row.histogram, totals.histogram);
}

/** `responseUs` is null for a check that contributes no response time (see rollups.ts). */
export function addCheck(totals: BucketTotals, up: boolean, maintenance: boolean, responseUs: number | null): void {
  totals.checks += 1;
  if (maintenance) totals.maintenance += 1;
  else if (up) totals.up += 1;
  if (responseUs === null) return;
  totals.respCount += 1;
  totals.respSumUs += responseUs;
  totals.respMaxUs = Math.max(totals.respMaxUs ?? 0, responseUs);
  addTo(totals.histogram, binOf(responseUs));
}

export function toBucket(start: number, totals: BucketTotals): HistoryBucket {
  const maxMs = totals.respMaxUs === null ? null : totals.respMaxUs / 1000;
  const p95 = p95Ms(totals.histogram, maxMs);
  return {
    start,
    checks: totals.checks,
    up: totals.up,
    down: totals.checks - totals.up - totals.maintenance,
    maintenance: totals.maintenance,
    uptime: totals.checks === totals.maintenance ? null : totals.up / (totals.checks - totals.maintenance),
    response_ms: {
      avg: totals.respCount === 0 ? null : round3(totals.respSumUs / totals.respCount / 1000),
      p95: p95 === null ? null : round3(p95),
      max: maxMs,
    },
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
