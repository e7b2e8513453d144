// The distinct causes of one outage, in the order they first appeared, so that an outage that began
// with HTTP 500, went on timing out and ended refusing connections is told as all three, not as
// its first cause only. Read when the message is assembled, from the outage's failed checks: the
// incident keeps its first cause and nothing new is stored. Checks that retention already removed
// simply drop out (the incident's first cause always leads the list).
//
// An UP or a reminder goes to every contact of the monitor, and the dispatcher sends them side by
// side: one outage's causes up to one end are read once (OutageCauses keeps the answer, and the
// read in flight, in a small bounded cache) instead of once per contact.

import type { CheckReader } from '../store/contract.ts';
import type { Check, Incident } from '../store/types.ts';
import type { Cause } from './channels/channel.ts';

const PAGE = 1_000;
/** A week of 1-minute checks at most; a longer outage names the causes of its last part. */
const MAX_PAGES = 10;

const causeOf = (check: Check): Cause => ({
  cause_type: check.error_type,
  cause_message: check.error_message,
  cause_status_code: check.status_code,
});

/**
 * One entry per kind of failure (error type and HTTP status), worded by its first occurrence: the
 * messages of one kind vary from check to check ("timed out after 500 ms waiting for the response
 * headers", "… waiting to connect"), and listing each would crowd out the other kinds.
 */
const kindOf = (cause: Cause): string => `${cause.cause_type ?? ''}|${cause.cause_status_code ?? ''}`;

/** Failed checks of the incident's monitor in [started_at, end), first cause first, without repeats. */
export async function outageCauses(store: Pick<CheckReader, 'listChecks'>, incident: Incident, end: number): Promise<Cause[]> {
  const newestFirst: Check[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await store.listChecks(incident.owner_id, incident.monitor_id, {
      from: incident.started_at,
      to: end,
      status: 'down',
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    });
    if (!result) break;
    newestFirst.push(...result.items);
    if (!result.next_cursor) break;
    cursor = result.next_cursor;
  }
  const first: Cause = { cause_type: incident.cause_type, cause_message: incident.cause_message, cause_status_code: incident.cause_status_code };
  const byKind = new Map<string, Cause>([[kindOf(first), first]]);
  for (const check of newestFirst.reverse()) {
    const cause = causeOf(check);
    if (!byKind.has(kindOf(cause))) byKind.set(kindOf(cause), cause);
  }
  return [...byKind.values()];
}

/** Recent answers kept; each is a few causes. */
const CACHE_SIZE = 500;

export type OutageCauses = (incident: Incident, end: number) => Promise<Cause[]>;

/** outageCauses, with answers per (incident, end) shared by the sends of one process. */
export function createOutageCauses(store: Pick<CheckReader, 'listChecks'>): OutageCauses {
  // Map iteration order is insertion order: deleting the first key evicts the oldest entry.
  const cache = new Map<string, Promise<Cause[]>>();
  return (incident, end) => {
    const key = `${incident.id}|${end}`;
    const known = cache.get(key);
    if (known) return known;
    const read = outageCauses(store, incident, end);
    cache.set(key, read);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value ?? '');
    // A failed read is not remembered: the next send asks again.
    read.catch(() => cache.get(key) === read && cache.delete(key));
    return read;
  };
}
