// Schema version 10: certificate expiry alerts (alerting/cert-expiry.ts). Version 9 belongs to
// another change; the list of migrations stays ordered by version.
// - monitor_tls_expiry_days: a monitor's thresholds as rows, in the order given; none = off.
//   Existing monitors get the default [14, 7, 1].
// - check_contexts.cert_sha256: the certificate's fingerprint, repeated from probe to probe
//   like the rest of a context.
// - alert_states: the certificate last told about and the most urgent threshold told for it.
// - deliveries: a `cert` delivery is about no incident, so incident_id becomes nullable (the
//   table is rebuilt, its indexes with it) and the certificate it tells about is four columns,
//   all set or all NULL.

export const SCHEMA_V10 = `
CREATE TABLE monitor_tls_expiry_days (
  mkey INTEGER NOT NULL REFERENCES monitors (mkey) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  days INTEGER NOT NULL,
  PRIMARY KEY (mkey, position)
) WITHOUT ROWID;
INSERT INTO monitor_tls_expiry_days (mkey, position, days)
  SELECT mkey, 0, 14 FROM monitors UNION ALL SELECT mkey, 1, 7 FROM monitors UNION ALL SELECT mkey, 2, 1 FROM monitors;

ALTER TABLE check_contexts ADD COLUMN cert_sha256 TEXT;

ALTER TABLE alert_states ADD COLUMN cert_sha256 TEXT;
ALTER TABLE alert_states ADD COLUMN cert_told_days INTEGER;

CREATE TABLE deliveries_v10 (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL,
  monitor_id TEXT NOT NULL,
  incident_id TEXT,
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
  lease_expires_at INTEGER,
  cert_sha256 TEXT,
  cert_not_after INTEGER,
  cert_issuer TEXT,
  cert_threshold_days INTEGER,
  CHECK ((kind = 'cert') = (incident_id IS NULL)),
  CHECK ((kind = 'cert') = (cert_sha256 IS NOT NULL AND cert_not_after IS NOT NULL AND cert_threshold_days IS NOT NULL))
);
INSERT INTO deliveries_v10 (id, owner_id, monitor_id, incident_id, contact_id, channel, address, kind, check_id, check_at,
    status, attempts, next_attempt_at, last_error, created_at, sent_at, lease_owner, lease_expires_at)
  SELECT id, owner_id, monitor_id, incident_id, contact_id, channel, address, kind, check_id, check_at,
    status, attempts, next_attempt_at, last_error, created_at, sent_at, lease_owner, lease_expires_at FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v10 RENAME TO deliveries;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_by_monitor ON deliveries (monitor_id, created_at, id);
CREATE INDEX deliveries_pending_by_contact ON deliveries (contact_id, incident_id, check_at) WHERE status = 'pending';
CREATE INDEX deliveries_by_created ON deliveries (created_at);
`;
