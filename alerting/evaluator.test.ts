import { describe, expect, it } from 'vitest';
import { CasConflictError } from '../store/contract.ts';
import { openSqliteStore } from '../store/sqlite/open.ts';
import { allDeliveries } from '../store/testing/deliveries.ts';
import type { Delivery, Monitor } from '../store/types.ts';
import { createMetrics } from '../telemetry/metrics.ts';
import { createEvaluator } from './evaluator.ts';
import { createIncidentLookup } from './lookups.ts';
import { useEvaluatorFixture } from './testing/evaluator-fixture.ts';
import { silentLog } from './testing/world.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

const f = useEvaluatorFixture(T0);

const deliveries = async (m: Monitor) => (await allDeliveries(f.world.store, f.world.user.id, m.id)) ?? [];
const incidents = async (m: Monitor) => (await f.world.store.listIncidents(f.world.user.id, m.id, {})) ?? [];

describe('evaluator with the SQLite store', () => {
  it('tells how many monitors each fleet change added or removed, for the heap release', async () => {
    const told: number[] = [];
    const store = f.world.store;
    const evaluator = createEvaluator({ store, incidents: createIncidentLookup(store), log: silentLog, metrics: createMetrics(), clock: f.clock, onFleetChanged: (n) => told.push(n) });
    const [a, b] = [await f.world.addMonitor(), await f.world.addMonitor(), await f.world.addMonitor()];
    await evaluator.evaluateOnce();
    expect(told).toEqual([3]);
    await store.updateMonitor(f.world.user.id, a!.id, { name: 'renamed' });
    await evaluator.evaluateOnce();
    await store.deleteMonitor(f.world.user.id, b!.id);
    await f.world.addMonitor();
    await evaluator.evaluateOnce();
    // A change of fields is read again but adds and removes nothing; a deletion and a creation are two.
    expect(told).toEqual([3, 0, 2]);
  });

  it('opens an incident and enqueues one down delivery per contact after confirm_failures failures', async () => {
    const monitor = await f.monitorWithContacts();
    const enqueued: Delivery[] = [];
    const evaluator = f.evaluator(f.world.store, (d) => enqueued.push(...d));
    await f.world.writeCheck(monitor, 'up', T0 - 3 * MIN);
    const first = await f.world.writeCheck(monitor, 'down', T0 - 2 * MIN, { error_type: 'connect', error_message: 'ECONNREFUSED', status_code: null });
    await evaluator.evaluateOnce();
    expect(await deliveries(monitor)).toEqual([]);
    const confirming = await f.world.writeCheck(monitor, 'down', T0 - MIN, { error_type: 'connect', error_message: 'ECONNREFUSED', status_code: null });
    await evaluator.evaluateOnce();

    const [incident] = await incidents(monitor);
    expect(incident).toMatchObject({ started_at: first.timestamp, resolved_at: null, cause_type: 'connect', cause_message: 'ECONNREFUSED', check_id: first.id });
    const sent = await deliveries(monitor);
    expect(sent.map((d) => [d.kind, d.channel, d.status, d.check_id, d.incident_id]).sort()).toEqual([
      ['down', 'email', 'pending', confirming.id, incident?.id],
      ['down', 'sms', 'pending', confirming.id, incident?.id],
    ]);
    expect(enqueued.map((d) => d.id).sort()).toEqual(sent.map((d) => d.id).sort());
  });

  it('resolves the incident at the first good check and enqueues the up deliveries', async () => {
    const monitor = await f.monitorWithContacts();
    const evaluator = f.evaluator();
    await f.world.writeCheck(monitor, 'down', T0 - 5 * MIN);
    await f.world.writeCheck(monitor, 'down', T0 - 4 * MIN);
    await evaluator.evaluateOnce();
    const good = await f.world.writeCheck(monitor, 'up', T0 - 2 * MIN);
    await evaluator.evaluateOnce();
    const [incident] = await incidents(monitor);
    expect(incident).toMatchObject({ started_at: T0 - 5 * MIN, resolved_at: good.timestamp });
    expect((await deliveries(monitor)).map((d) => d.kind).sort()).toEqual(['down', 'down', 'up', 'up']);
  });

  it('re-reading checks it already folded (crash before the cursor moved) enqueues nothing new', async () => {
    const monitor = await f.monitorWithContacts();
    await f.world.writeCheck(monitor, 'down', T0 - 2 * MIN);
    await f.world.writeCheck(monitor, 'down', T0 - MIN);
    await f.evaluator().evaluateOnce();
    await f.world.store.setEvaluatorCursor(null);
    await f.evaluator().evaluateOnce(); // a fresh process: nothing cached
    expect(await deliveries(monitor)).toHaveLength(2);
    expect(await incidents(monitor)).toHaveLength(1);
  });

  it('two engines on separate connections to one file: one incident, one delivery per contact', async () => {
    const monitor = await f.monitorWithContacts();
    const other = await openSqliteStore({ dataDir: f.world.dir, clock: f.clock });
    try {
      const a = f.evaluator(f.world.store);
      const b = f.evaluator(other);
      await Promise.all([a.evaluateOnce(), b.evaluateOnce()]); // both cache the unknown state
      for (let i = 0; i < 4; i++) await f.world.writeCheck(monitor, 'down', T0 - (4 - i) * MIN);
      await Promise.all([a.evaluateOnce(), b.evaluateOnce()]);
      await f.world.writeCheck(monitor, 'up', T0);
      f.now += MIN;
      await Promise.all([b.evaluateOnce(), a.evaluateOnce()]);
      expect((await deliveries(monitor)).map((d) => d.kind).sort()).toEqual(['down', 'down', 'up', 'up']);
      expect(await incidents(monitor)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('a fold that loses more compare-and-sets than it retries in a pass still brings the DOWN', async () => {
    const monitor = await f.monitorWithContacts();
    const other = await openSqliteStore({ dataDir: f.world.dir, clock: f.clock });
    try {
      // Another engine, on its own connection, writes the state again just before each of our
      // next `losses` compare-and-sets: the version really moves, so the real store refuses ours.
      let losses = 0;
      const refused: unknown[] = [];
      const contended = {
        ...f.world.store,
        compareAndSetAlertState: async (...args: Parameters<typeof f.world.store.compareAndSetAlertState>) => {
          if (losses > 0) {
            losses--;
            const current = await other.getAlertState(args[0]);
            await other.compareAndSetAlertState(args[0], current?.version ?? null, current?.state ?? args[2], {});
            return f.world.store.compareAndSetAlertState(...args).catch((error: unknown) => {
              refused.push(error);
              throw error;
            });
          }
          return f.world.store.compareAndSetAlertState(...args);
        },
      };
      await f.world.writeCheck(monitor, 'up', T0 - 3 * MIN);
      const evaluator = f.evaluator(contended);
      await evaluator.evaluateOnce();
      expect((await f.world.store.getAlertState(monitor.id))?.state.status).toBe('up');

      losses = 7; // more than one pass retries (5)
      await f.world.writeCheck(monitor, 'down', T0 - 2 * MIN);
      await f.world.writeCheck(monitor, 'down', T0 - MIN);
      for (let pass = 0; pass < 5 && (await deliveries(monitor)).length === 0; pass++) await evaluator.evaluateOnce();

      expect((await deliveries(monitor)).map((d) => [d.kind, d.channel]).sort()).toEqual([
        ['down', 'email'],
        ['down', 'sms'],
      ]);
      expect(await incidents(monitor)).toHaveLength(1);
      expect(refused).toHaveLength(7);
      expect(refused.every((error) => error instanceof CasConflictError)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('writes a state only when the rule changes, not for every healthy check, and a restart re-reads harmlessly', async () => {
    const monitor = await f.monitorWithContacts();
    const writes: string[] = [];
    const counting = {
      ...f.world.store,
      compareAndSetAlertState: (...args: Parameters<typeof f.world.store.compareAndSetAlertState>) => {
        writes.push(`${args[2].status}/${args[2].streak_status ?? '-'}${args[2].streak_count}`);
        return f.world.store.compareAndSetAlertState(...args);
      },
    };
    const evaluator = f.evaluator(counting);
    for (let i = 0; i < 10; i++) {
      await f.world.writeCheck(monitor, 'up', T0 - (30 - i) * MIN);
      await evaluator.evaluateOnce();
    }
    // unknown → up (confirm_recoveries 1) is one write; nine more healthy checks write nothing.
    expect(writes).toEqual(['up/-0']);
    await f.world.writeCheck(monitor, 'down', T0 - 19 * MIN);
    await evaluator.evaluateOnce();
    await f.world.writeCheck(monitor, 'up', T0 - 18 * MIN);
    await evaluator.evaluateOnce();
    // A streak step and its end are changes.
    expect(writes).toEqual(['up/-0', 'up/down1', 'up/-0']);
    // A new process reading everything again from the start folds to the same state.
    await f.world.store.setEvaluatorCursor(null);
    await f.evaluator(counting).evaluateOnce();
    expect(writes).toHaveLength(3);
    expect(await deliveries(monitor)).toEqual([]);
  });

  it('sends reminders every remind_every_minutes while down, without new checks', async () => {
    const monitor = await f.monitorWithContacts({ remind_every_minutes: 10 });
    const evaluator = f.evaluator();
    await f.world.writeCheck(monitor, 'down', T0 - 2 * MIN);
    await f.world.writeCheck(monitor, 'down', T0 - MIN);
    await evaluator.evaluateOnce();
    f.now = T0 + 9 * MIN;
    await evaluator.evaluateOnce();
    expect(await deliveries(monitor)).toHaveLength(2);
    f.now = T0 + 10 * MIN;
    await evaluator.evaluateOnce();
    await evaluator.evaluateOnce();
    f.now = T0 + 20 * MIN;
    await evaluator.evaluateOnce();
    const kinds = (await deliveries(monitor)).map((d) => d.kind);
    expect(kinds.filter((k) => k === 'reminder')).toHaveLength(4); // 2 reminders × 2 contacts
  });

  it('ignores checks of a paused monitor, and a flapping target never alerts', async () => {
    const paused = await f.monitorWithContacts({ paused: true });
    const flapping = await f.monitorWithContacts();
    for (let i = 0; i < 10; i++) {
      await f.world.writeCheck(paused, 'down', T0 - (10 - i) * MIN);
      await f.world.writeCheck(flapping, i % 2 ? 'up' : 'down', T0 - (10 - i) * MIN);
    }
    await f.evaluator().evaluateOnce();
    expect(await deliveries(paused)).toEqual([]);
    expect(await deliveries(flapping)).toEqual([]);
    expect(await incidents(flapping)).toEqual([]);
  });

  describe('first start on a store that already holds checks (a collector ran alone)', () => {
    const DAY = 24 * 60 * MIN;
    const kinds = async (m: Monitor) => (await deliveries(m)).map((d) => d.kind).sort();

    it('records old outages without messages, tells a monitor still down once, and fresh changes as usual', async () => {
      const ended = await f.monitorWithContacts({ name: 'ended last week' });
      await f.world.writeCheck(ended, 'down', T0 - 8 * DAY);
      await f.world.writeCheck(ended, 'down', T0 - 8 * DAY + MIN);
      const back = await f.world.writeCheck(ended, 'up', T0 - 8 * DAY + 2 * MIN);
      const still = await f.monitorWithContacts({ name: 'down for three days' });
      await f.world.writeCheck(still, 'up', T0 - 3 * DAY - MIN);
      const firstFailure = await f.world.writeCheck(still, 'down', T0 - 3 * DAY);
      const confirming = await f.world.writeCheck(still, 'down', T0 - 3 * DAY + MIN);
      for (let i = 2; i < 6; i++) await f.world.writeCheck(still, 'down', T0 - 3 * DAY + i * MIN);
      const fresh = await f.monitorWithContacts({ name: 'went down a minute ago' });
      await f.world.writeCheck(fresh, 'down', T0 - 2 * MIN);
      await f.world.writeCheck(fresh, 'down', T0 - MIN);

      // Small pages, one per pass: the catch-up spans several passes, and nothing old is told
      // before it ends.
      const evaluator = createEvaluator({
        store: f.world.store, incidents: createIncidentLookup(f.world.store), log: silentLog, metrics: createMetrics(), clock: f.clock, batchSize: 3, maxBatchesPerPass: 1,
      });
      await evaluator.evaluateOnce();
      expect(await kinds(ended)).toEqual([]);
      expect(await kinds(still)).toEqual([]);
      for (let pass = 0; pass < 6; pass++) await evaluator.evaluateOnce();

      expect(await incidents(ended)).toMatchObject([{ resolved_at: back.timestamp }]);
      expect(await deliveries(ended)).toEqual([]);
      const [open] = await incidents(still);
      expect(open).toMatchObject({ started_at: firstFailure.timestamp, resolved_at: null });
      const late = await deliveries(still);
      expect(late.map((d) => [d.kind, d.channel, d.check_id, d.incident_id]).sort()).toEqual([
        ['down', 'email', confirming.id, open?.id],
        ['down', 'sms', confirming.id, open?.id],
      ]);
      expect(await kinds(fresh)).toEqual(['down', 'down']);

      // Told once: later passes add nothing, and its recovery is told as usual.
      await evaluator.evaluateOnce();
      expect(await kinds(still)).toEqual(['down', 'down']);
      await f.world.writeCheck(still, 'up', T0);
      await evaluator.evaluateOnce();
      expect(await kinds(still)).toEqual(['down', 'down', 'up', 'up']);
      expect(await deliveries(ended)).toEqual([]);
    });

    it('tells a monitor still down after the catch-up even when that write loses more compare-and-sets than a pass retries', async () => {
      const still = await f.monitorWithContacts({ name: 'down for three days' });
      await f.world.writeCheck(still, 'down', T0 - 3 * DAY);
      await f.world.writeCheck(still, 'down', T0 - 3 * DAY + MIN);
      const other = await openSqliteStore({ dataDir: f.world.dir, clock: f.clock });
      try {
        // The late DOWN is the one write with deliveries and no incident: another engine's real
        // write moves the version before each of its first seven tries.
        let losses = 7;
        const contended = {
          ...f.world.store,
          compareAndSetAlertState: async (...args: Parameters<typeof f.world.store.compareAndSetAlertState>) => {
            if (losses > 0 && args[3].deliveries?.length && !args[3].incident) {
              losses--;
              const current = await other.getAlertState(args[0]);
              await other.compareAndSetAlertState(args[0], current?.version ?? null, current?.state ?? args[2], {});
            }
            return f.world.store.compareAndSetAlertState(...args);
          },
        };
        const evaluator = f.evaluator(contended);
        for (let pass = 0; pass < 5 && (await deliveries(still)).length === 0; pass++) await evaluator.evaluateOnce();
        expect(await kinds(still)).toEqual(['down', 'down']);
        expect(losses).toBe(0);
      } finally {
        await other.close();
      }
    });

    it('once it has a cursor, a restart tells every change it meets, however old (nothing is lost)', async () => {
      // A first run that read a check stores a cursor.
      await f.world.writeCheck(await f.world.addMonitor({ name: 'other' }), 'up', T0 - MIN);
      await f.evaluator().evaluateOnce();
      expect(await f.world.store.getEvaluatorCursor()).not.toBeNull();
      const monitor = await f.monitorWithContacts();
      await f.world.writeCheck(monitor, 'down', T0 - 2 * DAY);
      await f.world.writeCheck(monitor, 'down', T0 - 2 * DAY + MIN);
      await f.world.writeCheck(monitor, 'up', T0 - DAY);
      await f.evaluator().evaluateOnce();
      expect(await kinds(monitor)).toEqual(['down', 'down', 'up', 'up']);
    });
  });
});
