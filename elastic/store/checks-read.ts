// One monitor's checks, read by search (near-real-time): a page newest first, and history
// buckets. Both check the monitor's owner first (realtime GET), so a foreign or missing monitor
// answers null, then filter every query on `owner.id` and `monitor.id`.
//
// listChecks sorts on `@timestamp desc, event.id desc` (the id makes the order total, so
// search_after neither skips nor repeats a check) and returns the last sort values as an opaque
// cursor (base64url JSON).
//
// history: the bucket edges are computed here, by store/time-buckets.ts, the same function the
// SQLite backend uses, and passed to a `range` aggregation on @timestamp. A `date_histogram`
// with `time_zone` would agree on whole-hour zones, but its hour buckets are UTC hours while a
// local hour in Asia/Kolkata starts at :30, and the repeated 02:00 of a fall-back night must be
// two buckets: exact edges make every zone agree with SQLite by construction. Response
// statistics count up checks only, `http.rtt.total.us` or else `monitor.duration.us`, without a
// script: two filters (up with a total, up without) each with stats and an HDR p95, merged here.
// A bucket holding both kinds (never written by our collector: an up check always has a total)
// gets its p95 from a second query of dense percentiles (history-p95 below).

import type { estypes } from '@elastic/elasticsearch';
import { type CheckReader, InvalidCursorError } from '../../store/contract.ts';
import { type EcsCheckDocument, ecsToCheck } from '../../store/ecs.ts';
import { historyTotals } from '../../store/history-totals.ts';
import { bucketEdges } from '../../store/time-buckets.ts';
import type { Check, HistoryBucket } from '../../store/types.ts';
import { type EsContext, MAX_PAGE } from './context.ts';
import { getOwnedMonitor } from './monitors.ts';

/** Bound on buckets per query, as on SQLite: a year of hours. */
const MAX_BUCKETS = 9_000;
const TOTAL = 'http.rtt.total.us';
const DURATION = 'monitor.duration.us';
const HDR = { number_of_significant_value_digits: 3 };

type Stats = { count: number; sumUs: number; maxUs: number | null; p95Us: number | null };

export function createCheckReader(ctx: EsContext): Pick<CheckReader, 'listChecks' | 'history'> {
  const { client, names } = ctx;
  const monitorFilter = (ownerId: string, monitorId: string): estypes.QueryDslQueryContainer[] => [
    { term: { 'owner.id': ownerId } },
    { term: { 'monitor.id': monitorId } },
  ];

  return {
    async listChecks(ownerId, monitorId, query) {
      const after = query.cursor === undefined ? undefined : decodeListCursor(query.cursor);
      if (!(await getOwnedMonitor(ctx, ownerId, monitorId))) return null;
      const filter = monitorFilter(ownerId, monitorId);
      if (query.from !== undefined || query.to !== undefined) {
        filter.push({ range: { '@timestamp': { gte: query.from, lt: query.to, format: 'epoch_millis' } } });
      }
      if (query.status !== undefined) filter.push({ term: { 'monitor.status': query.status } });
      const limit = Math.max(1, Math.min(query.limit, MAX_PAGE - 1));
      const response = await client.search<EcsCheckDocument>({
        index: names.checks,
        query: { bool: { filter } },
        sort: [{ '@timestamp': 'desc' }, { 'event.id': 'desc' }],
        size: limit + 1,
        track_total_hits: false,
        ...(after ? { search_after: after } : {}),
      });
      assertComplete(response, `listChecks of monitor ${monitorId}`);
      const hits = response.hits.hits;
      const page = hits.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((hit) => toCheck(hit)),
        next_cursor: hits.length > limit && last ? encodeListCursor(last.sort) : null,
      };
    },

    async history(ownerId, monitorId, query) {
      // Validates the zone and the range (RangeError naming them) before any request.
      const edges = bucketEdges(query.from, query.to, query.bucket, query.tz);
      if (edges.length - 1 > MAX_BUCKETS) {
        throw new RangeError(`history would have ${edges.length - 1} ${query.bucket} buckets; at most ${MAX_BUCKETS} are allowed`);
      }
      if (!(await getOwnedMonitor(ctx, ownerId, monitorId))) return null;
      const filter = [
        ...monitorFilter(ownerId, monitorId),
        { range: { '@timestamp': { gte: query.from, lt: query.to, format: 'epoch_millis' } } },
      ];
      const ranges = edges.slice(0, -1).map((start, i) => ({ from: start, to: edges[i + 1]! }));
      const buckets = await rangeBuckets(ctx, filter, ranges, [95]);
      const mixed = buckets.flatMap((b, i) => (b.withTotal.count > 0 && b.withoutTotal.count > 0 ? [i] : []));
      const mixedP95 = mixed.length === 0 ? new Map<number, number | null>() : await mixtureP95(ctx, filter, ranges, mixed);
      const result: HistoryBucket[] = buckets.map((b, i) => {
        const stats = merge(b.withTotal, b.withoutTotal, mixedP95.get(i));
        return toBucket(ranges[i]!.from, b, stats);
      });
      return { buckets: result, totals: historyTotals(result) };
    },
  };
}

