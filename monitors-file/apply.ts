// Applies a MONITORS_FILE to its owner's monitors through the store contract: reads and validates
// the whole file first (parse.ts), refusing it with nothing written when anything is wrong, then
// carries out the plan (plan.ts). Monitors first (created in bulk, marked managed_by_file), then
// their contacts, then the windows that name them, and deletions last.
//
// There are no multi-document transactions: a store failure halfway leaves part of the plan
// done. Applying again finishes it, since each apply plans from what is stored.

import { readFile, stat } from 'node:fs/promises';
import { MAX_WINDOWS_PER_OWNER } from '../api/maintenance/routes.ts';
import { BULK_MAX_MONITORS } from '../api/monitors/schemas.ts';
import type { Store } from '../store/contract.ts';
import { mapBounded } from './bounded.ts';
import { MAX_FILE_BYTES, MonitorsFileError, parseMonitorsFile, type MonitorsFileOptions } from './parse.ts';
import { planMonitors, planWindows } from './plan.ts';

/** Contact lists read at once. */
export const READ_CONCURRENCY = 8;

export type ApplyResult = {
  monitors: { created: number; updated: number; deleted: number };
  contacts: { added: number; removed: number };
  windows: { created: number; updated: number; deleted: number };
};

export type ApplyDeps = { store: Store; file: string; options: MonitorsFileOptions };

export async function applyMonitorsFile({ store, file, options }: ApplyDeps): Promise<ApplyResult> {
  const declared = parseMonitorsFile(await readBounded(file), file, options);
  const owner = await store.getUserByEmail(declared.owner);
  if (!owner) {
    throw new MonitorsFileError(file, [
      { line: declared.lines.owner, field: 'owner', message: `no user with email ${JSON.stringify(declared.owner)}: sign up first (POST /auth/signup)` },
    ]);
  }
  const ownerId = owner.id;
  const managed = (await store.listMonitors(ownerId)).filter((m) => m.managed_by_file);
  const current = await mapBounded(managed, READ_CONCURRENCY, async (m) => ({ ...m, contacts: await store.listContacts(ownerId, m.id) }));
  const plan = planMonitors(current, declared.monitors);
  const currentWindows = await store.listMaintenanceWindows(ownerId);
  // The API's bound on an owner's windows (the evaluator holds them all) holds for the file's too.
  const apiWindows = currentWindows.filter((w) => !w.managed_by_file).length;
  if (apiWindows + declared.windows.length > MAX_WINDOWS_PER_OWNER) {
    throw new MonitorsFileError(file, [
      {
        line: declared.lines.maintenance,
        field: 'maintenance',
        message: `${declared.windows.length} windows, with the ${apiWindows} made through the API, pass the limit of ${MAX_WINDOWS_PER_OWNER} per user`,
      },
    ]);
  }

  const idsByName = new Map<string, string>();
  const removed = new Set(plan.remove.map((m) => m.id));
  for (const monitor of current) if (!removed.has(monitor.id) && !idsByName.has(monitor.name)) idsByName.set(monitor.name, monitor.id);

  let contactsAdded = 0;
  for (let i = 0; i < plan.create.length; i += BULK_MAX_MONITORS) {
    const lot = plan.create.slice(i, i + BULK_MAX_MONITORS);
    const created = await store.createMonitors(ownerId, lot.map((m) => ({ ...m.input, managed_by_file: true })));
    for (const [k, monitor] of created.entries()) {
      idsByName.set(monitor.name, monitor.id);
      // One at a time: contacts are listed in the order they were added, which is the file's.
      for (const contact of lot[k]!.contacts) {
        await store.addContact(ownerId, monitor.id, contact);
        contactsAdded += 1;
      }
    }
  }
  for (const { id, patch } of plan.update) await store.updateMonitor(ownerId, id, patch);
  for (const { monitorId, contactId } of plan.removeContacts) await store.deleteContact(ownerId, monitorId, contactId);
  for (const { monitorId, contact } of plan.addContacts) {
    await store.addContact(ownerId, monitorId, contact);
    contactsAdded += 1;
  }

  const windows = planWindows(currentWindows, declared.windows, idsByName);
  for (const input of windows.create) await store.createMaintenanceWindow(ownerId, input);
  for (const { id, input } of windows.update) await store.updateMaintenanceWindow(ownerId, id, input);
  for (const { id } of windows.remove) await store.deleteMaintenanceWindow(ownerId, id);
  for (const { id } of plan.remove) await store.deleteMonitor(ownerId, id);

  return {
    monitors: { created: plan.create.length, updated: plan.update.length, deleted: plan.remove.length },
    contacts: { added: contactsAdded, removed: plan.removeContacts.length },
    windows: { created: windows.create.length, updated: windows.update.length, deleted: windows.remove.length },
  };
}

/** The file's text, refused before it is read when it is larger than any real one. */
async function readBounded(file: string): Promise<string> {
  try {
    const { size } = await stat(file);
    if (size > MAX_FILE_BYTES) throw new MonitorsFileError(file, [{ line: null, field: '', message: `is ${size} bytes, more than ${MAX_FILE_BYTES}` }]);
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof MonitorsFileError) throw error;
    throw new MonitorsFileError(file, [{ line: null, field: '', message: `cannot be read: ${(error as Error).message}` }]);
  }
}
