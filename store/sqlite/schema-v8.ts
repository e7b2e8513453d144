// Schema version 8: monitor types (store/monitor-types.ts). Existing monitors become http ones with
// none of the HTTP additions. A dns monitor's question is four columns (NULL for other types);
// json_assertions are rows of monitor_json_assertions in the order given, their value typed by
// value_kind so that 5, "5", true and null stay apart.
//
// Check contexts gain the monitor's type and what a dns probe asked and heard (the answers as rows
// of check_context_answers): they repeat from probe to probe like the rest of a context. The table
// is rebuilt because `method` becomes nullable (tcp and dns checks send no HTTP request); ctx keys
// are kept, so every check row still points at its context.

export const SCHEMA_V8 = `
ALTER TABLE monitors ADD COLUMN type TEXT NOT NULL DEFAULT 'http';
ALTER TABLE monitors ADD COLUMN body TEXT;
ALTER TABLE monitors ADD COLUMN keyword_absent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE monitors ADD COLUMN max_response_ms INTEGER;
ALTER TABLE monitors ADD COLUMN dns_name TEXT;
ALTER TABLE monitors ADD COLUMN dns_record_type TEXT;
ALTER TABLE monitors ADD COLUMN dns_resolver TEXT;
ALTER TABLE monitors ADD COLUMN dns_expect TEXT;

CREATE TABLE monitor_json_assertions (
  mkey INTEGER NOT NULL REFERENCES monitors (mkey) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  path TEXT NOT NULL,
  op TEXT NOT NULL,
  value_kind TEXT NOT NULL CHECK (value_kind IN ('string', 'number', 'boolean', 'null')),
  value TEXT,
  PRIMARY KEY (mkey, position)
) WITHOUT ROWID;

CREATE TABLE check_contexts_v8 (
  ctx INTEGER PRIMARY KEY,
  signature BLOB NOT NULL UNIQUE,
  monitor_name TEXT NOT NULL,
  monitor_type TEXT NOT NULL DEFAULT 'http',
  url TEXT NOT NULL,
  method TEXT,
  observer TEXT NOT NULL,
  resolved_ip TEXT,
  tls_version TEXT,
  cert_not_after INTEGER,
  cert_issuer TEXT,
  dns_question_name TEXT,
  dns_question_type TEXT,
  dns_response_code TEXT
);
INSERT INTO check_contexts_v8 (ctx, signature, monitor_name, url, method, observer, resolved_ip, tls_version, cert_not_after, cert_issuer)
  SELECT ctx, signature, monitor_name, url, method, observer, resolved_ip, tls_version, cert_not_after, cert_issuer FROM check_contexts;
DROP TABLE check_contexts;
ALTER TABLE check_contexts_v8 RENAME TO check_contexts;

CREATE TABLE check_context_answers (
  ctx INTEGER NOT NULL,
  position INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (ctx, position)
) WITHOUT ROWID;
`;
