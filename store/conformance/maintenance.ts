// Maintenance windows: kept as given, owned like monitors, read back at once (lists included).

import { describe, expect } from 'vitest';
import type { MaintenanceInput } from '../maintenance.ts';
import { type ConformanceOptions, HOUR, checksEvery, makeCheck, monitorInput, newUser, useStore } from './harness.ts';

const T = Date.UTC(2026, 5, 1, 10);

const oneOff = (over: Partial<MaintenanceInput> = {}): MaintenanceInput => ({
  name: 'database upgrade',
  all_monitors: false,
  monitor_ids: [],
  start: T,
  end: T + 3_600_000,
  repeat: null,
  ...over,
});

const weekly = (over: Partial<MaintenanceInput> = {}): MaintenanceInput => ({
  name: 'Friday deploys',
  all_monitors: true,
  monitor_ids: [],
  start: null,
  end: null,
  repeat: { every: 'week', days: ['mon', 'fri', 'sun'], from: '22:00', to: '02:30', tz: 'Europe/Paris' },
  ...over,
});

export function maintenanceCases(options: ConformanceOptions): void {
  describe('maintenance windows', () => {
    const { store, refresh, test } = useStore(options);

    test('a one-off window and a repeating one are read back as written, and listed at once', async () => {
      const alice = await newUser(store());
      const [a, b] = await store().createMonitors(alice.id, [monitorInput({ name: 'a' }), monitorInput({ name: 'b' })]);
      const first = await store().createMaintenanceWindow(alice.id, oneOff({ monitor_ids: [b!.id, a!.id] }));
      const second = await store().createMaintenanceWindow(alice.id, weekly());

      expect(first).toMatchObject({ ...oneOff({ monitor_ids: [b!.id, a!.id] }), owner_id: alice.id });
      expect(first.id).not.toBe(second.id);
      expect(second.repeat).toEqual({ every: 'week', days: ['mon', 'fri', 'sun'], from: '22:00', to: '02:30', tz: 'Europe/Paris' });
      expect(await store().getMaintenanceWindow(alice.id, first.id)).toEqual(first);
      expect(await store().getMaintenanceWindow(alice.id, second.id)).toEqual(second);
      expect((await store().listMaintenanceWindows(alice.id)).map((w) => w.id)).toEqual(
        [first, second].sort((x, y) => x.created_at - y.created_at || (x.id < y.id ? -1 : 1)).map((w) => w.id),
      );
      expect((await store().listAllMaintenanceWindows()).map((w) => w.id).sort()).toEqual([first.id, second.id].sort());
    });

    test('an update replaces the window (a one-off becoming a repeating one loses its times), keeping created_at', async () => {
      const alice = await newUser(store());
      const monitor = await store().createMonitor(alice.id, monitorInput());
      const created = await store().createMaintenanceWindow(alice.id, oneOff({ monitor_ids: [monitor.id] }));

      const updated = await store().updateMaintenanceWindow(alice.id, created.id, weekly({ name: 'renamed', all_monitors: false, monitor_ids: [monitor.id] }));
      expect(updated).toMatchObject({ id: created.id, name: 'renamed', start: null, end: null, monitor_ids: [monitor.id], created_at: created.created_at });
      expect(updated?.repeat?.days).toEqual(['mon', 'fri', 'sun']);
      expect(updated!.updated_at).toBeGreaterThanOrEqual(created.updated_at);
      expect(await store().getMaintenanceWindow(alice.id, created.id)).toEqual(updated);
      expect(await store().listMaintenanceWindows(alice.id)).toEqual([updated]);

      const back = await store().updateMaintenanceWindow(alice.id, created.id, oneOff({ all_monitors: true, monitor_ids: [monitor.id] }));
      // all_monitors makes the list moot: it is stored empty.
      expect(back).toMatchObject({ all_monitors: true, monitor_ids: [], start: T, end: T + 3_600_000, repeat: null });
      expect(await store().listAllMaintenanceWindows()).toEqual([back]);
    });

    test('a deleted window is gone, and deleting it again answers false', async () => {
      const alice = await newUser(store());
      const kept = await store().createMaintenanceWindow(alice.id, weekly());
      const gone = await store().createMaintenanceWindow(alice.id, oneOff());
      expect(await store().deleteMaintenanceWindow(alice.id, gone.id)).toBe(true);
      expect(await store().deleteMaintenanceWindow(alice.id, gone.id)).toBe(false);
      expect(await store().getMaintenanceWindow(alice.id, gone.id)).toBeNull();
      expect(await store().listMaintenanceWindows(alice.id)).toEqual([kept]);
      expect(await store().updateMaintenanceWindow(alice.id, gone.id, oneOff())).toBeNull();
    });

    test('a check probed inside a window says so (monitor.maintenance), read back by every reader', async () => {
      const alice = await newUser(store());
      const monitor = await store().createMonitor(alice.id, monitorInput());
      const usual = makeCheck(monitor, T, { status: 'down', error_type: 'connect', error_message: 'ECONNREFUSED', status_code: null });
      const quiet = makeCheck(monitor, T + 60_000, { maintenance: true });
      await store().appendChecks([usual, quiet]);
      await refresh();

      expect((await store().listChecks(alice.id, monitor.id, { limit: 10 }))?.items).toEqual([quiet, usual]);
      expect((await store().readChecksAfter(null, 10)).checks.sort((a, b) => a.timestamp - b.timestamp)).toEqual([usual, quiet]);
      expect(usual).not.toHaveProperty('maintenance');
      expect((await store().summary(alice.id, T + 120_000))[0]?.last_check).toEqual(quiet);
    });

    test('history and summary count maintenance checks apart and leave them out of uptime', async () => {
      const alice = await newUser(store());
      const monitor = await store().createMonitor(alice.id, monitorInput());
      const FIVE_MIN = 300_000;
      const down = { status: 'down', error_type: 'connect', error_message: 'ECONNREFUSED', status_code: null } as const;
      await store().appendChecks([
        // Hour 1: 6 up and 2 down outside maintenance; 2 up and 2 down during it.
        ...checksEvery(monitor, T, T + 30 * 60_000, FIVE_MIN),
        ...checksEvery(monitor, T + 30 * 60_000, T + 40 * 60_000, FIVE_MIN, down),
        ...checksEvery(monitor, T + 40 * 60_000, T + 50 * 60_000, FIVE_MIN, { maintenance: true }),
        ...checksEvery(monitor, T + 50 * 60_000, T + HOUR, FIVE_MIN, { ...down, maintenance: true }),
        // Hour 2: maintenance only.
        ...checksEvery(monitor, T + HOUR, T + HOUR + 20 * 60_000, FIVE_MIN, { ...down, maintenance: true }),
      ]);
      await refresh();

      const history = await store().history(alice.id, monitor.id, { from: T, to: T + 2 * HOUR, bucket: 'hour', tz: 'UTC' });
      expect(history?.buckets.map(({ checks, up, down, maintenance, uptime }) => ({ checks, up, down, maintenance, uptime }))).toEqual([
        { checks: 12, up: 6, down: 2, maintenance: 4, uptime: 6 / 8 },
        { checks: 4, up: 0, down: 0, maintenance: 4, uptime: null },
      ]);
      expect(history?.totals).toEqual({ checks: 16, up: 6, down: 2, maintenance: 8, uptime: 6 / 8 });
      // A partial hour (read from the checks themselves) answers the same way.
      const partial = await store().history(alice.id, monitor.id, { from: T + 35 * 60_000, to: T + 55 * 60_000, bucket: 'hour', tz: 'UTC' });
      expect(partial?.totals).toEqual({ checks: 4, up: 0, down: 1, maintenance: 3, uptime: 0 });

      const [row] = await store().summary(alice.id, T + 2 * HOUR + 60_000);
      expect(row?.uptime['24h']).toBe(6 / 8);
      expect(row?.uptime['90d']).toBe(6 / 8);
    });

    test('keeps the MONITORS_FILE mark: false unless created with it, kept by an update that does not name it', async () => {
      const alice = await newUser(store());
      const api = await store().createMaintenanceWindow(alice.id, weekly());
      const file = await store().createMaintenanceWindow(alice.id, oneOff({ all_monitors: true, managed_by_file: true }));
      expect([api.managed_by_file, file.managed_by_file]).toEqual([false, true]);
      const updated = await store().updateMaintenanceWindow(alice.id, file.id, oneOff({ name: 'renamed', all_monitors: true }));
      expect(updated).toMatchObject({ name: 'renamed', managed_by_file: true });
      const listed = await store().listMaintenanceWindows(alice.id);
      expect([api.id, file.id].map((id) => listed.find((w) => w.id === id)?.managed_by_file)).toEqual([false, true]);
      expect((await store().listAllMaintenanceWindows()).find((w) => w.id === file.id)?.managed_by_file).toBe(true);
    });

    test("another owner's window behaves like a missing one", async () => {
      const alice = await newUser(store());
      const bob = await newUser(store());
      const window = await store().createMaintenanceWindow(alice.id, weekly());
      expect(await store().getMaintenanceWindow(bob.id, window.id)).toBeNull();
      expect(await store().listMaintenanceWindows(bob.id)).toEqual([]);
      expect(await store().updateMaintenanceWindow(bob.id, window.id, oneOff({ name: 'mine now' }))).toBeNull();
      expect(await store().deleteMaintenanceWindow(bob.id, window.id)).toBe(false);
      expect(await store().getMaintenanceWindow(alice.id, window.id)).toEqual(window);
    });
  });
}
