// Alert state: compare-and-set semantics (stale and concurrent writers lose with nothing
// written), effects written with the state, incidents and the evaluator cursor.

import { describe, expect } from 'vitest';
import { CasConflictError } from '../contract.ts';
import {
  type ConformanceOptions,
  DAY,
  alertState,
  makeDelivery,
  makeIncident,
  monitorInput,
  newUser,
  useStore,
} from './harness.ts';
import { allDeliveries } from '../testing/deliveries.ts';

const T = Date.UTC(2026, 5, 1);

export function alertCases(options: ConformanceOptions): void {
  describe('alert state', () => {
    const { store, refresh, test } = useStore(options);

    const setup = async () => {
      const owner = await newUser(store());
      const monitor = await store().createMonitor(owner.id, monitorInput());
      return { owner, monitor };
    };

    test('creates, reads and advances the state by version', async () => {
      const { monitor } = await setup();
      expect(await store().getAlertState(monitor.id)).toBeNull();
      const first = alertState(monitor, { status: 'unknown', streak_status: 'down', streak_count: 1 });
      expect(await store().compareAndSetAlertState(monitor.id, null, first, {})).toBe(1);
      expect(await store().getAlertState(monitor.id)).toEqual({ state: first, version: 1 });
      const second = alertState(monitor, { status: 'down', streak_count: 0, last_notified_at: T + 5 });
      expect(await store().compareAndSetAlertState(monitor.id, 1, second, {})).toBe(2);
      expect(await store().getAlertState(monitor.id)).toEqual({ state: second, version: 2 });
    });

    test('a stale version loses with CasConflictError and writes none of its effects', async () => {
      const { owner, monitor } = await setup();
      await store().compareAndSetAlertState(monitor.id, null, alertState(monitor), {});
      await store().compareAndSetAlertState(monitor.id, 1, alertState(monitor, { streak_count: 2 }), {});
      const incident = makeIncident(monitor);
      const delivery = makeDelivery(monitor, { incident_id: incident.id });
      await expect(
        store().compareAndSetAlertState(monitor.id, 1, alertState(monitor, { streak_count: 9 }), { incident, deliveries: [delivery] }),
      ).rejects.toBeInstanceOf(CasConflictError);
      await expect(store().compareAndSetAlertState(monitor.id, null, alertState(monitor), {})).rejects.toBeInstanceOf(CasConflictError);
      await refresh();
      expect((await store().getAlertState(monitor.id))?.state.streak_count).toBe(2);
      expect(await store().listIncidents(owner.id, monitor.id, {})).toEqual([]);
      expect(await allDeliveries(store(), owner.id, monitor.id)).toEqual([]);
    });

    test('two concurrent writers with the same version: exactly one wins, its effects written once', async () => {
      const { owner, monitor } = await setup();
      const attempt = (name: string) => {
        const incident = makeIncident(monitor, { id: `incident-${name}` });
        return store().compareAndSetAlertState(monitor.id, null, alertState(monitor, { open_incident_id: incident.id }), {
          incident,
          deliveries: [makeDelivery(monitor, { id: `delivery-${name}`, incident_id: incident.id })],
        });
      };
      const results = await Promise.allSettled([attempt('a'), attempt('b')]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(CasConflictError);
      await refresh();
      const state = await store().getAlertState(monitor.id);
      const incidents = await store().listIncidents(owner.id, monitor.id, {});
      const deliveries = await allDeliveries(store(), owner.id, monitor.id);
      expect(state?.version).toBe(1);
      expect(incidents!.map((i) => i.id)).toEqual([state!.state.open_incident_id]);
      expect(deliveries!.map((d) => d.incident_id)).toEqual([state!.state.open_incident_id]);
    });

    test('replaces an incident by id when it resolves; open incidents list only open ones', async () => {
      const { owner, monitor } = await setup();
      const incident = makeIncident(monitor, { started_at: T });
      const v1 = await store().compareAndSetAlertState(monitor.id, null, alertState(monitor), { incident });
      await refresh();
      expect(await store().listOpenIncidents(owner.id)).toEqual([incident]);
      const resolved = { ...incident, resolved_at: T + 3_600_000 };
      await store().compareAndSetAlertState(monitor.id, v1, alertState(monitor, { status: 'up' }), { incident: resolved });
      await refresh();
      expect(await store().listIncidents(owner.id, monitor.id, {})).toEqual([resolved]);
      expect(await store().listOpenIncidents(owner.id)).toEqual([]);
    });

    // No refresh between the write and the reads: getIncident reads by id, at once.
    test('gets one incident by id at once, resolved as soon as its change is written', async () => {
      const { owner, monitor } = await setup();
      const incident = makeIncident(monitor, { started_at: T });
      const v1 = await store().compareAndSetAlertState(monitor.id, null, alertState(monitor), { incident });
      expect(await store().getIncident(owner.id, monitor.id, incident.id)).toEqual(incident);
      const resolved = { ...incident, resolved_at: T + 3_600_000 };
      await store().compareAndSetAlertState(monitor.id, v1, alertState(monitor, { status: 'up' }), { incident: resolved });
      expect(await store().getIncident(owner.id, monitor.id, incident.id)).toEqual(resolved);
    });

    test("getIncident answers null for an unknown id, another owner, another monitor's incident, a deleted monitor", async () => {
      const { owner, monitor } = await setup();
      const incident = makeIncident(monitor);
      await store().compareAndSetAlertState(monitor.id, null, alertState(monitor), { incident });
      const stranger = await newUser(store());
      const sibling = await store().createMonitor(owner.id, monitorInput());
      expect(await store().getIncident(owner.id, monitor.id, 'no-such-incident')).toBeNull();
      expect(await store().getIncident(stranger.id, monitor.id, incident.id)).toBeNull();
      expect(await store().getIncident(owner.id, sibling.id, incident.id)).toBeNull();
      expect(await store().getIncident(owner.id, monitor.id, incident.id)).toEqual(incident);
      await store().deleteMonitor(owner.id, monitor.id);
      expect(await store().getIncident(owner.id, monitor.id, incident.id)).toBeNull();
    });

    test('lists incidents overlapping a range, newest first', async () => {
      const { owner, monitor } = await setup();
      const old = makeIncident(monitor, { id: 'old', started_at: T, resolved_at: T + DAY });
      const mid = makeIncident(monitor, { id: 'mid', started_at: T + 3 * DAY, resolved_at: T + 4 * DAY });
      const open = makeIncident(monitor, { id: 'open', started_at: T + 10 * DAY });
      let version: number | null = null;
      for (const incident of [old, mid, open]) {
        version = await store().compareAndSetAlertState(monitor.id, version, alertState(monitor), { incident });
      }
      await refresh();
      const ids = async (range: { from?: number; to?: number }) => (await store().listIncidents(owner.id, monitor.id, range))!.map((i) => i.id);
      expect(await ids({})).toEqual(['open', 'mid', 'old']);
      expect(await ids({ from: T + 2 * DAY })).toEqual(['open', 'mid']);
      expect(await ids({ to: T + 2 * DAY })).toEqual(['old']);
      expect(await ids({ from: T + 3.5 * DAY, to: T + 5 * DAY })).toEqual(['mid']);
      expect(await ids({ from: T + 20 * DAY })).toEqual(['open']);
    });

    test('deleting a monitor removes its alert state and pending deliveries', async () => {
      const { owner, monitor } = await setup();
      await store().compareAndSetAlertState(monitor.id, null, alertState(monitor), { deliveries: [makeDelivery(monitor)] });
      await store().deleteMonitor(owner.id, monitor.id);
      await refresh();
      expect(await store().getAlertState(monitor.id)).toBeNull();
      expect(await store().claimDueDeliveries('worker', T + DAY, 60_000, 10)).toEqual([]);
      expect(await store().listOpenIncidents(owner.id)).toEqual([]);
    });

    test('keeps the evaluator cursor', async () => {
      expect(await store().getEvaluatorCursor()).toBeNull();
      await store().setEvaluatorCursor('abc');
      expect(await store().getEvaluatorCursor()).toBe('abc');
      await store().setEvaluatorCursor(null);
      expect(await store().getEvaluatorCursor()).toBeNull();
    });
  });
}
