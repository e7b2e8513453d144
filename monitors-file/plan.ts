// What applying a MONITORS_FILE changes, decided without I/O: the owner's current monitors and
// windows against the file's. Only those the file created (managed_by_file) are matched, updated
// or deleted; a monitor or window made through the API is never in a plan. Matching is by name,
// unique in the file: renaming an entry in the file replaces the monitor (a new id and history).
// A field is patched only when its value differs, so applying the same file twice changes nothing.

import { isDeepStrictEqual } from 'node:util';
import { toInput } from '../api/maintenance/schemas.ts';
import type { MaintenanceInput, MaintenanceWindow } from '../store/maintenance.ts';
import type { Contact, Monitor, MonitorPatch } from '../store/types.ts';
import type { DeclaredContact, DeclaredMonitor, DeclaredWindow } from './parse.ts';

export type CurrentMonitor = Monitor & { contacts: Contact[] };

export type MonitorsPlan = {
  /** In file order, each with its contacts. */
  create: DeclaredMonitor[];
  update: Array<{ id: string; name: string; patch: MonitorPatch }>;
  addContacts: Array<{ monitorId: string; contact: DeclaredContact }>;
  removeContacts: Array<{ monitorId: string; contactId: string }>;
  remove: Array<{ id: string; name: string }>;
};

export type WindowsPlan = {
  create: MaintenanceInput[];
  update: Array<{ id: string; name: string; input: MaintenanceInput }>;
  remove: Array<{ id: string; name: string }>;
};

export function planMonitors(current: readonly CurrentMonitor[], declared: readonly DeclaredMonitor[]): MonitorsPlan {
  const plan: MonitorsPlan = { create: [], update: [], addContacts: [], removeContacts: [], remove: [] };
  const byName = firstByName(current.filter((m) => m.managed_by_file));
  const kept = new Set<string>();
  for (const wanted of declared) {
    const existing = byName.get(wanted.input.name);
    if (!existing) {
      plan.create.push(wanted);
      continue;
    }
    kept.add(existing.id);
    const patch = changedFields(existing, wanted.input);
    if (Object.keys(patch).length > 0) plan.update.push({ id: existing.id, name: existing.name, patch });
    const key = (c: DeclaredContact) => `${c.type}\u0000${c.address}`;
    const wantedKeys = new Set(wanted.contacts.map(key));
    const haveKeys = new Set(existing.contacts.map(key));
    for (const contact of wanted.contacts) if (!haveKeys.has(key(contact))) plan.addContacts.push({ monitorId: existing.id, contact });
    for (const contact of existing.contacts) if (!wantedKeys.has(key(contact))) plan.removeContacts.push({ monitorId: existing.id, contactId: contact.id });
  }
  for (const monitor of current) {
    if (monitor.managed_by_file && !kept.has(monitor.id)) plan.remove.push({ id: monitor.id, name: monitor.name });
  }
  return plan;
}

/**
 * `monitorIds` maps each monitor name of the file to its id once the monitors are applied; the
 * parser has checked that every name a window lists is one of them.
 */
export function planWindows(
  current: readonly MaintenanceWindow[],
  declared: readonly DeclaredWindow[],
  monitorIds: ReadonlyMap<string, string>,
): WindowsPlan {
  const plan: WindowsPlan = { create: [], update: [], remove: [] };
  const byName = firstByName(current.filter((w) => w.managed_by_file));
  const kept = new Set<string>();
  for (const wanted of declared) {
    const ids = wanted.monitorNames?.map((name) => {
      const id = monitorIds.get(name);
      if (id === undefined) throw new Error(`window ${JSON.stringify(wanted.body.name)} names monitor ${JSON.stringify(name)}, which the file does not declare`);
      return id;
    });
    const input = toInput({ ...wanted.body, ...(ids ? { monitor_ids: ids } : {}) });
    const existing = byName.get(input.name);
    if (!existing) {
      plan.create.push({ ...input, managed_by_file: true });
      continue;
    }
    kept.add(existing.id);
    if (!sameWindow(existing, input)) plan.update.push({ id: existing.id, name: existing.name, input });
  }
  for (const window of current) {
    if (window.managed_by_file && !kept.has(window.id)) plan.remove.push({ id: window.id, name: window.name });
  }
  return plan;
}

/** Every field the file gives (all of them: the schema fills defaults) whose value differs. */
function changedFields(monitor: Monitor, wanted: DeclaredMonitor['input']): MonitorPatch {
  const stored = new Map(Object.entries(monitor));
  return Object.fromEntries(Object.entries(wanted).filter(([key, value]) => !isDeepStrictEqual(stored.get(key), value)));
}

function sameWindow(window: MaintenanceWindow, input: MaintenanceInput): boolean {
  const { name, all_monitors, monitor_ids, start, end, repeat } = window;
  return isDeepStrictEqual({ name, all_monitors, monitor_ids, start, end, repeat }, {
    name: input.name,
    all_monitors: input.all_monitors,
    monitor_ids: input.monitor_ids,
    start: input.start,
    end: input.end,
    repeat: input.repeat,
  });
}

/** By name; should two share one (renamed through the API), the oldest is matched and the other deleted. */
function firstByName<T extends { name: string }>(items: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) if (!map.has(item.name)) map.set(item.name, item);
  return map;
}
