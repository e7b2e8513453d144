// Schema version 6: API keys (api/auth/api-keys.ts). One row per live key; a revoked key is
// deleted, so authentication is one lookup by primary key and finds nothing. The secret itself
// is never stored, only its keyed hash. owner_id carries no foreign key, as monitors.owner_id
// does not: an account removed by hand leaves rows nobody can use (authentication also requires
// the owner to exist).
// - api_keys_by_owner serves the owner's list, oldest first.
// - api_keys_expired lets retention find keys that expired long ago without a scan.

export const SCHEMA_V6 = `
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  last_used_at INTEGER
);
CREATE INDEX api_keys_by_owner ON api_keys (owner_id, created_at, id);
CREATE INDEX api_keys_expired ON api_keys (expires_at) WHERE expires_at IS NOT NULL;
`;
