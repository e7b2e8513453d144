// Retention: purging removes raw checks and rollups before the cutoff and nothing after it.

import { describe, expect } from 'vitest';
import { type ConformanceOptions, DAY, HOUR, checksEvery, monitorInput, newUser, useStore } from './harness.ts';

const DAY1 = Date.UTC(2026, 0, 10);

export function retentionCases(options: ConformanceOptions): void {
  describe('retention', () => {
    const { store, refresh, test } = useStore(options);

    test('purges checks and rollups older than the cutoff, keeps the rest', async () => {
      const owner = await newUser(store());
      const monitor = await store().createMonitor(owner.id, monitorInput());
      const checks = checksEvery(monitor, DAY1, DAY1 + 3 * DAY, HOUR);
      await store().appendChecks(checks);
      await refresh();
      await store().purgeChecksBefore(DAY1 + DAY);
      await store().purgeChecksBefore(DAY1 + DAY);
      await refresh();
      const page = await store().listChecks(owner.id, monitor.id, { limit: 1000 });
      expect(page!.items.map((c) => c.id).sort()).toEqual(checks.slice(24).map((c) => c.id).sort());
      const history = await store().history(owner.id, monitor.id, { from: DAY1, to: DAY1 + 3 * DAY, bucket: 'day', tz: 'UTC' });
      expect(history!.buckets.map((b) => b.checks)).toEqual([0, 24, 24]);
      const remaining = await store().readChecksAfter(null, 1000);
      expect(remaining.checks).toHaveLength(48);
    });
  });
}
