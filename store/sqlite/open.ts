// The SQLite store: one file `${dataDir}/downtime-monitor.sqlite` (WAL mode), shared safely by
// several processes (each write is a BEGIN IMMEDIATE transaction; a busy timeout waits for the
// others). Opening creates the directory and applies pending migrations.
//
// Example: const store = await openSqliteStore({ dataDir: './data' });

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../contract.ts';
import { createAlertStore } from './alerts.ts';
import { createApiKeyStore } from './api-keys.ts';
import { listChecks, readChecksAfter } from './checks-read.ts';
import { type SqliteCheckWriter, createCheckWriter } from './checks-write.ts';
import { createContactStore } from './contacts.ts';
import { openDb } from './db.ts';
import { FOLD_EVERY_MS } from './fold.ts';
import { history } from './history.ts';
import { createMaintenanceStore } from './maintenance.ts';
import { migrate } from './migrations.ts';
import { createMonitorStore } from './monitors.ts';
import { createOutboxStore } from './outbox.ts';
import { purgeChecksBefore } from './retention.ts';
import type { ThreadHostSlot } from '../thread-host.ts';
import { startThreadedCheckWriter } from './threaded-writer.ts';
import { createSummaryReader } from './summary.ts';
import { createUserStore } from './users.ts';

export const SQLITE_FILE_NAME = 'downtime-monitor.sqlite';

export type SqliteStoreOptions = {
  dataDir: string;
  clock?: () => number;
  /** How often appended checks are folded into rollups and per-monitor lists (fold.ts); tests vary it. */
  foldEveryMs?: number;
  /**
   * Where checks are appended and folded: on the caller's thread (the default), or on a thread of
   * their own (threaded-writer.ts), as `npm start` does so that folds never hold up the API.
   * A thread costs ~150 ms to start and its own heap, too much for a test's throwaway store.
   */
  checkWriter?: 'inline' | 'thread';
  /** With 'thread': a thread that may host the writer instead of one of its own (store/thread-host.ts). */
  writerHost?: ThreadHostSlot;
};

export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  mkdirSync(options.dataDir, { recursive: true });
  const dbPath = join(options.dataDir, SQLITE_FILE_NAME);
  const db = openDb(dbPath, options.clock ?? Date.now);
  try {
    migrate(db);
  } catch (error) {
    db.conn.close();
    throw error;
  }
  const foldEveryMs = options.foldEveryMs ?? FOLD_EVERY_MS;
  const checkWriter: SqliteCheckWriter =
    options.checkWriter === 'thread' ? startThreadedCheckWriter({ path: dbPath, foldEveryMs }, options.writerHost ? { host: options.writerHost } : {}) : createCheckWriter(db, { foldEveryMs });
  const summary = createSummaryReader(db);
  let closing: Promise<void> | null = null;
  async function closeAll(): Promise<void> {
    try {
      await checkWriter.close();
    } finally {
      // Lets SQLite refresh its planner statistics where they went stale; cheap when nothing did.
      db.conn.exec('PRAGMA optimize');
      db.conn.close();
    }
  }
  return {
    backend: 'sqlite',
    ...createUserStore(db),
    ...createMonitorStore(db),
    ...createContactStore(db),
    ...createApiKeyStore(db),
    ...createMaintenanceStore(db),
    appendChecks: (checks) => checkWriter.appendChecks(checks),
    listChecks: async (ownerId, monitorId, query) => listChecks(db, ownerId, monitorId, query),
    history: async (ownerId, monitorId, query) => history(db, ownerId, monitorId, query),
    summary: async (ownerId, now) => summary(ownerId, now),
    readChecksAfter: async (cursor, limit) => readChecksAfter(db, cursor, limit),
    purgeChecksBefore: (before) => purgeChecksBefore(db, before),
    ...createAlertStore(db),
    ...createOutboxStore(db),
    async ping() {
      db.sql('SELECT 1').get();
    },
    close() {
      closing ??= closeAll();
      return closing;
    },
  };
}
