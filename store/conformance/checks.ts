// Checks: idempotent appends, every field round-trips, paging newest first, filters, and the
// evaluator's feed (every check at least once, with two writers at once).

import { describe, expect } from 'vitest';
import type { Check } from '../types.ts';
import { type ConformanceOptions, MINUTE, checksEvery, makeCheck, monitorInput, newUser, useStore } from './harness.ts';

const T0 = Date.UTC(2026, 4, 4, 10, 0, 0);

export function checkCases(options: ConformanceOptions): void {
  describe('checks', () => {
    const { store, refresh, test } = useStore(options);

    const setup = async () => {
      const owner = await newUser(store());
      const monitor = await store().createMonitor(owner.id, monitorInput({ interval_seconds: 60 }));
      return { owner, monitor };
    };

    test('round-trips every field of a check, down checks included', async () => {
      const { owner, monitor } = await setup();
      const up = makeCheck(monitor, T0, { observer: 'paris-1', resolved_ip: '2001:db8::1', dns_us: null });
      const down = makeCheck(monitor, T0 + MINUTE, {
        status: 'down',
        id: 'probe-with-a-plain-id',
        status_code: null,
        body_bytes: null,
        connect_us: null,
        tls_us: null,
        first_byte_us: null,
        total_us: null,
        tls_version: null,
        cert_not_after: null,
        cert_issuer: null,
        cert_sha256: null,
        error_type: 'timeout',
        error_message: 'no response within 10000 ms',
      });
      await store().appendChecks([up, down]);
      await refresh();
      const page = await store().listChecks(owner.id, monitor.id, { limit: 10 });
      expect(page).toEqual({ items: [down, up], next_cursor: null });
    });

    test('stores what each check saw when its context changes and changes back, across batches', async () => {
      const { owner, monitor } = await setup();
      const seen = ['192.0.2.1', '192.0.2.2', '192.0.2.1', '192.0.2.1', '192.0.2.3', '192.0.2.2'];
      const checks = seen.map((ip, i) => makeCheck(monitor, T0 + i * MINUTE, { resolved_ip: ip, monitor_name: `name ${i % 2}` }));
      for (const pair of [checks.slice(0, 2), checks.slice(2, 3), checks.slice(3)]) await store().appendChecks(pair);
      await refresh();
      const page = await store().listChecks(owner.id, monitor.id, { limit: 10 });
      expect(page?.items.map((c) => [c.resolved_ip, c.monitor_name])).toEqual(checks.map((c) => [c.resolved_ip, c.monitor_name]).reverse());
    });

    test('stores a check once when its id repeats in a batch and across batches', async () => {
      const { owner, monitor } = await setup();
      const checks = checksEvery(monitor, T0, T0 + 5 * MINUTE, MINUTE);
      const [first, second] = checks as [Check, Check];
      await store().appendChecks([first, first, second]);
      await store().appendChecks(checks);
      await store().appendChecks(checks);
      await refresh();
      const page = await store().listChecks(owner.id, monitor.id, { limit: 100 });
      expect(page?.items.map((c) => c.id)).toEqual(checks.map((c) => c.id).reverse());
      const history = await store().history(owner.id, monitor.id, { from: T0, to: T0 + 60 * MINUTE, bucket: 'hour', tz: 'UTC' });
      expect(history?.totals.checks).toBe(5);
    });

    test('pages newest first with a cursor, returning every check exactly once', async () => {
      const { owner, monitor } = await setup();
      const checks = checksEvery(monitor, T0, T0 + 23 * MINUTE, MINUTE);
      // Two checks at the same instant must both appear exactly once.
      checks.push(makeCheck(monitor, T0 + 7 * MINUTE, { observer: 'second-location' }));
      await store().appendChecks(checks.slice(0, 10));
      await store().appendChecks(checks.slice(10));
      await refresh();
      const seen: Check[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store().listChecks(owner.id, monitor.id, { limit: 5, ...(cursor ? { cursor } : {}) });
        expect(page).not.toBeNull();
        seen.push(...page!.items);
        cursor = page!.next_cursor ?? undefined;
        pages += 1;
      } while (cursor && pages < 20);
      expect(pages).toBe(5);
      expect(seen.map((c) => c.id).sort()).toEqual(checks.map((c) => c.id).sort());
      const times = seen.map((c) => c.timestamp);
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    test('filters by time range (from inclusive, to exclusive) and by status', async () => {
      const { owner, monitor } = await setup();
      const checks = checksEvery(monitor, T0, T0 + 10 * MINUTE, MINUTE).map((check, i) =>
        i % 3 === 0 ? makeCheck(monitor, check.timestamp, { status: 'down' }) : check,
      );
      await store().appendChecks(checks);
      await refresh();
      const ranged = await store().listChecks(owner.id, monitor.id, { from: T0 + 2 * MINUTE, to: T0 + 5 * MINUTE, limit: 50 });
      expect(ranged?.items.map((c) => c.timestamp)).toEqual([T0 + 4 * MINUTE, T0 + 3 * MINUTE, T0 + 2 * MINUTE]);
      const down = await store().listChecks(owner.id, monitor.id, { status: 'down', limit: 50 });
      expect(down?.items.map((c) => c.timestamp)).toEqual([9, 6, 3, 0].map((i) => T0 + i * MINUTE));
      const upInRange = await store().listChecks(owner.id, monitor.id, { status: 'up', from: T0, to: T0 + 3 * MINUTE, limit: 50 });
      expect(upInRange?.items.map((c) => c.timestamp)).toEqual([T0 + 2 * MINUTE, T0 + MINUTE]);
    });

    test('answers null for a monitor that does not exist', async () => {
      const { owner } = await setup();
      expect(await store().listChecks(owner.id, 'no-such-monitor', { limit: 10 })).toBeNull();
    });

    /** Reads the feed until a page comes back short (caught up); every id returned, in order. */
    const drain = async (cursor: string | null, limit: number) => {
      const ids: string[] = [];
      for (let pages = 0; pages < 1_000; pages++) {
        const page = await store().readChecksAfter(cursor, limit);
        ids.push(...page.checks.map((c) => c.id));
        cursor = page.cursor;
        if (page.checks.length < limit) return { ids, cursor };
      }
      throw new Error('the feed never caught up');
    };

    test('feeds every check at least once after a cursor, and nothing that was not stored', async () => {
      const { monitor } = await setup();
      const other = await store().createMonitor(monitor.owner_id, monitorInput({ name: 'other' }));
      const batch1 = [makeCheck(monitor, T0 + 2 * MINUTE), makeCheck(other, T0), makeCheck(monitor, T0 + MINUTE)];
      await store().appendChecks(batch1);
      await refresh();
      const whole = await store().readChecksAfter(null, 10);
      expect(whole.checks.map((c) => c.id).sort()).toEqual(batch1.map((c) => c.id).sort());
      expect(whole.checks.find((c) => c.id === batch1[1]!.id)).toEqual(batch1[1]);
      const paged = await drain(null, 2);
      expect(new Set(paged.ids)).toEqual(new Set(batch1.map((c) => c.id)));
      // Nothing new: the feed may re-read, but only what was stored.
      const again = await drain(paged.cursor, 2);
      expect(again.ids.every((id) => batch1.some((c) => c.id === id))).toBe(true);
      // A late check older than everything, and a replay, arriving after the cursor.
      const late = makeCheck(monitor, T0 - 60 * MINUTE);
      await store().appendChecks([batch1[0]!, late]);
      await refresh();
      const next = await drain(again.cursor, 10);
      expect(next.ids).toContain(late.id);
      expect(next.ids.every((id) => id === late.id || batch1.some((c) => c.id === id))).toBe(true);
    });

    test('two writers at once: a reader following the feed sees every check', async () => {
      const { monitor } = await setup();
      const other = await store().createMonitor(monitor.owner_id, monitorInput({ name: 'other' }));
      const written: string[] = [];
      const writer = async (target: typeof monitor, offset: number) => {
        for (let batch = 0; batch < 8; batch++) {
          const checks = Array.from({ length: 25 }, (_, i) => makeCheck(target, T0 + offset + (batch * 25 + i) * 1000));
          written.push(...checks.map((c) => c.id));
          await store().appendChecks(checks);
        }
      };
      const seen = new Set<string>();
      let cursor: string | null = null;
      let writing = true;
      const follow = (async () => {
        while (writing) {
          const page = await drain(cursor, 40);
          page.ids.forEach((id) => seen.add(id));
          cursor = page.cursor;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      await Promise.all([writer(monitor, 0), writer(other, 500)]);
      writing = false;
      await follow;
      await refresh();
      // Keep following, as the evaluator does, until every check came through (bounded).
      const deadline = Date.now() + 60_000;
      while (written.some((id) => !seen.has(id)) && Date.now() < deadline) {
        const page = await drain(cursor, 40);
        page.ids.forEach((id) => seen.add(id));
        cursor = page.cursor;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(written.filter((id) => !seen.has(id))).toEqual([]);
      expect(written).toHaveLength(400);
    });

    test('hides the checks of a deleted monitor', async () => {
      const { owner, monitor } = await setup();
      await store().appendChecks(checksEvery(monitor, T0, T0 + 3 * MINUTE, MINUTE));
      await store().deleteMonitor(owner.id, monitor.id);
      await refresh();
      expect(await store().listChecks(owner.id, monitor.id, { limit: 10 })).toBeNull();
      expect((await store().readChecksAfter(null, 10)).checks).toEqual([]);
      expect(await store().history(owner.id, monitor.id, { from: T0, to: T0 + 3600_000, bucket: 'hour', tz: 'UTC' })).toBeNull();
      expect(await store().summary(owner.id, T0 + 5 * MINUTE)).toEqual([]);
    });
  });
}
