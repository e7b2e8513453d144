// Alert state with compare-and-set, incidents and the evaluator's cursor. The compare-and-set
// reads the version and writes state, incident and deliveries in one BEGIN IMMEDIATE
// transaction, so two evaluators (in one process or in two on the same file) serialize: the
// second sees the new version and gets CasConflictError with nothing written.

import { type AlertStore, CasConflictError } from '../contract.ts';
import { ERROR_TYPES, type AlertState } from '../types.ts';
import { type Db, type Row, int, intOrNull, oneOf, oneOfOrNull, textOrNull, writeTransactionYielding } from './db.ts';
import { ownedMonitorKey } from './contacts.ts';
import { insertDeliveries } from './deliveries.ts';
import { incidentOf, incidentsOf, openIncidentsOf, upsertIncident } from './incidents.ts';

const STATE_COLUMNS = `status, streak_status, streak_count, streak_started_at, streak_check_id, streak_error_type,
  streak_error_message, streak_status_code, last_check_at, open_incident_id, told_incident_id, last_notified_at, cert_sha256, cert_told_days, updated_at`;

const EVALUATOR = 'evaluator';

export function createAlertStore(db: Db): AlertStore {
  return {
    async getAlertState(monitorId) {
      const row = db.sql(`SELECT monitor_id, version, ${STATE_COLUMNS} FROM alert_states WHERE monitor_id = ?`).get(monitorId);
      return row ? { state: toState(monitorId, row), version: int(row, 'version') } : null;
    },

    async compareAndSetAlertState(monitorId, expectedVersion, next, effects) {
      return writeTransactionYielding(db, () => {
        const row = db.sql('SELECT version FROM alert_states WHERE monitor_id = ?').get(monitorId);
        const current = row ? int(row, 'version') : null;
        if (current !== expectedVersion) {
          throw new CasConflictError(
            `alert state of monitor ${monitorId} is at version ${current ?? 'none'}, not ${expectedVersion ?? 'none'}`,
          );
        }
        const version = (current ?? 0) + 1;
        db.sql(
          `INSERT INTO alert_states (monitor_id, version, ${STATE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (monitor_id) DO UPDATE SET version = excluded.version, status = excluded.status,
             streak_status = excluded.streak_status, streak_count = excluded.streak_count,
             streak_started_at = excluded.streak_started_at, streak_check_id = excluded.streak_check_id,
             streak_error_type = excluded.streak_error_type, streak_error_message = excluded.streak_error_message,
             streak_status_code = excluded.streak_status_code, last_check_at = excluded.last_check_at,
             open_incident_id = excluded.open_incident_id, told_incident_id = excluded.told_incident_id, last_notified_at = excluded.last_notified_at,
             cert_sha256 = excluded.cert_sha256, cert_told_days = excluded.cert_told_days, updated_at = excluded.updated_at`,
        ).run(
          monitorId,
          version,
          next.status,
          next.streak_status,
          next.streak_count,
          next.streak_started_at,
          next.streak_check_id,
          next.streak_error_type,
          next.streak_error_message,
          next.streak_status_code,
          next.last_check_at,
          next.open_incident_id,
          next.told_incident_id,
          next.last_notified_at,
          next.cert_sha256,
          next.cert_told_days,
          next.updated_at,
        );
        if (effects.incident) upsertIncident(db, effects.incident);
        if (effects.deliveries?.length) insertDeliveries(db, effects.deliveries);
        return version;
      });
    },

    async listIncidents(ownerId, monitorId, range) {
      if (ownedMonitorKey(db, ownerId, monitorId) === null) return null;
      return incidentsOf(db, monitorId, range);
    },

    async getIncident(ownerId, monitorId, incidentId) {
      if (ownedMonitorKey(db, ownerId, monitorId) === null) return null;
      return incidentOf(db, monitorId, incidentId);
    },

    async listOpenIncidents(ownerId) {
      return openIncidentsOf(db, ownerId);
    },

    async getEvaluatorCursor() {
      const row = db.sql('SELECT value FROM cursors WHERE name = ?').get(EVALUATOR);
      return row ? textOrNull(row, 'value') : null;
    },

    async setEvaluatorCursor(cursor) {
      await writeTransactionYielding(db, () =>
        db.sql('INSERT INTO cursors (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(EVALUATOR, cursor),
      );
    },
  };
}

function toState(monitorId: string, row: Row): AlertState {
  return {
    monitor_id: monitorId,
    status: oneOf(row, 'status', ['unknown', 'up', 'down'] as const),
    streak_status: oneOfOrNull(row, 'streak_status', ['up', 'down'] as const),
    streak_count: int(row, 'streak_count'),
    streak_started_at: intOrNull(row, 'streak_started_at'),
    streak_check_id: textOrNull(row, 'streak_check_id'),
    streak_error_type: oneOfOrNull(row, 'streak_error_type', ERROR_TYPES),
    streak_error_message: textOrNull(row, 'streak_error_message'),
    streak_status_code: intOrNull(row, 'streak_status_code'),
    last_check_at: intOrNull(row, 'last_check_at'),
    open_incident_id: textOrNull(row, 'open_incident_id'),
    told_incident_id: textOrNull(row, 'told_incident_id'),
    last_notified_at: intOrNull(row, 'last_notified_at'),
    cert_sha256: textOrNull(row, 'cert_sha256'),
    cert_told_days: intOrNull(row, 'cert_told_days'),
    updated_at: int(row, 'updated_at'),
  };
}
