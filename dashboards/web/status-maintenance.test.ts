// The public status page says "maintenance" for a public monitor inside a window, on a real SQLite store.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../store/contract.ts';
import { openSqliteStore } from '../../store/sqlite/open.ts';
import { makeCheck, monitorInput } from '../../store/testing/fixtures.ts';
import { buildPublicStatus } from './status-page.ts';

const NOW = Date.UTC(2026, 5, 1, 12);
let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dm-status-maint-'));
  store = await openSqliteStore({ dataDir: dir, clock: () => NOW });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('status page and maintenance windows', () => {
  it('shows a monitor in a window as maintenance, the others by their checks, and paused before both', async () => {
    const owner = await store.createUser({ email: 'acme@example.com', password_hash: 'x' });
    const [shop, api, docs] = await store.createMonitors(owner.id, [
      monitorInput({ name: 'Shop', public: true }),
      monitorInput({ name: 'API', public: true }),
      monitorInput({ name: 'Docs', public: true, paused: true }),
    ]);
    await store.appendChecks([shop!, api!, docs!].map((m) => makeCheck(m, NOW - 60_000, { status: 'down', error_type: 'connect', error_message: 'refused', status_code: null })));
    await store.createMaintenanceWindow(owner.id, {
      name: 'upgrade', all_monitors: false, monitor_ids: [shop!.id, docs!.id], start: NOW - 3_600_000, end: NOW + 3_600_000, repeat: null,
    });

    const page = await buildPublicStatus(store, { id: owner.id, slug: 'acme', title: null, description: null }, NOW);
    expect(page.monitors.map((m) => [m.name, m.status])).toEqual([['Shop', 'maintenance'], ['API', 'down'], ['Docs', 'paused']]);
    expect(page.status).toBe('down');
  });
});
