// A collector process killed (SIGKILL) while its store fails, then restarted: nothing it had
// spooled is lost. Real processes (`node main.ts --role collector`) on a SQLite file, real HTTP
// targets; the outage is real too: another connection holds the database's write lock, so each
// write of the collector waits out SQLite's busy timeout (10 s) and fails, as when another
// process keeps the file busy. (The search engine's outages are the engine fault tests' part.)

import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spooledChecks, spoolSegments } from '../collector/testing/spool-files.ts';
import { SQLITE_FILE_NAME } from '../store/sqlite/open.ts';
import { monitorInput } from '../store/testing/fixtures.ts';
import type { Check, Monitor } from '../store/types.ts';
import { eventually } from './support/api-client.ts';
import { sqliteBackend, type OpenedBackend } from './support/backends.ts';
import { startProduct, type RunningProduct } from './support/product.ts';
import { startTarget, type Target } from './support/target.ts';

describe('a collector process killed during a store outage, on sqlite', () => {
  let storage: OpenedBackend;
  let target: Target;
  let lock: DatabaseSync | null = null;
  const processes: RunningProduct[] = [];

  beforeEach(async () => {
    storage = await sqliteBackend.open();
    target = await startTarget();
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop('SIGKILL')));
    if (lock?.isOpen) lock.close();
    await target.down();
    await storage.close();
  });

  const collector = async () => {
    const p = await startProduct(
      { ...storage.env, ALLOW_PRIVATE_TARGETS: 'true', MIN_INTERVAL_SECONDS: '1', OBSERVER_NAME: 'crash-test' },
      ['--role', 'collector'],
    );
    processes.push(p);
    return p;
  };

  const stored = async (monitors: Monitor[], ownerId: string): Promise<Check[]> => {
    const all: Check[] = [];
    for (const m of monitors) {
      for (let cursor: string | undefined, page; (page = await storage.store.listChecks(ownerId, m.id, { limit: 1000, cursor })); ) {
        all.push(...page.items);
        if (page.next_cursor === null) break;
        cursor = page.next_cursor;
      }
    }
    return all;
  };

  it('replays after a restart every check it had spooled, each once, in probe order per monitor', { timeout: 240_000 }, async () => {
    const owner = await storage.store.createUser({ email: 'ops@example.test', password_hash: 'x' });
    const monitors: Monitor[] = [];
    for (let i = 0; i < 3; i++) {
      monitors.push(await storage.store.createMonitor(owner.id, monitorInput({ name: `site ${i}`, url: `${target.url}${i}`, interval_seconds: 1, timeout_ms: 500 })));
    }
    const dataDir = storage.env.DATA_DIR!;
    const first = await collector();
    await eventually(async () => ((await stored(monitors, owner.id)).length >= 6 ? true : null), 60_000, 'checks stored before the outage');

    // The outage: the write lock held by another connection, as a busy process would.
    lock = new DatabaseSync(join(dataDir, SQLITE_FILE_NAME));
    lock.exec('BEGIN IMMEDIATE');
    const storedBefore = (await stored(monitors, owner.id)).length;
    // Each write now waits 10 s for the lock before it fails: a few batches take a while.
    await eventually(async () => ((await spooledChecks(dataDir)).length >= 5 ? true : null), 120_000, 'five checks spooled');
    expect(first.logs.some((l) => l.msg === 'store unavailable: checks go to the spool until it answers again')).toBe(true);
    await first.stop('SIGKILL');
    const spooled = await spooledChecks(dataDir);
    expect(new Set(spooled.map((c) => c.id)).size).toBe(spooled.length);

    lock.exec('ROLLBACK');
    lock.close();
    expect((await stored(monitors, owner.id)).length).toBe(storedBefore); // nothing landed meanwhile
    const second = await collector();
    expect(second.logs.find((l) => l.msg === 'spool left by an earlier run: replaying it before new checks')).toMatchObject({ spool_checks: spooled.length });
    await eventually(async () => {
      const ids = new Set((await stored(monitors, owner.id)).map((c) => c.id));
      return spooled.every((c) => ids.has(c.id)) && spoolSegments(dataDir).length === 0 ? true : null;
    }, 60_000, 'every spooled check stored and the spool empty');
    await eventually(async () => second.logs.some((l) => l.msg === 'spool replayed: the store took every spooled check'), 60_000, 'the replay logged');
    expect(await second.stop('SIGTERM')).toBe(0);

    const all = await stored(monitors, owner.id);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    // SQLite's feed is acceptance order: per monitor it must be probe order, across both processes.
    const accepted = new Map<string, number[]>();
    for (let cursor: string | null = null; ; ) {
      const page = await storage.store.readChecksAfter(cursor, 1000);
      if (page.checks.length === 0) break;
      for (const c of page.checks) accepted.set(c.monitor_id, [...(accepted.get(c.monitor_id) ?? []), c.timestamp]);
      cursor = page.cursor;
    }
    for (const m of monitors) {
      const order = accepted.get(m.id) ?? [];
      expect(order.length).toBeGreaterThan(0);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });
});
