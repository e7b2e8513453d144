// The summary keeps closed rollup totals in memory (summary.ts, closed-rollups.ts). These cases
// change closed rollups behind a store's back, from another store on the same file and through
// retention, and expect its next summary to show the change.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Store } from '../contract.ts';
import { makeCheck, monitorInput } from '../testing/fixtures.ts';
import { openSqliteStore } from './open.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 5, 15, 12, 30);

describe('summary of closed rollups', () => {
  let dir: string;
  let reader: Store;
  let writer: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dm-summary-cache-'));
    reader = await openSqliteStore({ dataDir: dir, foldEveryMs: 0, clock: () => NOW });
    writer = await openSqliteStore({ dataDir: dir, foldEveryMs: 0, clock: () => NOW });
  });
  afterEach(async () => {
    await reader.close();
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('sees a late check folded by another process on the same file', async () => {
    const owner = await reader.createUser({ email: 'a@example.com', password_hash: 'x' });
    const monitor = await reader.createMonitor(owner.id, monitorInput());
    await reader.appendChecks([makeCheck(monitor, NOW - HOUR), makeCheck(monitor, NOW - 3 * DAY)]);
    expect((await reader.summary(owner.id, NOW))[0]!.uptime['7d']).toBe(1);

    await writer.appendChecks([makeCheck(monitor, NOW - 2 * DAY, { status: 'down' })]);
    expect((await reader.summary(owner.id, NOW))[0]!.uptime['7d']).toBe(2 / 3);
  });

  test('sees rollups that retention deleted', async () => {
    const owner = await reader.createUser({ email: 'b@example.com', password_hash: 'x' });
    const monitor = await reader.createMonitor(owner.id, monitorInput());
    await reader.appendChecks([makeCheck(monitor, NOW - HOUR), makeCheck(monitor, NOW - 20 * DAY, { status: 'down' })]);
    expect((await reader.summary(owner.id, NOW))[0]!.uptime['30d']).toBe(1 / 2);

    await writer.purgeChecksBefore(NOW - 10 * DAY);
    expect((await reader.summary(owner.id, NOW))[0]!.uptime['30d']).toBe(1);
  });

  test('asked again for an earlier instant, shows the newest check as of that instant', async () => {
    const owner = await reader.createUser({ email: 'd@example.com', password_hash: 'x' });
    const monitor = await reader.createMonitor(owner.id, monitorInput());
    // Folded: today becomes the newest folded day, so the reader keeps what it reads.
    await reader.appendChecks([makeCheck(monitor, NOW - 50 * MINUTE)]);
    const early = makeCheck(monitor, NOW - 20 * MINUTE);
    const late = makeCheck(monitor, NOW - 5 * MINUTE, { status: 'down' });
    // Through a store that does not fold, so that both checks stay in the reader's tail.
    const unfolded = await openSqliteStore({ dataDir: dir, foldEveryMs: Infinity, clock: () => NOW });
    try {
      await unfolded.appendChecks([early, late]);
      expect((await reader.summary(owner.id, NOW))[0]!.last_check?.id).toBe(late.id);
      expect((await reader.summary(owner.id, NOW - 10 * MINUTE))[0]!.last_check?.id).toBe(early.id);
    } finally {
      await unfolded.close();
    }
  });

  test('moves its windows on with the hour', async () => {
    const owner = await reader.createUser({ email: 'c@example.com', password_hash: 'x' });
    const monitor = await reader.createMonitor(owner.id, monitorInput());
    // Down 7 days ago, 30 minutes before NOW's hour: inside the 7-day window now, out of it two hours on.
    const edge = Math.floor(NOW / HOUR) * HOUR - 7 * DAY + 2 * HOUR - 30 * MINUTE;
    await reader.appendChecks([makeCheck(monitor, NOW - HOUR), makeCheck(monitor, edge, { status: 'down' })]);
    expect((await reader.summary(owner.id, NOW))[0]!.uptime['7d']).toBe(1 / 2);
    expect((await reader.summary(owner.id, NOW + 2 * HOUR))[0]!.uptime['7d']).toBe(1);
  });
});
