// Push monitors: grace_seconds round-trips, a push monitor is found by the hash of its token
// (of any owner), a regenerated token's old hash finds nothing at once, an update that does not
// name the hash keeps it, and a deleted monitor is found no more.

import { describe, expect } from 'vitest';
import { type ConformanceOptions, monitorInput, newUser, useStore } from './harness.ts';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

export function pushMonitorCases(options: ConformanceOptions): void {
  describe('push monitors', () => {
    const { store, test } = useStore(options);

    const pushInput = (hash: string | null) => monitorInput({ type: 'push', url: 'push:', grace_seconds: 90, push_token_hash: hash });

    test('found by the hash of its token; grace_seconds round-trips', async () => {
      const owner = await newUser(store());
      const created = await store().createMonitor(owner.id, pushInput(HASH_A));
      expect(created).toMatchObject({ type: 'push', grace_seconds: 90, push_token_hash: HASH_A });
      expect(await store().findMonitorByPushTokenHash(HASH_A)).toEqual(created);
      expect(await store().getMonitor(owner.id, created.id)).toEqual(created);
      expect(await store().findMonitorByPushTokenHash(HASH_B)).toBeNull();
      const other = await store().createMonitor(owner.id, monitorInput());
      expect(other.push_token_hash).toBeNull();
      expect(other.grace_seconds).toBe(0);
    });

    test('a new hash replaces the old one at once; other updates keep it', async () => {
      const owner = await newUser(store());
      const [created] = await store().createMonitors(owner.id, [pushInput(HASH_A)]);
      const renamed = await store().updateMonitor(owner.id, created!.id, { name: 'Nightly backup', grace_seconds: 30 });
      expect(renamed).toMatchObject({ push_token_hash: HASH_A, grace_seconds: 30 });
      expect((await store().findMonitorByPushTokenHash(HASH_A))?.name).toBe('Nightly backup');
      await store().updateMonitor(owner.id, created!.id, { push_token_hash: HASH_B });
      expect(await store().findMonitorByPushTokenHash(HASH_A)).toBeNull();
      expect((await store().findMonitorByPushTokenHash(HASH_B))?.id).toBe(created!.id);
    });

    test('a deleted monitor is found no more', async () => {
      const owner = await newUser(store());
      const created = await store().createMonitor(owner.id, pushInput(HASH_A));
      expect(await store().deleteMonitor(owner.id, created.id)).toBe(true);
      expect(await store().findMonitorByPushTokenHash(HASH_A)).toBeNull();
    });
  });
}
