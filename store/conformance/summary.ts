// Summary: uptime windows, average response, newest check, status and open incident, from fixed
// data placed well inside each window (windows may be aligned to whole hours by a backend).

import { describe, expect } from 'vitest';
import { type ConformanceOptions, DAY, HOUR, MINUTE, makeCheck, makeIncident, monitorInput, newUser, alertState, useStore } from './harness.ts';

const NOW = Date.UTC(2026, 5, 15, 12, 30);

export function summaryCases(options: ConformanceOptions): void {
  describe('summary', () => {
    const { store, refresh, test } = useStore(options);

    test('computes every window, the 24h average, status and open incident per monitor', async () => {
      const owner = await newUser(store());
      const busy = await store().createMonitor(owner.id, monitorInput({ name: 'busy' }));
      const idle = await store().createMonitor(owner.id, monitorInput({ name: 'idle', paused: true }));
      const at = (ago: number, i: number) => NOW - ago + i * MINUTE;
      const checks = [
        makeCheck(busy, at(HOUR, 0), { total_us: 100_000 }),
        makeCheck(busy, at(HOUR, 1), { total_us: 200_000 }),
        makeCheck(busy, at(HOUR, 2), { total_us: 300_000 }),
        ...[0, 1, 2, 3].map((i) => makeCheck(busy, at(3 * DAY, i))),
        ...[0, 1].map((i) => makeCheck(busy, at(20 * DAY, i), { status: 'down' })),
        ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => makeCheck(busy, at(60 * DAY, i))),
        ...[0, 1, 2, 3, 4].map((i) => makeCheck(busy, at(100 * DAY, i), { status: 'down' })),
      ];
      const newest = makeCheck(busy, at(HOUR, 3), { status: 'down', error_type: 'connect', error_message: 'refused' });
      await store().appendChecks([...checks, newest]);
      const incident = makeIncident(busy, { started_at: newest.timestamp, check_id: newest.id });
      await store().compareAndSetAlertState(busy.id, null, alertState(busy, { open_incident_id: incident.id }), { incident });
      await refresh();

      const rows = await store().summary(owner.id, NOW);
      expect(rows.map((r) => r.monitor_id)).toEqual([busy.id, idle.id]);
      const [busyRow, idleRow] = rows;
      expect(busyRow).toMatchObject({
        name: 'busy',
        url: busy.url,
        paused: false,
        status: 'down',
        last_check: newest,
        uptime: { '24h': 3 / 4, '7d': 7 / 8, '30d': 7 / 10, '90d': 17 / 20 },
        open_incident: incident,
      });
      expect(busyRow!.avg_response_ms_24h).toBeCloseTo(200, 6);
      expect(idleRow).toEqual({
        monitor_id: idle.id,
        name: 'idle',
        url: idle.url,
        paused: true,
        status: 'unknown',
        last_check: null,
        uptime: { '24h': null, '7d': null, '30d': null, '90d': null },
        avg_response_ms_24h: null,
        open_incident: null,
      });
    });

    test('counts a check that arrives late, for an earlier day, in the next summary', async () => {
      const owner = await newUser(store());
      const monitor = await store().createMonitor(owner.id, monitorInput());
      await store().appendChecks([makeCheck(monitor, NOW - HOUR), makeCheck(monitor, NOW - 3 * DAY), makeCheck(monitor, NOW - 3 * DAY + MINUTE)]);
      await refresh();
      const before = await store().summary(owner.id, NOW);
      expect(before[0]!.uptime).toEqual({ '24h': 1, '7d': 1, '30d': 1, '90d': 1 });
      expect(await store().summary(owner.id, NOW)).toEqual(before);

      // A collector's spool replayed after an outage: a check from two days ago, and one of today.
      await store().appendChecks([makeCheck(monitor, NOW - 2 * DAY, { status: 'down' })]);
      await refresh();
      expect((await store().summary(owner.id, NOW))[0]!.uptime).toEqual({ '24h': 1, '7d': 3 / 4, '30d': 3 / 4, '90d': 3 / 4 });
      await store().appendChecks([makeCheck(monitor, NOW - 10 * MINUTE, { status: 'down' })]);
      await refresh();
      expect((await store().summary(owner.id, NOW))[0]!.uptime).toEqual({ '24h': 1 / 2, '7d': 3 / 5, '30d': 3 / 5, '90d': 3 / 5 });
    });

    test('shows up once the newest check is up and the incident is resolved', async () => {
      const owner = await newUser(store());
      const monitor = await store().createMonitor(owner.id, monitorInput());
      const down = makeCheck(monitor, NOW - 20 * MINUTE, { status: 'down' });
      const up = makeCheck(monitor, NOW - 10 * MINUTE);
      await store().appendChecks([up, down]);
      const incident = makeIncident(monitor, { started_at: down.timestamp });
      const v1 = await store().compareAndSetAlertState(monitor.id, null, alertState(monitor), { incident });
      await store().compareAndSetAlertState(monitor.id, v1, alertState(monitor, { status: 'up' }), {
        incident: { ...incident, resolved_at: up.timestamp },
      });
      await refresh();
      const [row] = await store().summary(owner.id, NOW);
      expect(row).toMatchObject({ status: 'up', last_check: up, open_incident: null, uptime: { '24h': 0.5 } });
    });
  });
}
