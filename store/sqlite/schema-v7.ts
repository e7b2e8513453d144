// Schema version 7: maintenance windows (store/maintenance.ts). One row per window; a one-off
// window has starts_at/ends_at, a repeating one repeat_* (weekdays as a bit set, Monday = bit 0,
// 0 = every day). The monitors a window names are rows of maintenance_monitors, in the order given.
// Checks probed inside a window carry maintenance = 1 (NULL otherwise: no byte spent on the others).
// And the alert state's told_incident_id (store/types.ts): until now every change was told, so
// an existing state was told of its open incident.

export const SCHEMA_V7 = `
CREATE TABLE maintenance_windows (
  wkey INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  owner_id TEXT NOT NULL,
  name TEXT NOT NULL,
  all_monitors INTEGER NOT NULL,
  starts_at INTEGER,
  ends_at INTEGER,
  repeat_every TEXT,
  repeat_days INTEGER,
  repeat_from TEXT,
  repeat_to TEXT,
  repeat_tz TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK ((starts_at IS NOT NULL AND ends_at IS NOT NULL AND repeat_every IS NULL)
      OR (starts_at IS NULL AND ends_at IS NULL AND repeat_every IS NOT NULL))
);
CREATE INDEX maintenance_windows_owner ON maintenance_windows (owner_id, created_at, id);

CREATE TABLE maintenance_monitors (
  wkey INTEGER NOT NULL REFERENCES maintenance_windows (wkey) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  monitor_id TEXT NOT NULL,
  PRIMARY KEY (wkey, position)
) WITHOUT ROWID;

ALTER TABLE checks ADD COLUMN maintenance INTEGER;
-- Rollups: checks counts them all, up only those outside maintenance, maintenance the others.
ALTER TABLE rollup_hour ADD COLUMN maintenance INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_day ADD COLUMN maintenance INTEGER NOT NULL DEFAULT 0;

ALTER TABLE alert_states ADD COLUMN told_incident_id TEXT;
UPDATE alert_states SET told_incident_id = open_incident_id;
`;
