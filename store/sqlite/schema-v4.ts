// Schema version 4: revocable tokens, cancelled deliveries, and indexes for the bounded reads
// and the retention of incidents and deliveries.
// - users.token_generation: every access token carries the generation it was issued at; logout
//   and a password change bump it (api/auth/), so every earlier token stops working at once.
// - deliveries_pending_by_contact serves deleteContact (cancel the contact's pending deliveries)
//   and the dispatcher's "is an earlier message to this contact still pending?" without reading
//   a monitor's whole outbox. Partial: only pending rows, few at any time.
// - deliveries_by_created and incidents_resolved let retention find what aged out without a scan.
// - deliveries_by_monitor gains the id, the tiebreak of the newest-first pages of the API.
// Statuses are TEXT without a CHECK constraint, so `cancelled` needs no change of the table.

export const SCHEMA_V4 = `
ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;

CREATE INDEX deliveries_pending_by_contact ON deliveries (contact_id, incident_id, check_at) WHERE status = 'pending';
CREATE INDEX deliveries_by_created ON deliveries (created_at);
DROP INDEX deliveries_by_monitor;
CREATE INDEX deliveries_by_monitor ON deliveries (monitor_id, created_at, id);
CREATE INDEX incidents_resolved ON incidents (resolved_at) WHERE resolved_at IS NOT NULL;
`;
