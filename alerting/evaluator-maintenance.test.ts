// The evaluator with maintenance windows, on the real SQLite store: nothing is told inside a
// window, and a change that outlasts it is told once when it ends.

import { describe, expect, it } from 'vitest';
import type { MaintenanceInput } from '../store/maintenance.ts';
import { allDeliveries } from '../store/testing/deliveries.ts';
import type { Monitor } from '../store/types.ts';
import { useEvaluatorFixture } from './testing/evaluator-fixture.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
// The window: 09:00 to 09:30 UTC on T0's day.
const WINDOW_END = T0 + 30 * MIN;

const f = useEvaluatorFixture(T0);

function window(over: Partial<MaintenanceInput>): Promise<unknown> {
  return f.world.store.createMaintenanceWindow(f.world.user.id, {
    name: 'upgrade',
    all_monitors: false,
    monitor_ids: [],
    start: T0,
    end: WINDOW_END,
    repeat: null,
    ...over,
  });
}

const deliveries = async (m: Monitor) => (await allDeliveries(f.world.store, f.world.user.id, m.id)) ?? [];
const incidents = async (m: Monitor) => (await f.world.store.listIncidents(f.world.user.id, m.id, {})) ?? [];

/** One check a minute at `at`, evaluated at that time. */
async function checkAt(evaluator: { evaluateOnce(): Promise<void> }, monitor: Monitor, status: 'up' | 'down', at: number) {
  f.now = at;
  await f.world.writeCheck(monitor, status, at);
  await evaluator.evaluateOnce();
}

