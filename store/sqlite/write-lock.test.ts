// The main thread's alert writes wait for another connection's write lock without stalling the
// event loop (db.ts, writeTransactionYielding): the check writer's thread holds it for a batch.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initialState } from '../../alerting/state-machine.ts';
import { monitorInput } from '../conformance/harness.ts';
import type { Store } from '../contract.ts';
import { openDb, writeTransactionYielding } from './db.ts';
import { SQLITE_FILE_NAME, openSqliteStore } from './open.ts';

describe('SQLite writes on a shared event loop', () => {
  let dir: string;
  let store: Store;
  let other: DatabaseSync;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dm-write-lock-'));
    store = await openSqliteStore({ dataDir: dir });
    other = new DatabaseSync(join(dir, SQLITE_FILE_NAME));
  });

  afterEach(async () => {
    if (other.isTransaction) other.exec('ROLLBACK');
    other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an alert state write waits for the lock with the event loop running, then lands', async () => {
    const monitor = await store.createMonitor('owner-1', monitorInput());
    other.exec('BEGIN IMMEDIATE');
    const written = store.compareAndSetAlertState(monitor.id, null, initialState(monitor.id, Date.now()), {});
    const cursor = store.setEvaluatorCursor('42');
    let turns = 0;
    const ticker = setInterval(() => turns++, 5);
    try {
      await expect.poll(() => turns, { timeout: 10_000 }).toBeGreaterThanOrEqual(5);
      other.exec('COMMIT');
      await expect(written).resolves.toBe(1);
      await cursor;
    } finally {
      clearInterval(ticker);
    }
    expect((await store.getAlertState(monitor.id))?.version).toBe(1);
    expect(await store.getEvaluatorCursor()).toBe('42');
  });

  it('gives up after its timeout, naming the held lock, with nothing written', async () => {
    const db = openDb(join(dir, SQLITE_FILE_NAME), Date.now);
    other.exec('BEGIN IMMEDIATE');
    await expect(writeTransactionYielding(db, () => db.conn.exec("INSERT INTO cursors (name, value) VALUES ('x', 'y')"), 50)).rejects.toThrow(
      /write lock still held by another connection after 50 ms/,
    );
    other.exec('COMMIT');
    expect(db.conn.prepare("SELECT count(*) AS n FROM cursors WHERE name = 'x'").get()).toEqual({ n: 0 });
    // The connection's own busy timeout is back: a plain write waits as before.
    expect(db.conn.prepare('PRAGMA busy_timeout').get()).toEqual({ timeout: 10_000 });
    db.conn.close();
  });
});
