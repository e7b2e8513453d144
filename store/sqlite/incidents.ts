// Incident rows: written by the alert compare-and-set, read by id, per monitor and for the summary.

import { ERROR_TYPES, type Incident } from '../types.ts';
import { type Db, type Row, int, intOrNull, oneOfOrNull, text, textOrNull } from './db.ts';

const COLUMNS = 'id, owner_id, monitor_id, started_at, resolved_at, cause_type, cause_message, cause_status_code, check_id';

export function upsertIncident(db: Db, incident: Incident): void {
  db.sql(
    `INSERT INTO incidents (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET owner_id = excluded.owner_id, monitor_id = excluded.monitor_id,
       started_at = excluded.started_at, resolved_at = excluded.resolved_at, cause_type = excluded.cause_type,
       cause_message = excluded.cause_message, cause_status_code = excluded.cause_status_code,
       check_id = excluded.check_id`,
  ).run(
    incident.id,
    incident.owner_id,
    incident.monitor_id,
    incident.started_at,
    incident.resolved_at,
    incident.cause_type,
    incident.cause_message,
    incident.cause_status_code,
    incident.check_id,
  );
}

/** Incidents of one monitor overlapping [from, to), newest first. */
export function incidentsOf(db: Db, monitorId: string, range: { from?: number; to?: number }): Incident[] {
  return db
    .sql(
      `SELECT ${COLUMNS} FROM incidents
       WHERE monitor_id = ? AND started_at < ? AND (resolved_at IS NULL OR resolved_at >= ?)
       ORDER BY started_at DESC, id DESC`,
    )
    .all(monitorId, range.to ?? Number.MAX_SAFE_INTEGER, range.from ?? Number.MIN_SAFE_INTEGER)
    .map(toIncident);
}

/** The incident with this id when it is one of the monitor's. */
export function incidentOf(db: Db, monitorId: string, id: string): Incident | null {
  const row = db.sql(`SELECT ${COLUMNS} FROM incidents WHERE id = ? AND monitor_id = ?`).get(id, monitorId);
  return row ? toIncident(row) : null;
}

/** Open incidents of the owner's live monitors, newest first. */
export function openIncidentsOf(db: Db, ownerId: string): Incident[] {
  return db
    .sql(
      `SELECT ${COLUMNS.split(', ').map((column) => `i.${column}`).join(', ')} FROM incidents i
       JOIN monitors m ON m.id = i.monitor_id AND m.owner_id = i.owner_id AND m.deleted_at IS NULL
       WHERE i.owner_id = ? AND i.resolved_at IS NULL
       ORDER BY i.started_at DESC, i.id DESC`,
    )
    .all(ownerId)
    .map(toIncident);
}

function toIncident(row: Row): Incident {
  return {
    id: text(row, 'id'),
    owner_id: text(row, 'owner_id'),
    monitor_id: text(row, 'monitor_id'),
    started_at: int(row, 'started_at'),
    resolved_at: intOrNull(row, 'resolved_at'),
    cause_type: oneOfOrNull(row, 'cause_type', ERROR_TYPES),
    cause_message: textOrNull(row, 'cause_message'),
    cause_status_code: intOrNull(row, 'cause_status_code'),
    check_id: text(row, 'check_id'),
  };
}
