// Tenancy: another owner's ids behave exactly like missing ones, in every capability.

import { describe, expect } from 'vitest';
import { type ConformanceOptions, HOUR, alertState, checksEvery, makeDelivery, makeIncident, monitorInput, newUser, useStore } from './harness.ts';
import { allDeliveries } from '../testing/deliveries.ts';

const T = Date.UTC(2026, 5, 1);

export function tenancyCases(options: ConformanceOptions): void {
  describe('tenancy', () => {
    const { store, refresh, test } = useStore(options);

    test("an owner can neither see nor change another owner's things", async () => {
      const alice = await newUser(store());
      const bob = await newUser(store());
      const monitor = await store().createMonitor(alice.id, monitorInput());
      const contact = await store().addContact(alice.id, monitor.id, { type: 'email', address: 'a@example.com' });
      await store().appendChecks(checksEvery(monitor, T, T + HOUR, 300_000));
      const incident = makeIncident(monitor);
      await store().compareAndSetAlertState(monitor.id, null, alertState(monitor), {
        incident,
        deliveries: [makeDelivery(monitor, { incident_id: incident.id })],
      });
      await refresh();

      expect(await store().getMonitor(bob.id, monitor.id)).toBeNull();
      expect(await store().listMonitors(bob.id)).toEqual([]);
      expect(await store().updateMonitor(bob.id, monitor.id, { name: 'mine now' })).toBeNull();
      expect(await store().deleteMonitor(bob.id, monitor.id)).toBe(false);
      expect(await store().addContact(bob.id, monitor.id, { type: 'email', address: 'b@example.com' })).toBeNull();
      expect(await store().listContacts(bob.id, monitor.id)).toEqual([]);
      expect(await store().deleteContact(bob.id, monitor.id, contact!.id)).toBe(false);
      expect(await store().listChecks(bob.id, monitor.id, { limit: 10 })).toBeNull();
      expect(await store().history(bob.id, monitor.id, { from: T, to: T + HOUR, bucket: 'hour', tz: 'UTC' })).toBeNull();
      expect(await store().listIncidents(bob.id, monitor.id, {})).toBeNull();
      expect(await store().listOpenIncidents(bob.id)).toEqual([]);
      expect(await allDeliveries(store(), bob.id, monitor.id)).toBeNull();
      expect(await store().summary(bob.id, T + HOUR)).toEqual([]);

      // Alice still has everything, unchanged.
      expect((await store().getMonitor(alice.id, monitor.id))?.name).toBe(monitor.name);
      expect(await store().listContacts(alice.id, monitor.id)).toEqual([contact]);
      expect((await store().listChecks(alice.id, monitor.id, { limit: 100 }))?.items).toHaveLength(12);
      expect(await store().listIncidents(alice.id, monitor.id, {})).toHaveLength(1);
      expect(await allDeliveries(store(), alice.id, monitor.id)).toHaveLength(1);
    });
  });
}
