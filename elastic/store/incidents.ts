// Reading incidents (written by the alert compare-and-set, elastic/store/effects.ts). Lists are
// searches, near-real-time; one incident is read by a realtime GET, which sees it at once.

import type { estypes } from '@elastic/elasticsearch';
import type { Incident } from '../../store/types.ts';
import type { EsContext } from './context.ts';
import { INCIDENT_FIELDS, pick } from './effects.ts';
import { createMonitorStore, getOwnedMonitor } from './monitors.ts';
import { getDoc, searchAll } from './documents.ts';

const NEWEST_FIRST: estypes.SortCombinations[] = [{ started_at: 'desc' }, { id: 'desc' }];

/** Incidents of one monitor overlapping [from, to) (open ones reach forward without end), newest first. */
export async function listIncidents(
  ctx: EsContext,
  ownerId: string,
  monitorId: string,
  range: { from?: number; to?: number },
): Promise<Incident[] | null> {
  if ((await getOwnedMonitor(ctx, ownerId, monitorId)) === null) return null;
  const filter: estypes.QueryDslQueryContainer[] = [{ term: { owner_id: ownerId } }, { term: { monitor_id: monitorId } }];
  if (range.to !== undefined) filter.push({ range: { started_at: { lt: range.to } } });
  if (range.from !== undefined) {
    filter.push({
      bool: {
        should: [{ bool: { must_not: [{ exists: { field: 'resolved_at' } }] } }, { range: { resolved_at: { gte: range.from } } }],
        minimum_should_match: 1,
      },
    });
  }
  const incidents = await searchAll<Incident>(ctx, ctx.names.incidents, { bool: { filter } }, NEWEST_FIRST);
  return incidents.map((incident) => pick(INCIDENT_FIELDS, incident));
}

/** One incident of the owner's monitor by id (realtime GET); null when either is not theirs. */
export async function getIncident(ctx: EsContext, ownerId: string, monitorId: string, incidentId: string): Promise<Incident | null> {
  const [monitor, doc] = await Promise.all([
    getOwnedMonitor(ctx, ownerId, monitorId),
    getDoc<Incident>(ctx, ctx.names.incidents, incidentId),
  ]);
  if (monitor === null || doc === null) return null;
  const incident = pick(INCIDENT_FIELDS, doc.source);
  return incident.owner_id === ownerId && incident.monitor_id === monitorId ? incident : null;
}

/** Open incidents of the owner's existing monitors, newest first. */
export async function listOpenIncidents(ctx: EsContext, ownerId: string): Promise<Incident[]> {
  const [incidents, monitors] = await Promise.all([openIncidentsOf(ctx, ownerId), createMonitorStore(ctx).listMonitors(ownerId)]);
  // Incidents outlive a deleted monitor (they are history); an open one of it is not "open".
  const live = new Set(monitors.map((monitor) => monitor.id));
  return incidents.filter((incident) => live.has(incident.monitor_id));
}

/** Every open incident of the owner, deleted monitors' included, newest first. */
export async function openIncidentsOf(ctx: EsContext, ownerId: string): Promise<Incident[]> {
  const incidents = await searchAll<Incident>(
    ctx,
    ctx.names.incidents,
    { bool: { filter: [{ term: { owner_id: ownerId } }], must_not: [{ exists: { field: 'resolved_at' } }] } },
    NEWEST_FIRST,
  );
  return incidents.map((incident) => pick(INCIDENT_FIELDS, incident));
}
