// Test support: a real SQLite store in a fresh temp directory, with one owner, and monitor input
// with sensible defaults.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../store/contract.ts';
import { type SqliteStoreOptions, openSqliteStore } from '../../store/sqlite/open.ts';
import { monitorInput as sharedMonitorInput } from '../../store/testing/fixtures.ts';
import type { Check, MonitorInput } from '../../store/types.ts';

export type TestStore = { store: Store; ownerId: string; dataDir: string; dispose(): Promise<void> };

export async function openTestStore(options: Omit<SqliteStoreOptions, 'dataDir'> = {}): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dm-collector-'));
  const store = await openSqliteStore({ dataDir, ...options });
  const owner = await store.createUser({ email: 'owner@example.com', password_hash: 'x' });
  return {
    store,
    ownerId: owner.id,
    dataDir,
    async dispose() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Monitor input for a local target, probed every second. */
export function monitorInput(overrides: Partial<MonitorInput> = {}): MonitorInput {
  return sharedMonitorInput({ name: 'Test site', url: 'http://127.0.0.1:1/', interval_seconds: 1, timeout_ms: 2000, ...overrides });
}

/** Every stored check of a monitor, newest first, following cursors. */
export async function storedChecks(store: Store, ownerId: string, monitorId: string): Promise<Check[]> {
  const all: Check[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listChecks(ownerId, monitorId, { limit: 500, cursor });
    if (page === null) return all;
    all.push(...page.items);
    if (page.next_cursor === null) return all;
    cursor = page.next_cursor;
  }
}

/** Polls `condition` until it holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
