// An owner's monitors (all of them, however made), their contacts and maintenance windows in the
// MONITORS_FILE format (parse.ts), for GET /api/export. A field is written only when its value
// differs from what the API's create schema would fill in without it, so the file stays short and
// a default the server changes later is picked up; applying the export creates monitors equal to
// these, and exporting them again gives the same text.

import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { toBody } from '../api/maintenance/schemas.ts';
import { monitorSchemas, type IntervalLimits } from '../api/monitors/schemas.ts';
import type { Store } from '../store/contract.ts';
import type { Monitor } from '../store/types.ts';
import { READ_CONCURRENCY } from './apply.ts';
import { mapBounded } from './bounded.ts';

export async function exportMonitorsFile(store: Store, ownerId: string, limits: IntervalLimits): Promise<string> {
  const user = await store.getUser(ownerId);
  if (!user) throw new Error(`user ${ownerId} does not exist`);
  const [monitors, windows] = await Promise.all([store.listMonitors(ownerId), store.listMaintenanceWindows(ownerId)]);
  const { create } = monitorSchemas(limits);
  const names = new Map(monitors.map((m) => [m.id, m.name]));
  const monitorEntries = await mapBounded(monitors, READ_CONCURRENCY, async (monitor) => {
    const contacts = (await store.listContacts(ownerId, monitor.id)).map((c) => ({ type: c.type, address: c.address }));
    return { ...fieldsOf(monitor, create), ...(contacts.length > 0 ? { contacts } : {}) };
  });
  // By name: windows made in the same millisecond have no other order that a new apply keeps.
  const byName = [...windows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
  const windowEntries = byName.flatMap((window) => {
    const { monitor_ids, ...body } = toBody(window);
    // A window's deleted monitors match nothing; one left with none covers nothing and is left out.
    const listed = monitor_ids?.flatMap((id) => (names.has(id) ? [names.get(id)!] : []));
    if (listed && listed.length === 0) return [];
    const { name, all, ...when } = body;
    return [{ name, ...(listed ? { monitors: listed } : { all }), ...when }];
  });
  return stringify(
    { owner: user.email, monitors: monitorEntries, ...(windowEntries.length > 0 ? { maintenance: windowEntries } : {}) },
    { lineWidth: 0 },
  );
}

/** Set by the store, not by whoever creates a monitor. */
const STORE_ONLY = new Set(['id', 'owner_id', 'created_at', 'updated_at', 'managed_by_file']);

type CreateSchema = ReturnType<typeof monitorSchemas>['create'];

/**
 * Each field a caller sets (the stored ones the schema knows), less those the schema would fill
 * in to the same value without them; name and url always.
 */
function fieldsOf(monitor: Monitor, create: CreateSchema): Record<string, unknown> {
  const candidate = Object.fromEntries(Object.entries(monitor).filter(([key]) => !STORE_ONLY.has(key)));
  const checked = create.safeParse(candidate);
  const unknown = new Set(
    checked.success ? [] : checked.error.issues.flatMap((issue) => (issue.code === 'unrecognized_keys' && issue.path.length === 0 ? issue.keys : [])),
  );
  const full = Object.fromEntries(Object.entries(candidate).filter(([key]) => !unknown.has(key)));
  const expected = create.safeParse(full);
  // Stored under other limits than today's (a higher MIN_INTERVAL_SECONDS): written as stored.
  if (!expected.success) return full;
  const order = Object.keys(expected.data);
  // A schema that needs more than a name and a URL (another type of monitor): every field.
  const minimal = create.safeParse({ name: monitor.name, url: monitor.url });
  if (!minimal.success) return orderedLike(order, full);
  const defaults = new Map(Object.entries(minimal.data));
  const parsed = new Map(Object.entries(expected.data));
  const entry: Record<string, unknown> = Object.fromEntries(
    Object.entries(full).filter(([key]) => key === 'name' || key === 'url' || !isDeepStrictEqual(defaults.get(key), parsed.get(key))),
  );
  // A default that depends on another field (timeout_ms on interval_seconds): keep what differs.
  const reparsed = create.safeParse(entry);
  if (!reparsed.success) return orderedLike(order, full);
  for (const [key, value] of Object.entries(reparsed.data)) {
    if (!isDeepStrictEqual(value, parsed.get(key))) entry[key] = full[key];
  }
  return orderedLike(order, entry);
}

/** In the schema's order (any other field after), so that two exports of equal monitors are equal texts. */
function orderedLike(keys: string[], entry: Record<string, unknown>): Record<string, unknown> {
  const rest = Object.keys(entry).filter((key) => !keys.includes(key)).sort();
  return Object.fromEntries([...keys.filter((key) => key in entry), ...rest].map((key) => [key, entry[key]]));
}
