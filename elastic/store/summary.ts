// The summary (store/contract.ts CheckReader.summary): per monitor of an owner, uptime over
// 24h/7d/30d/90d, the 24h average response, the newest check and the open incident, with the
// same windows as the SQLite store (store/sqlite/summary.ts): whole UTC hours, a window of W
// hours being the current hour (the whole of it) and the W - 1 hours before it.
//
// One search over the owner's checks in the 90-day window: `terms` on monitor.id, and per monitor
// an overlapping `date_range` (one range per window, each counting up checks and summing the
// response of up checks) and the newest check at or before `now` (`top_hits`). A monitor whose
// newest check is older than the 90 days (paused long ago) gets it from a second search without
// the lower bound, asked only for such monitors.

import type { estypes } from '@elastic/elasticsearch';
import type { CheckReader } from '../../store/contract.ts';
import { type EcsCheckDocument, OWNER_FIELD, ecsToCheck } from '../../store/ecs.ts';
import { UPTIME_WINDOWS, type Check, type Incident, type MonitorSummary, type UptimeWindow } from '../../store/types.ts';
import { assertComplete } from './checks-read.ts';
import type { EsContext } from './context.ts';
import { openIncidentsOf } from './incidents.ts';
import { createMonitorStore } from './monitors.ts';

const HOUR_MS = 3_600_000;
const WINDOW_HOURS: Record<UptimeWindow, number> = { '24h': 24, '7d': 168, '30d': 720, '90d': 2160 };

type Count = { doc_count: number };
type Sum = { value: number | null };
type WindowBucket = Count & {
  up: Count & { response_total: Sum; no_total: Count & { response_duration: Sum } };
  maintenance: Count & { up: Count };
};
type LastCheck = Count & { check: { hits: { hits: Array<{ _source?: EcsCheckDocument }> } } };
type MonitorBucket = Count & { key: string; windows?: { buckets: Record<string, WindowBucket> }; last: LastCheck };
type SummaryAggregations = { monitors: { buckets: MonitorBucket[] } };

type Totals = { uptime: Record<UptimeWindow, number | null>; avgResponseMs24h: number | null };

export function createSummary(ctx: EsContext): Pick<CheckReader, 'summary'> {
  return {
    async summary(ownerId, now) {
      const monitors = await createMonitorStore(ctx).listMonitors(ownerId);
      if (monitors.length === 0) return [];
      const ids = monitors.map((monitor) => monitor.id);
      const [{ totals, lastChecks }, incidents] = await Promise.all([windowTotals(ctx, ownerId, ids, now), openIncidentsOf(ctx, ownerId)]);
      const missing = ids.filter((id) => !lastChecks.has(id));
      if (missing.length > 0) {
        for (const [id, check] of await newestChecks(ctx, ownerId, missing, { lte: now })) lastChecks.set(id, check);
      }
      const openIncidents = new Map<string, Incident>();
      // Newest first: the first one seen per monitor.
      for (const incident of incidents) {
        if (!openIncidents.has(incident.monitor_id)) openIncidents.set(incident.monitor_id, incident);
      }
      return monitors.map((monitor): MonitorSummary => {
        const last = lastChecks.get(monitor.id) ?? null;
        const windows = totals.get(monitor.id);
        return {
          monitor_id: monitor.id,
          name: monitor.name,
          url: monitor.url,
          paused: monitor.paused,
          status: last ? last.status : 'unknown',
          last_check: last,
          uptime: windows?.uptime ?? { '24h': null, '7d': null, '30d': null, '90d': null },
          avg_response_ms_24h: windows?.avgResponseMs24h ?? null,
          open_incident: openIncidents.get(monitor.id) ?? null,
        };
      });
    },
  };
}

