// Checks: idempotent appends, every field round-trips, paging newest first, filters, and the
// evaluator's read in acceptance order.

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
        error_type: 'timeout',
        error_message: 'no response within 10000 ms',
      });
      await store().appendChecks([up, down]);
      await refresh();
      const page = await store().listChecks(owner.id, monitor.id, { limit: 10 });
      expect(page).toEqual({ items: [down, up], next_cursor: null });
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

    test('reads checks after a cursor in acceptance order, each once', async () => {
      const { monitor } = await setup();
      const other = await store().createMonitor(monitor.owner_id, monitorInput({ name: 'other' }));
      const batch1 = [makeCheck(monitor, T0 + 2 * MINUTE), makeCheck(other, T0), makeCheck(monitor, T0 + MINUTE)];
      await store().appendChecks(batch1);
      await refresh();
      const empty = await store().readChecksAfter(null, 10);
      expect(empty.checks.map((c) => c.id)).toEqual(batch1.map((c) => c.id));
      const first = await store().readChecksAfter(null, 2);
      expect(first.checks.map((c) => c.id)).toEqual(batch1.slice(0, 2).map((c) => c.id));
      const rest = await store().readChecksAfter(first.cursor, 2);
      expect(rest.checks.map((c) => c.id)).toEqual([batch1[2]!.id]);
      const none = await store().readChecksAfter(rest.cursor, 2);
      expect(none.checks).toEqual([]);
      // A late check older than everything, and a replay, arriving after the cursor.
      const late = makeCheck(monitor, T0 - 60 * MINUTE);
      await store().appendChecks([batch1[0]!, late]);
      await refresh();
      const next = await store().readChecksAfter(none.cursor, 10);
      expect(next.checks).toEqual([late]);
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
