import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { makeDelivery, makeIncident, alertState } from './conformance/harness.ts';
import type { Store } from './contract.ts';
import { startRetention } from './retention-job.ts';
import { openSqliteStore } from './sqlite/open.ts';
import { makeCheck, monitorInput } from './testing/fixtures.ts';
import { allDeliveries } from './testing/deliveries.ts';

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

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

it('purges checks, resolved incidents and finished notifications older than the retention period, and keeps the rest', async () => {
  const now = Date.UTC(2026, 10, 24, 12);
  const user = await store.createUser({ email: 'r@example.test', password_hash: 'x' });
  const monitor = await store.createMonitor(user.id, monitorInput());
  const old = makeCheck(monitor, now - 10 * DAY);
  const recent = makeCheck(monitor, now - 2 * DAY);
  await store.appendChecks([old, recent]);
  const oldIncident = makeIncident(monitor, { started_at: now - 10 * DAY, resolved_at: now - 10 * DAY + 60_000 });
  const recentIncident = makeIncident(monitor, { started_at: now - 2 * DAY, resolved_at: now - 2 * DAY + 60_000 });
  const version = await store.compareAndSetAlertState(monitor.id, null, alertState(monitor), { incident: oldIncident });
  await store.compareAndSetAlertState(monitor.id, version, alertState(monitor), { incident: recentIncident });
  const sentLongAgo = makeDelivery(monitor, { incident_id: oldIncident.id, status: 'sent', created_at: now - 10 * DAY, sent_at: now - 10 * DAY });
  const sentRecently = makeDelivery(monitor, { incident_id: recentIncident.id, status: 'sent', created_at: now - 2 * DAY, sent_at: now - 2 * DAY });
  await store.enqueueDeliveries([sentLongAgo, sentRecently]);

  const job = startRetention({ store, retentionDays: 7, log: pino({ level: 'silent' }), clock: () => now, firstPassAfterMs: 0 });
  try {
    await until('the old notification purged', async () => (await allDeliveries(store, user.id, monitor.id))?.length === 1);
  } finally {
    await job.stop();
  }

  const page = await store.listChecks(user.id, monitor.id, { limit: 10 });
  expect(page?.items.map((c) => c.id)).toEqual([recent.id]);
  expect((await store.listIncidents(user.id, monitor.id, {}))?.map((i) => i.id)).toEqual([recentIncident.id]);
  expect((await allDeliveries(store, user.id, monitor.id))?.map((d) => d.id)).toEqual([sentRecently.id]);
});
