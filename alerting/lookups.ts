// Finding the records a notification is about: an incident by id (getIncident, a realtime read
// that does not grow with the monitor's history), with recently seen incidents kept in a small
// bounded cache shared by the evaluator and the dispatcher of one process; a check by its probe
// time (the contract has no get-by-id for checks: a one-millisecond page of the monitor's list).

import type { AlertStore, CheckReader } from '../store/contract.ts';
import type { Check, Incident } from '../store/types.ts';

const CACHE_SIZE = 2_000;

export type IncidentLookup = {
  remember(incident: Incident): void;
  /** `resolved`: skip a cached copy that is still open (another process may have resolved it). */
  find(ownerId: string, monitorId: string, id: string, opts?: { resolved?: boolean }): Promise<Incident | null>;
};

export function createIncidentLookup(store: Pick<AlertStore, 'getIncident'>): IncidentLookup {
  // Map iteration order is insertion order: deleting the first key evicts the oldest entry.
  const cache = new Map<string, Incident>();
  const remember = (incident: Incident) => {
    cache.delete(incident.id);
    cache.set(incident.id, incident);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value ?? '');
  };
  return {
    remember,
    async find(ownerId, monitorId, id, opts = {}) {
      const cached = cache.get(id);
      if (cached && !(opts.resolved && cached.resolved_at === null)) return cached;
      const found = await store.getIncident(ownerId, monitorId, id);
      if (found) remember(found);
      return found;
    },
  };
}

/** The check with this id, probed at `at`; null once retention removed it. */
export async function findCheck(store: Pick<CheckReader, 'listChecks'>, ownerId: string, monitorId: string, id: string, at: number): Promise<Check | null> {
  // `to` is exclusive; several observers may share the millisecond.
  const page = await store.listChecks(ownerId, monitorId, { from: at, to: at + 1, limit: 50 });
  return page?.items.find((c) => c.id === id) ?? null;
}