describe('evaluator with maintenance windows (SQLite)', () => {
  it('tells nothing of an outage inside a window, but keeps its incident', async () => {
    const monitor = await f.monitorWithContacts();
    await window({ monitor_ids: [monitor.id] });
    const evaluator = f.evaluator();
    await checkAt(evaluator, monitor, 'up', T0 - MIN);
    for (let i = 1; i <= 5; i++) await checkAt(evaluator, monitor, 'down', T0 + i * MIN);
    await checkAt(evaluator, monitor, 'up', T0 + 10 * MIN);
    f.now = WINDOW_END + 5 * MIN;
    await evaluator.evaluateOnce();

    expect(await deliveries(monitor)).toEqual([]);
    expect(await incidents(monitor)).toEqual([expect.objectContaining({ started_at: T0 + MIN, resolved_at: T0 + 10 * MIN })]);
  });

  it('tells a DOWN that outlasts the window once, when it ends, then the UP as usual', async () => {
    const monitor = await f.monitorWithContacts();
    await window({ all_monitors: true });
    const evaluator = f.evaluator();
    await checkAt(evaluator, monitor, 'up', T0 - MIN);
    for (let i = 1; i <= 29; i++) await checkAt(evaluator, monitor, 'down', T0 + i * MIN);
    expect(await deliveries(monitor)).toEqual([]);

    // The window ends; the next pass tells the DOWN without waiting for another check.
    f.now = WINDOW_END;
    await evaluator.evaluateOnce();
    const [incident] = await incidents(monitor);
    const afterWindow = await deliveries(monitor);
    expect(afterWindow.map((d) => [d.kind, d.channel, d.incident_id]).sort()).toEqual([
      ['down', 'email', incident?.id],
      ['down', 'sms', incident?.id],
    ]);
    // It names the first failing check of the outage, as a DOWN told at once would.
    expect(afterWindow.every((d) => d.check_id === incident?.check_id && d.check_at === T0 + MIN)).toBe(true);

    for (let i = 31; i <= 33; i++) await checkAt(evaluator, monitor, 'down', T0 + i * MIN);
    // A fresh engine (restart) does not tell it again.
    f.now = T0 + 34 * MIN;
    await f.evaluator().evaluateOnce();
    expect(await deliveries(monitor)).toHaveLength(2);

    await checkAt(evaluator, monitor, 'up', T0 + 40 * MIN);
    expect((await deliveries(monitor)).map((d) => d.kind).sort()).toEqual(['down', 'down', 'up', 'up']);
  });

  it('tells the UP after the window of an outage told before it', async () => {
    const monitor = await f.monitorWithContacts();
    await window({ monitor_ids: [monitor.id] });
    const evaluator = f.evaluator();
    await checkAt(evaluator, monitor, 'down', T0 - 3 * MIN);
    await checkAt(evaluator, monitor, 'down', T0 - 2 * MIN);
    expect((await deliveries(monitor)).map((d) => d.kind)).toEqual(['down', 'down']);
    await checkAt(evaluator, monitor, 'up', T0 + 5 * MIN);
    expect((await deliveries(monitor)).map((d) => d.kind)).toEqual(['down', 'down']);
    f.now = WINDOW_END + MIN;
    await evaluator.evaluateOnce();
    expect((await deliveries(monitor)).map((d) => d.kind).sort()).toEqual(['down', 'down', 'up', 'up']);
    expect((await incidents(monitor))[0]?.resolved_at).toBe(T0 + 5 * MIN);
  });

  it('silences only the monitors a window names', async () => {
    const inside = await f.monitorWithContacts();
    const outside = await f.monitorWithContacts();
    await window({ monitor_ids: [inside.id] });
    const evaluator = f.evaluator();
    for (const at of [T0 + MIN, T0 + 2 * MIN]) {
      f.now = at;
      await f.world.writeCheck(inside, 'down', at);
      await f.world.writeCheck(outside, 'down', at);
      await evaluator.evaluateOnce();
    }
    expect(await deliveries(inside)).toEqual([]);
    expect((await deliveries(outside)).map((d) => d.kind)).toEqual(['down', 'down']);
  });

  it('a window deleted during an outage lets the DOWN be told at the next pass', async () => {
    const monitor = await f.monitorWithContacts();
    const created = (await f.world.store.createMaintenanceWindow(f.world.user.id, {
      name: 'upgrade', all_monitors: true, monitor_ids: [], start: T0, end: WINDOW_END, repeat: null,
    }));
    const evaluator = f.evaluator();
    await checkAt(evaluator, monitor, 'down', T0 + MIN);
    await checkAt(evaluator, monitor, 'down', T0 + 2 * MIN);
    expect(await deliveries(monitor)).toEqual([]);
    await f.world.store.deleteMaintenanceWindow(f.world.user.id, created.id);
    f.now = T0 + 3 * MIN;
    await evaluator.evaluateOnce();
    expect((await deliveries(monitor)).map((d) => d.kind)).toEqual(['down', 'down']);
  });

  it('sends no reminder inside a repeating window, and reminds after it', async () => {
    const monitor = await f.monitorWithContacts({ remind_every_minutes: 10 });
    // Every day from 09:00 to 09:30 in Paris, i.e. 08:00 to 08:30 UTC in January.
    await window({ all_monitors: true, start: null, end: null, repeat: { every: 'day', days: [], from: '09:00', to: '09:30', tz: 'Europe/Paris' } });
    const evaluator = f.evaluator();
    const start = T0 - 70 * MIN; // 07:50 UTC
    await checkAt(evaluator, monitor, 'down', start);
    await checkAt(evaluator, monitor, 'down', start + MIN);
    expect((await deliveries(monitor)).map((d) => d.kind)).toEqual(['down', 'down']);
    for (let m = 15; m < 40; m += 5) {
      f.now = start + m * MIN;
      await evaluator.evaluateOnce();
    }
    expect((await deliveries(monitor)).map((d) => d.kind)).toEqual(['down', 'down']);
    f.now = start + 41 * MIN; // 08:31 UTC: the window is over, a reminder is overdue
    await evaluator.evaluateOnce();
    expect((await deliveries(monitor)).map((d) => d.kind).sort()).toEqual(['down', 'down', 'reminder', 'reminder']);
  });
});
