// Monitors, scoped by owner. Deleting one marks its row deleted (its checks still point at it
// until retention removes them, and must stay invisible) and removes its children, contacts,
// alert state and pending deliveries in the same transaction. Every change bumps the
// `monitors` counter read by monitorsChangeToken.

import type { MonitorStore } from '../contract.ts';
import { newIdsInOrder } from '../ids.ts';
import { decodePageCursor, encodePageCursor } from '../page-cursor.ts';
import type { Monitor, MonitorInput } from '../types.ts';
import { type Db, int, writeTransactionYielding } from './db.ts';
import {
  deleteChildren,
  INSERT_COLUMNS,
  INSERT_PLACEHOLDERS,
  MONITOR_COLUMNS,
  settableValues,
  toMonitors,
  UPDATE_ASSIGNMENTS,
  writeChildren,
} from './monitor-rows.ts';

const LIVE = 'deleted_at IS NULL';

export function createMonitorStore(db: Db): MonitorStore {
  const bumpChangeCounter = () => db.sql("UPDATE counters SET value = value + 1 WHERE name = 'monitors'").run();

  const find = (ownerId: string, id: string): Monitor | null => {
    const row = db.sql(`SELECT ${MONITOR_COLUMNS} FROM monitors WHERE id = ? AND owner_id = ? AND ${LIVE}`).get(id, ownerId);
    return row ? (toMonitors(db, [row])[0] ?? null) : null;
  };

  const createMonitors = async (ownerId: string, inputs: MonitorInput[]): Promise<Monitor[]> => {
    if (inputs.length === 0) return [];
    const ids = newIdsInOrder(inputs.length);
    const now = db.clock();
    // Read back inside the transaction: a row that cannot be read as a monitor undoes the lot.
    return writeTransactionYielding(db, () => {
      const insert = db.sql(`INSERT INTO monitors (${INSERT_COLUMNS}) VALUES (${INSERT_PLACEHOLDERS})`);
      inputs.forEach((input, i) => {
        const inserted = insert.run(ids[i]!, ownerId, ...settableValues(input), now, now);
        writeChildren(db, Number(inserted.lastInsertRowid), input);
      });
      bumpChangeCounter();
      return ids.map((id) => {
        const created = find(ownerId, id);
        if (!created) throw new Error(`monitor ${id} vanished right after it was created`);
        return created;
      });
    });
  };

  return {
    createMonitors,

    async createMonitor(ownerId, input) {
      const [created] = await createMonitors(ownerId, [input]);
      return created!;
    },

    async getMonitor(ownerId, id) {
      return find(ownerId, id);
    },

    async listMonitors(ownerId) {
      const rows = db.sql(`SELECT ${MONITOR_COLUMNS} FROM monitors WHERE owner_id = ? AND ${LIVE} ORDER BY mkey`).all(ownerId);
      return toMonitors(db, rows);
    },

    async findMonitors(ownerId, query) {
      const after = query.cursor === undefined ? null : decodePageCursor(query.cursor);
      const where = [`owner_id = ?`, LIVE];
      const params: Array<string | number> = [ownerId];
      if (query.q !== undefined) {
        // instr, not LIKE: the text is matched as it is, `%` and `_` included.
        where.push('(instr(lower(name), ?) > 0 OR instr(lower(url), ?) > 0)');
        params.push(query.q.toLowerCase(), query.q.toLowerCase());
      }
      if (query.tag !== undefined) {
        where.push('EXISTS (SELECT 1 FROM monitor_tags t WHERE t.mkey = monitors.mkey AND t.tag = ?)');
        params.push(query.tag);
      }
      if (query.type !== undefined) {
        where.push('type = ?');
        params.push(query.type);
      }
      if (query.paused !== undefined) {
        where.push('paused = ?');
        params.push(query.paused ? 1 : 0);
      }
      if (query.ids !== undefined) {
        where.push('id IN (SELECT value FROM json_each(?))');
        params.push(JSON.stringify(query.ids));
      }
      if (after !== null) {
        where.push('(created_at, id) > (?, ?)');
        params.push(after.createdAt, after.id);
      }
      // One row more than asked tells whether another page follows.
      const rows = db
        .sql(`SELECT ${MONITOR_COLUMNS} FROM monitors WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT ?`)
        .all(...params, query.limit + 1);
      const items = toMonitors(db, rows.slice(0, query.limit));
      const last = items.at(-1);
      return { items, next_cursor: rows.length > query.limit && last ? encodePageCursor(last) : null };
    },

    async updateMonitor(ownerId, id, patch) {
      const updated = await writeTransactionYielding(db, () => {
        const current = find(ownerId, id);
        if (!current) return false;
        const next: MonitorInput = { ...inputOf(current), ...definedOnly(patch) };
        const mkey = keyOf(db, id);
        db.sql(`UPDATE monitors SET ${UPDATE_ASSIGNMENTS}, updated_at = ? WHERE mkey = ?`).run(...settableValues(next), db.clock(), mkey);
        writeChildren(db, mkey, next);
        bumpChangeCounter();
        return true;
      });
      return updated ? find(ownerId, id) : null;
    },

    async deleteMonitor(ownerId, id) {
      return writeTransactionYielding(db, () => {
        const row = db.sql(`SELECT mkey FROM monitors WHERE id = ? AND owner_id = ? AND ${LIVE}`).get(id, ownerId);
        if (!row) return false;
        const mkey = int(row, 'mkey');
        db.sql('UPDATE monitors SET deleted_at = ?, push_token_hash = NULL WHERE mkey = ?').run(db.clock(), mkey);
        deleteChildren(db, mkey);
        db.sql('DELETE FROM contacts WHERE mkey = ?').run(mkey);
        db.sql('DELETE FROM alert_states WHERE monitor_id = ?').run(id);
        db.sql("DELETE FROM deliveries WHERE monitor_id = ? AND status = 'pending'").run(id);
        bumpChangeCounter();
        return true;
      });
    },

    async listAllMonitors() {
      // Row by row: `all()` holds every value of every row in V8 handles until it returns, and the
      // malloc heap keeps that peak (50,000 monitors: ~10 MB for good, measured in smaps).
      return toMonitors(db, Array.from(db.sql(`SELECT ${MONITOR_COLUMNS} FROM monitors WHERE ${LIVE} ORDER BY mkey`).iterate()));
    },

    async findMonitorByPushTokenHash(hash) {
      const row = db.sql(`SELECT ${MONITOR_COLUMNS} FROM monitors WHERE push_token_hash = ? AND ${LIVE}`).get(hash);
      return row ? (toMonitors(db, [row])[0] ?? null) : null;
    },

    async monitorsChangeToken() {
      const row = db.sql("SELECT value FROM counters WHERE name = 'monitors'").get();
      return row ? String(int(row, 'value')) : '0';
    },
  };
}

function keyOf(db: Db, id: string): number {
  const row = db.sql('SELECT mkey FROM monitors WHERE id = ?').get(id);
  if (!row) throw new Error(`monitor ${id} has no row`);
  return int(row, 'mkey');
}

function inputOf(monitor: Monitor): MonitorInput {
  const { id: _id, owner_id: _owner, created_at: _created, updated_at: _updated, ...input } = monitor;
  return input;
}

/** A patch with `undefined` values would otherwise erase fields when spread. */
function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}
