// The summary's tail of unfolded checks is kept across folds, for all owners at once
// (unfolded-tail.ts). These cases fold behind a reader's back, from other connections on the same
// file, and expect every summary to count each check exactly once and to name the newest check.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Store } from '../contract.ts';
import { makeCheck, monitorInput } from '../testing/fixtures.ts';
import type { Monitor } from '../types.ts';
import { type Db, openDb, writeTransaction } from './db.ts';
import { foldChecks } from './fold.ts';
import { SQLITE_FILE_NAME, openSqliteStore } from './open.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 5, 15, 12, 30);

describe('summary tail across folds', () => {
  let dir: string;
  let reader: Store;
  /** Appends without folding: its checks stay in the tail. */
  let writer: Store;
  /** Another connection that folds `limit` tail checks when told. */
  let folder: Db;
  let monitor: Monitor;
  let ownerId: string;
  const fold = (limit = Number.MAX_SAFE_INTEGER) => writeTransaction(folder, () => foldChecks(folder, limit));
  const summary = async (now = NOW) => (await reader.summary(ownerId, now))[0]!;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dm-summary-tail-'));
    reader = await openSqliteStore({ dataDir: dir, foldEveryMs: Infinity, clock: () => NOW });
    writer = await openSqliteStore({ dataDir: dir, foldEveryMs: Infinity, clock: () => NOW });
    folder = openDb(join(dir, SQLITE_FILE_NAME), () => NOW);
    ownerId = (await reader.createUser({ email: 'a@example.com', password_hash: 'x' })).id;
    monitor = await reader.createMonitor(ownerId, monitorInput());
    // One folded check of today, so that today is the newest folded day (closed-rollups.ts).
    await writer.appendChecks([makeCheck(monitor, NOW - 25 * MINUTE)]);
    fold();
  });
  afterEach(async () => {
    folder.conn.close();
    await reader.close();
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('counts a check once after another connection folds it between two calls', async () => {
    await writer.appendChecks([makeCheck(monitor, NOW - 10 * MINUTE, { status: 'down' })]);
    expect((await summary()).uptime['24h']).toBe(1 / 2);

    fold();
    expect((await summary()).uptime['24h']).toBe(1 / 2);
    await writer.appendChecks([makeCheck(monitor, NOW - 5 * MINUTE)]);
    expect((await summary()).uptime['24h']).toBe(2 / 3);
  });

  test('counts each check once when a fold stops halfway through what one call read', async () => {
    await writer.appendChecks([
      makeCheck(monitor, NOW - 20 * MINUTE, { status: 'down' }),
      makeCheck(monitor, NOW - 15 * MINUTE, { status: 'down' }),
      makeCheck(monitor, NOW - 10 * MINUTE),
    ]);
    expect((await summary()).uptime['24h']).toBe(2 / 4);

    expect(fold(1)).toBe(1);
    expect((await summary()).uptime['24h']).toBe(2 / 4);
    expect(fold(1)).toBe(1);
    await writer.appendChecks([makeCheck(monitor, NOW - 5 * MINUTE)]);
    expect((await summary()).uptime['24h']).toBe(3 / 5);
    fold();
    expect((await summary()).uptime['24h']).toBe(3 / 5);
  });

  test('counts each check once, and names the newest, when the fold got past everything it read', async () => {
    await writer.appendChecks([makeCheck(monitor, NOW - 20 * MINUTE, { status: 'down' })]);
    expect((await summary()).uptime['24h']).toBe(1 / 2);

    // Checks stored and folded with no summary call in between; the newest of them is up.
    const newest = makeCheck(monitor, NOW - 10 * MINUTE);
    await writer.appendChecks([makeCheck(monitor, NOW - 15 * MINUTE), newest]);
    fold();
    const after = await summary();
    expect(after.uptime['24h']).toBe(3 / 4);
    expect(after.last_check?.id).toBe(newest.id);
    await writer.appendChecks([makeCheck(monitor, NOW - 5 * MINUTE, { status: 'down' })]);
    expect((await summary()).uptime['24h']).toBe(3 / 5);
  });

  test('names a check it read as the newest after a fold took it out of the tail', async () => {
    const newest = makeCheck(monitor, NOW - 5 * MINUTE, { status: 'down' });
    await writer.appendChecks([newest]);
    expect((await summary()).last_check?.id).toBe(newest.id);

    // An older check comes late and is read too; then the fold takes both.
    await writer.appendChecks([makeCheck(monitor, NOW - 15 * MINUTE)]);
    expect((await summary()).last_check?.id).toBe(newest.id);
    fold();
    const after = await summary();
    expect(after.last_check?.id).toBe(newest.id);
    expect(after.status).toBe('down');
  });

  test('names a check stamped later than the call once a later call reaches its time', async () => {
    const down = makeCheck(monitor, NOW - MINUTE, { status: 'down' });
    const ahead = makeCheck(monitor, NOW + 2 * MINUTE);
    await writer.appendChecks([down, ahead]);
    expect((await summary()).last_check?.id).toBe(down.id);
    expect((await summary(NOW + 3 * MINUTE)).last_check?.id).toBe(ahead.id);
  });

  test('names a folded check stamped later than one call once a later call reaches its time', async () => {
    const down = makeCheck(monitor, NOW - MINUTE, { status: 'down' });
    const ahead = makeCheck(monitor, NOW + 2 * MINUTE);
    await writer.appendChecks([down, ahead]);
    fold();
    expect((await summary()).last_check?.id).toBe(down.id);
    expect((await summary(NOW + 3 * MINUTE)).last_check?.id).toBe(ahead.id);
  });

  test('counts a check stamped in a later hour of today once the fold takes it', async () => {
    await writer.appendChecks([makeCheck(monitor, NOW + HOUR, { status: 'down' })]);
    // Unfolded, it waits for its hour; folded, today's rollup row counts it.
    expect((await summary()).uptime['24h']).toBe(1);
    fold();
    expect((await summary()).uptime['24h']).toBe(1 / 2);
  });

  test("reads another owner's rows of today when that owner is first asked for", async () => {
    const other = (await reader.createUser({ email: 'b@example.com', password_hash: 'x' })).id;
    const theirs = await reader.createMonitor(other, monitorInput());
    await writer.appendChecks([makeCheck(theirs, NOW - 20 * MINUTE, { status: 'down' })]);
    fold();
    expect((await summary()).uptime['24h']).toBe(1);
    expect((await reader.summary(other, NOW))[0]!.uptime['24h']).toBe(0);
  });

  test('names the newest folded check when the previous hour has folded checks too', async () => {
    const newest = makeCheck(monitor, NOW - 10 * MINUTE, { status: 'down' });
    await writer.appendChecks([makeCheck(monitor, NOW - 50 * MINUTE), newest]);
    fold();
    const first = await summary();
    expect(first.last_check?.id).toBe(newest.id);
    expect(first.uptime['24h']).toBe(2 / 3);
  });

  test('moves the windows of the checks it read on with the hour', async () => {
    // Down 7 days ago, 30 minutes before NOW's hour: inside the 7-day window now, out of it two hours on.
    const edge = Math.floor(NOW / HOUR) * HOUR - 7 * DAY + 2 * HOUR - 30 * MINUTE;
    await writer.appendChecks([makeCheck(monitor, edge, { status: 'down' })]);
    expect((await summary()).uptime['7d']).toBe(1 / 2);
    expect((await summary(NOW + 2 * HOUR)).uptime['7d']).toBe(1);
  });
});
