// Maintenance windows in the `maintenance` index, one document per window (id = window id),
// fields 1:1 with the MaintenanceWindow type. Reads by id are realtime GETs with the owner
// checked; lists are searches, made to see a write at once by writing with `refresh: 'wait_for'`
// (a window just created must silence the evaluator's next pass). An update is conditional on the
// seq_no it read, retried a few times when a concurrent writer got there first.

import { setTimeout as sleep } from 'node:timers/promises';
import type { estypes } from '@elastic/elasticsearch';
import type { MaintenanceStore } from '../../store/contract.ts';
import { newId } from '../../store/ids.ts';
import type { MaintenanceInput, MaintenanceWindow } from '../../store/maintenance.ts';
import { type EsContext, isConflict } from './context.ts';
import { getDoc, searchAll, type VersionedDoc } from './documents.ts';
import { backoffMs } from './monitors.ts';

const OLDEST_FIRST: estypes.SortCombinations[] = [{ created_at: 'asc' }, { id: 'asc' }];
const UPDATE_ATTEMPTS = 5;

/** Documents written before managed_by_file existed (template version 8) lack it: they came from the API. */
function fromDoc(doc: MaintenanceWindow): MaintenanceWindow {
  return { ...doc, managed_by_file: doc.managed_by_file === true };
}

/** Only the input's own fields, and none of a one-off window's times on a repeating one. */
function fieldsOf(input: MaintenanceInput): Omit<MaintenanceInput, 'managed_by_file'> {
  const { repeat } = input;
  return {
    name: input.name,
    all_monitors: input.all_monitors,
    monitor_ids: input.all_monitors ? [] : [...input.monitor_ids],
    start: repeat ? null : input.start,
    end: repeat ? null : input.end,
    repeat: repeat ? { every: repeat.every, days: [...repeat.days], from: repeat.from, to: repeat.to, tz: repeat.tz } : null,
  };
}

export function createMaintenanceStore(ctx: EsContext): MaintenanceStore {
  const { client } = ctx;
  const index = ctx.names.maintenance;

  const getOwned = async (ownerId: string, id: string): Promise<VersionedDoc<MaintenanceWindow> | null> => {
    const doc = await getDoc<MaintenanceWindow>(ctx, index, id);
    return doc && doc.source.owner_id === ownerId ? { ...doc, source: fromDoc(doc.source) } : null;
  };

  return {
    async createMaintenanceWindow(ownerId, input) {
      const now = ctx.clock();
      const window: MaintenanceWindow = {
        id: newId(),
        owner_id: ownerId,
        ...fieldsOf(input),
        managed_by_file: input.managed_by_file === true,
        created_at: now,
        updated_at: now,
      };
      // A plain index on a fresh id: a write retried by the client lands on the same document.
      await client.index({ index, id: window.id, document: window, refresh: 'wait_for' });
      return window;
    },

    async getMaintenanceWindow(ownerId, id) {
      return (await getOwned(ownerId, id))?.source ?? null;
    },

    async listMaintenanceWindows(ownerId) {
      return (await searchAll<MaintenanceWindow>(ctx, index, { bool: { filter: [{ term: { owner_id: ownerId } }] } }, OLDEST_FIRST)).map(fromDoc);
    },

    async updateMaintenanceWindow(ownerId, id, input) {
      for (let attempt = 1; ; attempt += 1) {
        const current = await getOwned(ownerId, id);
        if (!current) return null;
        const next: MaintenanceWindow = {
          ...current.source,
          ...fieldsOf(input),
          ...(input.managed_by_file === undefined ? {} : { managed_by_file: input.managed_by_file }),
          updated_at: ctx.clock(),
        };
        try {
          await client.index({ index, id, document: next, refresh: 'wait_for', if_seq_no: current.seq_no, if_primary_term: current.primary_term });
          return next;
        } catch (error) {
          if (!isConflict(error)) throw error;
          if (attempt >= UPDATE_ATTEMPTS) throw new Error(`update of maintenance window ${id} lost ${attempt} races to concurrent writers; giving up`);
          await sleep(backoffMs(attempt));
        }
      }
    },

    async deleteMaintenanceWindow(ownerId, id) {
      if (!(await getOwned(ownerId, id))) return false;
      // The owner never changes, so the check above still holds for this unconditional delete.
      const deleted = await client.delete({ index, id, refresh: 'wait_for' }, { ignore: [404] });
      return deleted.result === 'deleted';
    },

    async listAllMaintenanceWindows() {
      return (await searchAll<MaintenanceWindow>(ctx, index, { match_all: {} }, OLDEST_FIRST)).map(fromDoc);
    },
  };
}
