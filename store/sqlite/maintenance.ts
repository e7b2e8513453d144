// Maintenance windows, scoped by owner (schema-v7.ts; managed_by_file: schema-v9.ts). A window and its monitor list are
// written in one transaction, so a reader never sees half of an update. Lists are ordered by
// (created_at, id), as on Elasticsearch.

import type { MaintenanceStore } from '../contract.ts';
import { newId } from '../ids.ts';
import { type MaintenanceInput, type MaintenanceRepeat, type MaintenanceWindow, REPEAT_EVERY, WEEKDAYS, type Weekday } from '../maintenance.ts';
import { type Db, type Row, int, intOrNull, oneOf, text, writeTransactionYielding } from './db.ts';

const COLUMNS = 'wkey, id, owner_id, name, all_monitors, starts_at, ends_at, repeat_every, repeat_days, repeat_from, repeat_to, repeat_tz, managed_by_file, created_at, updated_at';

export function createMaintenanceStore(db: Db): MaintenanceStore {
  const find = (ownerId: string, id: string): MaintenanceWindow | null => {
    const row = db.sql(`SELECT ${COLUMNS} FROM maintenance_windows WHERE id = ? AND owner_id = ?`).get(id, ownerId);
    return row ? (toWindows(db, [row])[0] ?? null) : null;
  };

  const writeMonitors = (wkey: number, monitorIds: readonly string[]) => {
    db.sql('DELETE FROM maintenance_monitors WHERE wkey = ?').run(wkey);
    const insert = db.sql('INSERT INTO maintenance_monitors (wkey, position, monitor_id) VALUES (?, ?, ?)');
    monitorIds.forEach((monitorId, position) => insert.run(wkey, position, monitorId));
  };

  return {
    async createMaintenanceWindow(ownerId, input) {
      const id = newId();
      const now = db.clock();
      return writeTransactionYielding(db, () => {
        const inserted = db
          .sql(`INSERT INTO maintenance_windows (id, owner_id, name, all_monitors, starts_at, ends_at, repeat_every, repeat_days, repeat_from, repeat_to, repeat_tz, managed_by_file, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
          .run(id, ownerId, ...settableValues(input), input.managed_by_file ? 1 : 0, now, now);
        writeMonitors(Number(inserted.lastInsertRowid), input.all_monitors ? [] : input.monitor_ids);
        const created = find(ownerId, id);
        if (!created) throw new Error(`maintenance window ${id} vanished right after it was created`);
        return created;
      });
    },

    async getMaintenanceWindow(ownerId, id) {
      return find(ownerId, id);
    },

    async listMaintenanceWindows(ownerId) {
      return toWindows(db, db.sql(`SELECT ${COLUMNS} FROM maintenance_windows WHERE owner_id = ? ORDER BY created_at, id`).all(ownerId));
    },

    async updateMaintenanceWindow(ownerId, id, input) {
      return writeTransactionYielding(db, () => {
        const row = db.sql('SELECT wkey FROM maintenance_windows WHERE id = ? AND owner_id = ?').get(id, ownerId);
        if (!row) return null;
        const wkey = int(row, 'wkey');
        db.sql(
          `UPDATE maintenance_windows SET name = ?, all_monitors = ?, starts_at = ?, ends_at = ?, repeat_every = ?, repeat_days = ?,
             repeat_from = ?, repeat_to = ?, repeat_tz = ?, managed_by_file = coalesce(?, managed_by_file), updated_at = ?
           WHERE wkey = ?`,
        ).run(...settableValues(input), input.managed_by_file === undefined ? null : input.managed_by_file ? 1 : 0, db.clock(), wkey);
        writeMonitors(wkey, input.all_monitors ? [] : input.monitor_ids);
        return find(ownerId, id);
      });
    },

    async deleteMaintenanceWindow(ownerId, id) {
      return db.sql('DELETE FROM maintenance_windows WHERE id = ? AND owner_id = ?').run(id, ownerId).changes > 0;
    },

    async listAllMaintenanceWindows() {
      return toWindows(db, db.sql(`SELECT ${COLUMNS} FROM maintenance_windows ORDER BY created_at, id`).all());
    },
  };
}

/** name, all_monitors, starts_at, ends_at, repeat_every, repeat_days, repeat_from, repeat_to, repeat_tz. */
function settableValues(input: MaintenanceInput): (string | number | null)[] {
  const { repeat } = input;
  return [
    input.name,
    input.all_monitors ? 1 : 0,
    repeat ? null : input.start,
    repeat ? null : input.end,
    repeat?.every ?? null,
    repeat ? daysToBits(repeat.days) : null,
    repeat?.from ?? null,
    repeat?.to ?? null,
    repeat?.tz ?? null,
  ];
}

function daysToBits(days: readonly Weekday[]): number {
  return days.reduce((bits, day) => bits | (1 << WEEKDAYS.indexOf(day)), 0);
}

function bitsToDays(bits: number): Weekday[] {
  return WEEKDAYS.filter((_, i) => (bits & (1 << i)) !== 0);
}

function toWindows(db: Db, rows: Row[]): MaintenanceWindow[] {
  if (rows.length === 0) return [];
  const keys = rows.map((row) => int(row, 'wkey'));
  const monitorIds = new Map<number, string[]>();
  const children = db
    .sql('SELECT wkey, monitor_id FROM maintenance_monitors WHERE wkey IN (SELECT value FROM json_each(?)) ORDER BY wkey, position')
    .all(JSON.stringify(keys));
  for (const child of children) {
    const wkey = int(child, 'wkey');
    monitorIds.set(wkey, [...(monitorIds.get(wkey) ?? []), text(child, 'monitor_id')]);
  }
  return rows.map((row): MaintenanceWindow => {
    const every = row.repeat_every === null ? null : oneOf(row, 'repeat_every', REPEAT_EVERY);
    const repeat: MaintenanceRepeat | null = every
      ? { every, days: bitsToDays(int(row, 'repeat_days')), from: text(row, 'repeat_from'), to: text(row, 'repeat_to'), tz: text(row, 'repeat_tz') }
      : null;
    return {
      id: text(row, 'id'),
      owner_id: text(row, 'owner_id'),
      name: text(row, 'name'),
      all_monitors: int(row, 'all_monitors') === 1,
      monitor_ids: monitorIds.get(int(row, 'wkey')) ?? [],
      start: intOrNull(row, 'starts_at'),
      end: intOrNull(row, 'ends_at'),
      repeat,
      managed_by_file: int(row, 'managed_by_file') === 1,
      created_at: int(row, 'created_at'),
      updated_at: int(row, 'updated_at'),
    };
  });
}
