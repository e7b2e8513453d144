import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from './contract.ts';
import { startRetention } from './retention-job.ts';
import { openSqliteStore } from './sqlite/open.ts';
import { makeCheck, monitorInput } from './testing/fixtures.ts';

const DAY = 86_400_000;
let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dm-retention-'));
  store = await openSqliteStore({ dataDir: dir });
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

it('purges checks older than the retention period and keeps the rest', async () => {
  const now = Date.UTC(2026, 10, 24, 12);
  const user = await store.createUser({ email: 'r@example.test', password_hash: 'x' });
  const monitor = await store.createMonitor(user.id, monitorInput());
  const old = makeCheck(monitor, now - 10 * DAY);
  const recent = makeCheck(monitor, now - 2 * DAY);
  await store.appendChecks([old, recent]);

  const job = startRetention({ store, retentionDays: 7, log: pino({ level: 'silent' }), clock: () => now, firstPassAfterMs: 0 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await job.stop();

  const page = await store.listChecks(user.id, monitor.id, { limit: 10 });
  expect(page?.items.map((c) => c.id)).toEqual([recent.id]);
});
