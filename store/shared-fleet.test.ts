import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Store } from './contract.ts';
import { shareFleetReads } from './shared-fleet.ts';
import { openSqliteStore } from './sqlite/open.ts';
import { monitorInput } from './testing/fixtures.ts';

describe('shareFleetReads', () => {
  let dir: string;
  let store: Store;
  let reads: number;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dm-shared-fleet-'));
    const real = await openSqliteStore({ dataDir: dir });
    reads = 0;
    // Counts the reads that reach SQLite; the store itself is real.
    store = new Proxy(real, {
      get: (target, property, receiver) =>
        property === 'listAllMonitors' ? () => (reads++, target.listAllMonitors()) : Reflect.get(target, property, receiver),
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('reads the fleet once per change, however many roles ask', async () => {
    const shared = shareFleetReads(store);
    const owner = await store.createUser({ email: 'a@example.com', password_hash: 'x' });
    const first = await store.createMonitor(owner.id, monitorInput({ name: 'first' }));

    const [a, b, c] = await Promise.all([shared.listAllMonitors(), shared.listAllMonitors(), shared.listAllMonitors()]);
    expect(a.map((m) => m.id)).toEqual([first.id]);
    expect([b, c]).toEqual([a, a]);
    expect(reads).toBe(1);

    const second = await store.createMonitor(owner.id, monitorInput({ name: 'second' }));
    expect((await shared.listAllMonitors()).map((m) => m.id).sort()).toEqual([first.id, second.id].sort());
    await shared.listAllMonitors();
    expect(reads).toBe(2);

    await store.updateMonitor(owner.id, first.id, { name: 'renamed' });
    expect((await shared.listAllMonitors()).find((m) => m.id === first.id)?.name).toBe('renamed');
    await store.deleteMonitor(owner.id, second.id);
    expect((await shared.listAllMonitors()).map((m) => m.id)).toEqual([first.id]);
    expect(reads).toBe(4);
  });
});