function toCheck(hit: estypes.SearchHit<EcsCheckDocument>): Check {
  if (hit._source === undefined) throw new Error(`check document ${hit._id} came back without _source`);
  return ecsToCheck(hit._source);
}

export function assertComplete(response: estypes.SearchResponse<unknown>, what: string): void {
  if (response.timed_out || response._shards.failed > 0) {
    throw new Error(`${what}: the search was partial (timed out or ${response._shards.failed} shard(s) failed)`);
  }
}

// ---- The listChecks cursor: base64url of {"t": timestamp ms, "i": check id}. ----

function encodeListCursor(sort: estypes.SortResults | undefined): string {
  const [t, i] = sort ?? [];
  if (typeof t !== 'number' || typeof i !== 'string') throw new Error(`listChecks: unexpected sort values ${JSON.stringify(sort)}`);
  return Buffer.from(JSON.stringify({ t, i })).toString('base64url');
}

function decodeListCursor(cursor: string): [number, string] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    value = null;
  }
  const t = (value as { t?: unknown } | null)?.t;
  const i = (value as { i?: unknown } | null)?.i;
  if (!Number.isSafeInteger(t) || typeof i !== 'string' || Object.keys(value as object).length !== 2) {
    throw new InvalidCursorError(`cursor ${JSON.stringify(cursor)} was not issued by this store`);
  }
  return [t as number, i];
}

// ---- History aggregation ----

/** `up` counts up checks outside maintenance; `maintenance` the checks probed during one. */
type RawBucket = { checks: number; up: number; maintenance: number; withTotal: Stats; withoutTotal: Stats };
type Range = { from: number; to: number };
type StatsAgg = { count: number; sum: number | null; max: number | null };
type PercentilesAgg = { values: Record<string, number | null> | Array<{ key: number; value: number | null }> };
type GroupAgg = { doc_count: number; stats: StatsAgg; p: PercentilesAgg };
type RangeAgg = {
  buckets: Array<{
    doc_count: number;
    up: { doc_count: number; total: GroupAgg; duration: GroupAgg };
    maintenance: { doc_count: number; up: { doc_count: number } };
  }>;
};

/** Per range: count, up count, and the stats and percentiles of each kind of response time. */
async function rangeBuckets(
  ctx: EsContext,
  filter: estypes.QueryDslQueryContainer[],
  ranges: Range[],
  percents: number[],
): Promise<Array<RawBucket & { percentiles: [Map<number, number>, Map<number, number>] }>> {
  const group = (field: string, present: boolean): Record<string, estypes.AggregationsAggregationContainer> => ({
    [present ? 'total' : 'duration']: {
      filter: present ? { exists: { field: TOTAL } } : { bool: { must_not: [{ exists: { field: TOTAL } }] } },
      aggs: {
        stats: { stats: { field } },
        p: { percentiles: { field, percents, hdr: HDR, keyed: false } },
      },
    },
  });
  const response = await ctx.client.search({
    index: ctx.names.checks,
    size: 0,
    track_total_hits: false,
    query: { bool: { filter } },
    aggs: {
      buckets: {
        range: { field: '@timestamp', ranges, keyed: false },
        aggs: {
          up: {
            filter: { term: { 'monitor.status': 'up' } },
            aggs: { ...group(TOTAL, true), ...group(DURATION, false) },
          },
          maintenance: {
            filter: { term: { 'monitor.maintenance': true } },
            aggs: { up: { filter: { term: { 'monitor.status': 'up' } } } },
          },
        },
      },
    },
  });
  assertComplete(response, 'history');
  const agg = (response.aggregations as { buckets?: RangeAgg } | undefined)?.buckets;
  if (!agg || agg.buckets.length !== ranges.length) {
    throw new Error(`history: the range aggregation answered ${agg?.buckets.length ?? 'no'} buckets for ${ranges.length} ranges`);
  }
  return agg.buckets.map((b) => ({
    checks: b.doc_count,
    up: b.up.doc_count - b.maintenance.up.doc_count,
    maintenance: b.maintenance.doc_count,
    withTotal: groupStats(b.up.total),
    withoutTotal: groupStats(b.up.duration),
    percentiles: [percentileMap(b.up.total.p), percentileMap(b.up.duration.p)],
  }));
}

