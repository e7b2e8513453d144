// Retention: purging removes raw checks and rollups before the cutoff and nothing after it, and
// with them the incidents resolved and the deliveries finished before it; an open incident and a
// pending delivery stay whatever their age.

import { describe, expect } from 'vitest';
import {
  type ConformanceOptions,
  DAY,
  HOUR,
  alertState,
  checksEvery,
  makeDelivery,
  makeIncident,
  monitorInput,
  newUser,
  useStore,
} from './harness.ts';
import { allDeliveries } from '../testing/deliveries.ts';

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

    test('purges incidents resolved and deliveries finished before the cutoff; open and pending ones stay', async () => {
      const owner = await newUser(store());
      const monitor = await store().createMonitor(owner.id, monitorInput());
      const cutoff = DAY1 + 10 * DAY;
      const oldResolved = makeIncident(monitor, { started_at: DAY1, resolved_at: DAY1 + HOUR });
      const oldOpen = makeIncident(monitor, { started_at: DAY1 + DAY, resolved_at: null });
      const recentResolved = makeIncident(monitor, { started_at: cutoff - HOUR, resolved_at: cutoff + HOUR });
      // Incidents are written only as effects of alert state changes.
      let version: number | null = null;
      for (const incident of [oldResolved, oldOpen, recentResolved]) {
        version = await store().compareAndSetAlertState(monitor.id, version, alertState(monitor), { incident });
      }
      const old = { created_at: DAY1, check_at: DAY1, next_attempt_at: DAY1 };
      const finished = [
        makeDelivery(monitor, { ...old, status: 'sent', sent_at: DAY1, attempts: 1 }),
        makeDelivery(monitor, { ...old, status: 'dead', attempts: 3 }),
        makeDelivery(monitor, { ...old, status: 'cancelled' }),
      ];
      const oldPending = makeDelivery(monitor, { ...old, created_at: DAY1 + 1 });
      const recentSent = makeDelivery(monitor, { created_at: cutoff, status: 'sent', sent_at: cutoff, attempts: 1 });
      await store().enqueueDeliveries([...finished, oldPending, recentSent]);
      await refresh();

      await store().purgeChecksBefore(cutoff);
      await refresh();
      expect(await store().listIncidents(owner.id, monitor.id, {})).toEqual([recentResolved, oldOpen]);
      expect(await store().listOpenIncidents(owner.id)).toEqual([oldOpen]);
      expect(await allDeliveries(store(), owner.id, monitor.id)).toEqual([recentSent, oldPending]);
    });
  });
}
