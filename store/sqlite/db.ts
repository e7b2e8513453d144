// The SQLite connection and the few helpers every part of the SQLite store uses: a cache of
// prepared statements, the blob-merging SQL functions the schema needs, read and write
// transactions (writers serialize across processes), and typed column readers (node:sqlite
// rows are loosely typed). The file is its owner's alone (mode 0600): it holds password hashes.

import { chmodSync, closeSync, constants, openSync, statSync } from 'node:fs';
import { DatabaseSync, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { mergeEncoded } from './histogram.ts';
import { mergeSeqs } from './seq-list.ts';

export type Row = Record<string, SQLOutputValue>;

/** One open database with its statement cache; passed to every part of the store. */
export type Db = {
  readonly conn: DatabaseSync;
  /** Prepared once per SQL text and reused. */
  sql(text: string): StatementSync;
  readonly clock: () => number;
};

/** How long a writer waits for another process's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 10_000;
/** Pages of WAL (4 KiB each) after which a commit copies them back into the database file. */
const WAL_AUTOCHECKPOINT_PAGES = 8_000;

/**
 * Creates the database file 0600 before SQLite does (SQLite would make it 0644 less the umask),
 * and takes group and other access away from files an earlier version created. SQLite gives the
 * WAL and shared-memory files it creates the database file's mode, so they follow.
 */
function restrictToOwner(path: string): void {
  // O_CREAT without O_EXCL: an existing file is only opened (read-only), never truncated.
  closeSync(openSync(path, constants.O_RDONLY | constants.O_CREAT, 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    } catch (error) {
      // Absent (no WAL yet), or not ours to change (another account's file): SQLite's own open
      // then says whether this process may use it at all.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EPERM') throw error;
    }
  }
}

export function openDb(path: string, clock: () => number): Db {
  restrictToOwner(path);
  const conn = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS, enableForeignKeyConstraints: true });
  conn.exec('PRAGMA journal_mode = WAL');
  conn.exec('PRAGMA synchronous = NORMAL');
  conn.exec('PRAGMA foreign_keys = ON');
  // Page cache of 16 MiB: the rollups of a few thousand monitors stay in memory; what falls out
  // is read again from the OS's file cache. 64 MiB until 2026-12: at 50,000 monitors the cache
  // filled, and RSS at the end of bench:probe-capacity was 511 MB against 484 MB at 16 MiB, with
  // no more CPU per check (0.413 and 0.354 ms, same hour).
  conn.exec('PRAGMA cache_size = -16384');
  // Checkpoint every ~32 MiB of WAL instead of SQLite's 4 MiB. A collector's batch re-dirties
  // mostly the same pages (rollup regions, index leaves) as the previous ones; copying them back
  // to the file once per ~10 batches instead of after nearly every batch cuts the bytes written
  // per check by a quarter (20,000 monitors: 3.96 -> 2.95 KB). A checkpoint then takes ~40 ms
  // longer, once per ~10 batches. The WAL file stays at about that size between checkpoints.
  conn.exec(`PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  registerBlobMerges(conn);
  const statements = new Map<string, StatementSync>();
  return {
    conn,
    clock,
    sql(text) {
      let statement = statements.get(text);
      if (!statement) {
        statement = conn.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

/** The SQL functions the schema's upserts use to merge stored blobs (rollups, check_hours). */
function registerBlobMerges(conn: DatabaseSync): void {
  const blobs = (name: string, merge: (a: Uint8Array, b: Uint8Array) => Uint8Array) =>
    conn.function(name, { deterministic: true }, (a, b) => {
      if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) throw new TypeError(`${name} expects two blobs`);
      return merge(a, b);
    });
  blobs('histogram_merge', mergeEncoded);
  blobs('seq_list_merge', mergeSeqs);
}

/**
 * Runs `work` in a write transaction. BEGIN IMMEDIATE takes the write lock up front, so two
 * processes (or two connections) doing read-then-write serialize instead of one failing late.
 */
export function writeTransaction<T>(db: Db, work: () => T): T {
  db.conn.exec('BEGIN IMMEDIATE');
  return commitOrRollback(db, work);
}

/**
 * Runs `work` in the transaction just begun: committed when it returns, undone when it throws. A
 * `work` that returns a promise (a fold in slices, checks-write.ts) keeps the transaction open
 * until it settles: nothing else may use the connection meanwhile.
 */
function commitOrRollback<T>(db: Db, work: () => T): T {
  const rollback = (error: unknown) => {
    if (db.conn.isTransaction) db.conn.exec('ROLLBACK');
    throw error;
  };
  try {
    const result = work();
    if (result instanceof Promise) {
      return result.then((settled: unknown) => {
        db.conn.exec('COMMIT');
        return settled;
      }, rollback) as T;
    }
    db.conn.exec('COMMIT');
    return result;
  } catch (error) {
    return rollback(error);
  }
}

/**
 * writeTransaction for a thread the API shares: it waits for another connection's write lock with
 * the event loop free. SQLite's busy handler sleeps the whole thread instead, and the check writer's
 * thread holds the lock for a batch or a fold chunk (up to ~0.3 s at 50,000 monitors), during
 * which no request would be served. Tries again after 1 ms, doubling to 50 ms, and fails after
 * `timeoutMs` (the busy handler's 10 s by default) with an error that names the held lock.
 */
export async function writeTransactionYielding<T>(db: Db, work: () => T | Promise<T>, timeoutMs = BUSY_TIMEOUT_MS): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (let pauseMs = 1; !tryBeginImmediate(db); pauseMs = Math.min(pauseMs * 2, 50)) {
    if (performance.now() >= deadline) throw new Error(`SQLite write lock still held by another connection after ${timeoutMs} ms`);
    await sleep(pauseMs);
  }
  // Begun and committed in the same task when `work` is synchronous, so that no other task of
  // the thread finds this connection inside the transaction.
  return await commitOrRollback(db, work);
}

const SQLITE_BUSY = 5;

/** BEGIN IMMEDIATE without waiting: false when another connection holds the write lock. */
function tryBeginImmediate(db: Db): boolean {
  db.conn.exec('PRAGMA busy_timeout = 0');
  try {
    db.conn.exec('BEGIN IMMEDIATE');
    return true;
  } catch (error) {
    // Extended codes (SQLITE_BUSY_SNAPSHOT, ...) keep the primary code in the low byte.
    if (error instanceof Error && 'errcode' in error && typeof error.errcode === 'number' && (error.errcode & 0xff) === SQLITE_BUSY) return false;
    throw error;
  } finally {
    db.conn.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/**
 * Runs `work` in a read transaction: every statement in it sees the same snapshot, so that a
 * fold committed by another connection meanwhile can neither hide a check nor count it twice.
 */
export function readTransaction<T>(db: Db, work: () => T): T {
  if (db.conn.isTransaction) return work();
  db.conn.exec('BEGIN');
  try {
    return work();
  } finally {
    if (db.conn.isTransaction) db.conn.exec('COMMIT');
  }
}

export const int = (row: Row, column: string): number => asInt(row[column], column);
export const intOrNull = (row: Row, column: string): number | null => asIntOrNull(row[column], column);
export const text = (row: Row, column: string): string => asText(row[column], column);
export const textOrNull = (row: Row, column: string): string | null => asTextOrNull(row[column], column);

export function bytesOrNull(row: Row, column: string): Uint8Array | null {
  const value = row[column];
  if (value === null) return null;
  if (!(value instanceof Uint8Array)) throw new TypeError(`column ${column}: expected a blob, got ${describe(value)}`);
  return value;
}

/** Picks a value out of a closed set, so that a corrupt row fails loudly instead of leaking. */
export const oneOf = <T extends string>(row: Row, column: string, allowed: readonly T[]): T => asOneOf(row[column], column, allowed);
export const oneOfOrNull = <T extends string>(row: Row, column: string, allowed: readonly T[]): T | null =>
  asOneOfOrNull(row[column], column, allowed);

// The same readers for one value and the name of its column, for rows read as arrays.

export function asInt(value: SQLOutputValue | undefined, column: string): number {
  if (typeof value !== 'number') throw new TypeError(`column ${column}: expected an integer, got ${describe(value)}`);
  return value;
}

export const asIntOrNull = (value: SQLOutputValue | undefined, column: string): number | null => (value === null ? null : asInt(value, column));

export function asText(value: SQLOutputValue | undefined, column: string): string {
  if (typeof value !== 'string') throw new TypeError(`column ${column}: expected text, got ${describe(value)}`);
  return value;
}

export const asTextOrNull = (value: SQLOutputValue | undefined, column: string): string | null => (value === null ? null : asText(value, column));

export function asOneOf<T extends string>(value: SQLOutputValue | undefined, column: string, allowed: readonly T[]): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw new TypeError(`column ${column}: unexpected value ${JSON.stringify(asText(value, column))}`);
  return found;
}

export const asOneOfOrNull = <T extends string>(value: SQLOutputValue | undefined, column: string, allowed: readonly T[]): T | null =>
  value === null ? null : asOneOf(value, column, allowed);

function describe(value: SQLOutputValue | undefined): string {
  if (value === undefined) return 'no such column';
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'a blob';
  return typeof value;
}

const SQLITE_CONSTRAINT_UNIQUE = 2067;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;

export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error) || !('errcode' in error)) return false;
  return error.errcode === SQLITE_CONSTRAINT_UNIQUE || error.errcode === SQLITE_CONSTRAINT_PRIMARYKEY;
}