function groupStats(group: GroupAgg): Stats {
  const p95 = percentileMap(group.p).get(95);
  return { count: group.stats.count, sumUs: group.stats.sum ?? 0, maxUs: group.stats.max, p95Us: p95 ?? null };
}

function percentileMap(agg: PercentilesAgg): Map<number, number> {
  const entries = Array.isArray(agg.values) ? agg.values.map((v) => [v.key, v.value] as const) : Object.entries(agg.values).map(([k, v]) => [Number(k), v] as const);
  return new Map(entries.filter((e): e is readonly [number, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
}

/**
 * The p95 of buckets holding both up checks with a total and up checks without one: each
 * kind's percentiles every half percent, and the smallest value below which 95% of the two
 * together fall (each kind's distribution read as a step function: within half a percent).
 */
async function mixtureP95(
  ctx: EsContext,
  filter: estypes.QueryDslQueryContainer[],
  ranges: Range[],
  mixed: number[],
): Promise<Map<number, number | null>> {
  const percents = Array.from({ length: 200 }, (_, k) => (k + 1) / 2);
  const dense = await rangeBuckets(ctx, filter, mixed.map((i) => ranges[i]!), percents);
  return new Map(
    mixed.map((index, k) => {
      const bucket = dense[k]!;
      const kinds = [
        { n: bucket.withTotal.count, q: bucket.percentiles[0] },
        { n: bucket.withoutTotal.count, q: bucket.percentiles[1] },
      ];
      const n = kinds[0]!.n + kinds[1]!.n;
      const below = (value: number) =>
        kinds.reduce((acc, kind) => {
          let share = 0;
          for (const [percent, q] of kind.q) if (q <= value) share = Math.max(share, percent);
          return acc + (kind.n * share) / 100;
        }, 0);
      const candidates = [...new Set(kinds.flatMap((kind) => [...kind.q.values()]))].sort((a, b) => a - b);
      return [index, candidates.find((value) => below(value) >= 0.95 * n - 1e-9) ?? candidates.at(-1) ?? null] as const;
    }),
  );
}

function merge(a: Stats, b: Stats, mixedP95: number | null | undefined): Stats {
  const maxes = [a.maxUs, b.maxUs].filter((m): m is number => m !== null);
  return {
    count: a.count + b.count,
    sumUs: a.sumUs + b.sumUs,
    maxUs: maxes.length === 0 ? null : Math.max(...maxes),
    p95Us: mixedP95 !== undefined ? mixedP95 : a.count > 0 ? a.p95Us : b.p95Us,
  };
}

function toBucket(start: number, { checks, up, maintenance }: RawBucket, stats: Stats): HistoryBucket {
  const maxMs = stats.maxUs === null ? null : stats.maxUs / 1000;
  // HDR answers the top of the value's range: clamped to the maximum seen, as on SQLite.
  const p95Ms = stats.p95Us === null ? null : Math.min(stats.p95Us / 1000, maxMs ?? Infinity);
  return {
    start,
    checks,
    up,
    down: checks - up - maintenance,
    maintenance,
    uptime: checks === maintenance ? null : up / (checks - maintenance),
    response_ms: {
      avg: stats.count === 0 ? null : round3(stats.sumUs / stats.count / 1000),
      p95: p95Ms === null || stats.count === 0 ? null : round3(p95Ms),
      max: stats.count === 0 ? null : maxMs,
    },
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
