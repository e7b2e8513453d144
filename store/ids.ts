// Id generators shared by every backend. Ids are opaque url-safe strings to callers.
//
// Check ids are written by the collector at probe time and are the idempotency key of
// appendChecks, so they are indexed on every stored check. `newCheckId()` makes them cheap to
// index: 16 bytes (6 bytes of milliseconds, big-endian, then 10 random bytes) encoded as 22
// base64url characters. The time prefix keeps index inserts near the right edge of the B-tree
// (few page splits, dense pages); 80 random bits keep ids from colliding across collectors.
// The SQLite store keeps such an id as a 16-byte blob; any other string is kept as text.

import { randomBytes, randomFillSync } from 'node:crypto';

/** Id for users, monitors, contacts: 16 url-safe characters (96 random bits). */
export function newId(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * `count` fresh ids, ascending: monitors created together share created_at, and lists order ties
 * by id, so the i-th input must get the i-th smallest id to be listed in the order it was given.
 */
export function newIdsInOrder(count: number): string[] {
  // Plain code-unit order is byte order for these ASCII ids, as a keyword sort compares them.
  return Array.from({ length: count }, newId).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// Random bytes are drawn 4 KiB at a time: one system call per ~400 check ids instead of one each
// (a collector makes thousands per second). Holds no secret and no shared client.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/** Compact, time-prefixed check id, e.g. `AZTm3Kc9xKq4n0d1ZfXy8w`. */
export function newCheckId(now: number = Date.now()): string {
  if (poolOffset + 10 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(Math.max(0, Math.min(Math.floor(now), 2 ** 48 - 1)), 0, 6);
  pool.copy(bytes, 6, poolOffset, poolOffset + 10);
  poolOffset += 10;
  return bytes.toString('base64url');
}

const COMPACT_CHECK_ID = /^[A-Za-z0-9_-]{21}[AQgw]$/;

/**
 * The 16 bytes behind a check id made by newCheckId (any canonical 22-character base64url
 * string of 16 bytes), or null for any other id, which is then stored as given.
 */
export function checkIdToBytes(id: string): Uint8Array | null {
  if (!COMPACT_CHECK_ID.test(id)) return null;
  return Buffer.from(id, 'base64url');
}

export function checkIdFromBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
