// Versioned schema migrations. The list is ordered and append-only: a released migration is
// never edited, a change is a new entry. Each runs in its own write transaction together with
// the bump of `PRAGMA user_version` and a row in `schema_migrations`, so two processes opening
// the same file at once apply each migration exactly once, and a failed one leaves nothing.

import { type Db, int, writeTransaction } from './db.ts';
import { SCHEMA_V1 } from './schema-v1.ts';
import { SCHEMA_V2 } from './schema-v2.ts';
import { SCHEMA_V3, listExistingChecks } from './schema-v3.ts';
import { SCHEMA_V4 } from './schema-v4.ts';
import { SCHEMA_V5 } from './schema-v5.ts';
import { SCHEMA_V6 } from './schema-v6.ts';
import { SCHEMA_V7 } from './schema-v7.ts';
import { SCHEMA_V8 } from './schema-v8.ts';
import { SCHEMA_V9 } from './schema-v9.ts';
import { SCHEMA_V10 } from './schema-v10.ts';
import { SCHEMA_V11 } from './schema-v11.ts';

/** `sql` runs first, then `run` (for steps SQL alone cannot do), in the same transaction. */
export type Migration = { version: number; name: string; sql: string; run?: (db: Db) => void };

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: SCHEMA_V1 },
  { version: 2, name: 'rollups clustered by time', sql: SCHEMA_V2 },
  { version: 3, name: 'checks found through check_hours, rollups by the fold', sql: SCHEMA_V3, run: listExistingChecks },
  { version: 4, name: 'token generations, cancelled deliveries, retention of incidents and deliveries', sql: SCHEMA_V4 },
  { version: 5, name: 'status page title and description', sql: SCHEMA_V5 },
  { version: 6, name: 'api keys', sql: SCHEMA_V6 },
  { version: 7, name: 'maintenance windows; the incident last told', sql: SCHEMA_V7 },
  { version: 8, name: 'monitor types (http, tcp, dns), HTTP additions, dns answers of checks', sql: SCHEMA_V8 },
  { version: 9, name: 'monitors and maintenance windows managed by MONITORS_FILE', sql: SCHEMA_V9 },
  { version: 10, name: 'certificate expiry: thresholds, fingerprints, what was told, cert deliveries', sql: SCHEMA_V10 },
  { version: 11, name: 'push monitors: grace period and the hash of the push token', sql: SCHEMA_V11 },
];

export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const found = userVersion(db);
  if (found > latest) {
    throw new Error(
      `SQLite file has schema version ${found}, newer than this program knows (${latest}); upgrade the program`,
    );
  }
  // By the versions recorded, not user_version alone: version 9 reached main before 8 (two
  // branches), so a file can be at 9 without 8, and 8 must still run.
  if (found === latest && missing(db, migrations).length === 0) return;
  for (const migration of migrations) {
    writeTransaction(db, () => {
      // Read again under the write lock: another process may have migrated meanwhile.
      if (applied(db).has(migration.version)) return;
      db.conn.exec(migration.sql);
      migration.run?.(db);
      db.conn
        .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
        .run(migration.version, migration.name, db.clock());
      db.conn.exec(`PRAGMA user_version = ${Math.max(migration.version, userVersion(db))}`);
    });
  }
}

/** Versions recorded in schema_migrations (none before migration 1 made the table). */
function applied(db: Db): Set<number> {
  const table = db.conn.prepare("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) return new Set();
  return new Set(db.conn.prepare('SELECT version FROM schema_migrations').all().map((row) => int(row, 'version')));
}

function missing(db: Db, migrations: readonly Migration[]): Migration[] {
  const done = applied(db);
  return migrations.filter((migration) => !done.has(migration.version));
}

export function userVersion(db: Db): number {
  const row = db.conn.prepare('PRAGMA user_version').get();
  if (!row) throw new Error('PRAGMA user_version returned nothing');
  return int(row, 'user_version');
}
