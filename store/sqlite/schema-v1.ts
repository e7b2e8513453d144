// Schema version 1. Notes on choices that are not obvious from the SQL:
// - monitors.mkey is a small integer key that every check and rollup row carries instead of the
//   monitor's id, owner, name, url and method. A deleted monitor keeps its row (deleted_at set)
//   so that its remaining checks still resolve until retention removes them; every owner-facing
//   query filters deleted_at IS NULL.
// - check_contexts holds what a check repeats from probe to probe (the monitor's name, url and
//   method at probe time, observer, resolved IP, TLS version and certificate); a check row
//   carries its integer key. A context is found by `signature` (a hash of those values).
// - checks.seq is the acceptance order (AUTOINCREMENT: never reused, even after a purge), read
//   by the alerting evaluator. checks.id is a 16-byte blob for newCheckId() ids, else text.
// - rollup_hour / rollup_day are maintained in the same transaction as the check inserts.
//   `histogram` is the sparse response-time histogram of store/sqlite/histogram.ts.

export const SCHEMA_V1 = `
CREATE TABLE schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  email_key TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  status_slug TEXT UNIQUE,
  created_at INTEGER NOT NULL
);

CREATE TABLE monitors (
  mkey INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  owner_id TEXT NOT NULL,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  method TEXT NOT NULL,
  interval_seconds INTEGER NOT NULL,
  timeout_ms INTEGER NOT NULL,
  expect_status TEXT NOT NULL,
  keyword TEXT,
  confirm_failures INTEGER NOT NULL,
  confirm_recoveries INTEGER NOT NULL,
  remind_every_minutes INTEGER NOT NULL,
  paused INTEGER NOT NULL,
  timezone TEXT,
  public INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
);
CREATE INDEX monitors_by_owner ON monitors (owner_id, mkey);

CREATE TABLE monitor_headers (
  mkey INTEGER NOT NULL REFERENCES monitors (mkey) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (mkey, position)
) WITHOUT ROWID;

CREATE TABLE monitor_tags (
  mkey INTEGER NOT NULL REFERENCES monitors (mkey) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (mkey, position)
) WITHOUT ROWID;

CREATE TABLE contacts (
  id TEXT PRIMARY KEY,
  mkey INTEGER NOT NULL REFERENCES monitors (mkey) ON DELETE CASCADE,
  type TEXT NOT NULL,
  address TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX contacts_by_monitor ON contacts (mkey, created_at);

CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('monitors', 0);

CREATE TABLE check_contexts (
  ctx INTEGER PRIMARY KEY,
  signature BLOB NOT NULL UNIQUE,
  monitor_name TEXT NOT NULL,
  url TEXT NOT NULL,
  method TEXT NOT NULL,
  observer TEXT NOT NULL,
  resolved_ip TEXT,
  tls_version TEXT,
  cert_not_after INTEGER,
  cert_issuer TEXT
);

CREATE TABLE checks (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id BLOB NOT NULL,
  mkey INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  next_in_ms INTEGER NOT NULL,
  up INTEGER NOT NULL,
  ctx INTEGER NOT NULL,
  duration_us INTEGER NOT NULL,
  status_code INTEGER,
  body_bytes INTEGER,
  dns_us INTEGER,
  connect_us INTEGER,
  tls_us INTEGER,
  first_byte_us INTEGER,
  total_us INTEGER,
  error_type TEXT,
  error_message TEXT
);
CREATE UNIQUE INDEX checks_by_id ON checks (id);
CREATE INDEX checks_by_monitor_time ON checks (mkey, ts);

CREATE TABLE rollup_hour (
  mkey INTEGER NOT NULL,
  hour INTEGER NOT NULL,
  checks INTEGER NOT NULL,
  up INTEGER NOT NULL,
  resp_count INTEGER NOT NULL,
  resp_sum_us INTEGER NOT NULL,
  resp_max_us INTEGER,
  histogram BLOB NOT NULL,
  PRIMARY KEY (mkey, hour)
) WITHOUT ROWID;

CREATE TABLE rollup_day (
  mkey INTEGER NOT NULL,
  day INTEGER NOT NULL,
  checks INTEGER NOT NULL,
  up INTEGER NOT NULL,
  resp_count INTEGER NOT NULL,
  resp_sum_us INTEGER NOT NULL,
  PRIMARY KEY (mkey, day)
) WITHOUT ROWID;

CREATE TABLE alert_states (
  monitor_id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  streak_status TEXT,
  streak_count INTEGER NOT NULL,
  streak_started_at INTEGER,
  streak_check_id TEXT,
  streak_error_type TEXT,
  streak_error_message TEXT,
  streak_status_code INTEGER,
  last_check_at INTEGER,
  open_incident_id TEXT,
  last_notified_at INTEGER,
  updated_at INTEGER NOT NULL
);

CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL,
  monitor_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  resolved_at INTEGER,
  cause_type TEXT,
  cause_message TEXT,
  cause_status_code INTEGER,
  check_id TEXT NOT NULL
);
CREATE INDEX incidents_by_monitor ON incidents (monitor_id, started_at);
CREATE INDEX incidents_open_by_owner ON incidents (owner_id) WHERE resolved_at IS NULL;

CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL,
  monitor_id TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  contact_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  address TEXT NOT NULL,
  kind TEXT NOT NULL,
  check_id TEXT NOT NULL,
  check_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  lease_owner TEXT,
  lease_expires_at INTEGER
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_by_monitor ON deliveries (monitor_id, created_at);

CREATE TABLE cursors (
  name TEXT PRIMARY KEY,
  value TEXT
);
`;