/** Window totals per monitor, and each monitor's newest check at or before `now` within the 90 days. */
async function windowTotals(
  ctx: EsContext,
  ownerId: string,
  ids: string[],
  now: number,
): Promise<{ totals: Map<string, Totals>; lastChecks: Map<string, Check> }> {
  const currentHour = Math.floor(now / HOUR_MS) * HOUR_MS;
  const end = currentHour + HOUR_MS;
  const startOf = (window: UptimeWindow) => currentHour - (WINDOW_HOURS[window] - 1) * HOUR_MS;
  const response = await ctx.client.search<EcsCheckDocument, SummaryAggregations>({
    index: ctx.names.checks,
    size: 0,
    track_total_hits: false,
    query: ownerChecks(ownerId, ids, { gte: startOf('90d'), lt: end }),
    aggs: {
      monitors: {
        terms: { field: 'monitor.id', size: ids.length },
        aggs: {
          windows: {
            date_range: {
              field: '@timestamp',
              format: 'epoch_millis',
              keyed: true,
              ranges: UPTIME_WINDOWS.map((window) => ({ key: window, from: String(startOf(window)), to: String(end) })),
            },
            aggs: {
              up: {
                filter: { term: { 'monitor.status': 'up' } },
                aggs: {
                  // The response of an up check: total_us, else duration_us (as history and SQLite).
                  response_total: { sum: { field: 'http.rtt.total.us' } },
                  no_total: {
                    filter: { bool: { must_not: [{ exists: { field: 'http.rtt.total.us' } }] } },
                    aggs: { response_duration: { sum: { field: 'monitor.duration.us' } } },
                  },
                },
              },
              // Checks probed during maintenance are left out of uptime.
              maintenance: {
                filter: { term: { 'monitor.maintenance': true } },
                aggs: { up: { filter: { term: { 'monitor.status': 'up' } } } },
              },
            },
          },
          last: newestCheckAggregation({ lte: now }),
        },
      },
    },
  });
  assertComplete(response, 'summary of the owner\'s checks');
  const totals = new Map<string, Totals>();
  const lastChecks = new Map<string, Check>();
  for (const bucket of monitorBuckets(response.aggregations, 'summary of the owner\'s checks')) {
    const last = lastCheckOf(bucket);
    if (last) lastChecks.set(bucket.key, last);
    const windows = bucket.windows?.buckets ?? {};
    const uptime = Object.fromEntries(
      UPTIME_WINDOWS.map((window) => {
        const w = windows[window];
        const counted = w ? w.doc_count - w.maintenance.doc_count : 0;
        return [window, w && counted > 0 ? (w.up.doc_count - w.maintenance.up.doc_count) / counted : null];
      }),
    ) as Record<UptimeWindow, number | null>;
    const day = windows['24h']?.up;
    const responseUs = day ? (day.response_total.value ?? 0) + (day.no_total.response_duration.value ?? 0) : 0;
    totals.set(bucket.key, {
      uptime,
      avgResponseMs24h: day && day.doc_count > 0 ? Math.round(responseUs / day.doc_count) / 1000 : null,
    });
  }
  return { totals, lastChecks };
}

/** The newest check of each listed monitor within `range` of @timestamp (epoch milliseconds). */
async function newestChecks(
  ctx: EsContext,
  ownerId: string,
  ids: string[],
  range: { lte: number },
): Promise<Map<string, Check>> {
  const response = await ctx.client.search<EcsCheckDocument, SummaryAggregations>({
    index: ctx.names.checks,
    size: 0,
    track_total_hits: false,
    query: ownerChecks(ownerId, ids, range),
    aggs: { monitors: { terms: { field: 'monitor.id', size: ids.length }, aggs: { last: newestCheckAggregation(range) } } },
  });
  assertComplete(response, 'newest checks of idle monitors');
  const out = new Map<string, Check>();
  for (const bucket of monitorBuckets(response.aggregations, 'newest checks of idle monitors')) {
    const last = lastCheckOf(bucket);
    if (last) out.set(bucket.key, last);
  }
  return out;
}

function newestCheckAggregation(range: { lte: number }): estypes.AggregationsAggregationContainer {
  return {
    filter: { range: { '@timestamp': { ...range, format: 'epoch_millis' } } },
    aggs: { check: { top_hits: { size: 1, sort: [{ '@timestamp': { order: 'desc' } }, { 'event.id': { order: 'desc' } }] } } },
  };
}

function monitorBuckets(aggregations: SummaryAggregations | undefined, what: string): MonitorBucket[] {
  if (!aggregations?.monitors?.buckets) throw new Error(`${what}: the answer has no monitors aggregation`);
  return aggregations.monitors.buckets;
}

function lastCheckOf(bucket: MonitorBucket): Check | null {
  const source = bucket.last.check.hits.hits[0]?._source;
  return source ? ecsToCheck(source) : null;
}

/** Checks of the owner's listed monitors within `range` of @timestamp (epoch milliseconds). */
function ownerChecks(ownerId: string, ids: string[], range: { gte?: number; lt?: number; lte?: number }): estypes.QueryDslQueryContainer {
  return {
    bool: {
      filter: [
        { term: { [OWNER_FIELD]: ownerId } },
        { terms: { 'monitor.id': ids } },
        { range: { '@timestamp': { ...range, format: 'epoch_millis' } } },
      ],
    },
  };
}
