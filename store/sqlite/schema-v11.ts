// Schema version 11: push monitors (DESIGN "Monitor types").
// - monitors.grace_seconds: how late a heartbeat may be before a `missed` check; 0 for other types.
// - monitors.push_token_hash: SHA-256 of the push token, unique among monitors that have one, so
//   that /push/{token} finds its monitor by one index lookup. A deleted monitor's row is kept
//   (deleted_at), so the lookup filters on deleted_at too.

export const SCHEMA_V11 = `
ALTER TABLE monitors ADD COLUMN grace_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE monitors ADD COLUMN push_token_hash TEXT;
CREATE UNIQUE INDEX monitors_by_push_token ON monitors (push_token_hash) WHERE push_token_hash IS NOT NULL;
`;
