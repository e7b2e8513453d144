// History: hour and day buckets in several zones, DST days and half-hour offsets with exact
// counts, empty buckets, clipped edges, response statistics and totals.

import { describe, expect } from 'vitest';
import type { Store } from '../contract.ts';
import type { Check, HistoryBucket, Monitor } from '../types.ts';
import { type ConformanceOptions, HOUR, MINUTE, checksEvery, makeCheck, monitorInput, newUser, useStore } from './harness.ts';

const iso = (instant: number) => new Date(instant).toISOString();
const counts = (buckets: HistoryBucket[]) => buckets.map((b) => [iso(b.start), b.checks]);

export function historyCases(options: ConformanceOptions): void {
  describe('history', () => {
    const { store, refresh, test } = useStore(options);

    const withChecks = async (make: (monitor: Monitor) => Check[]) => {
      const owner = await newUser(store());
      const monitor = await store().createMonitor(owner.id, monitorInput());
      await store().appendChecks(make(monitor));
      await refresh();
      return { owner, monitor, store: store() as Store };
    };

    test('hour buckets in UTC: counts, empty buckets, response stats from up checks only', async () => {
      const t10 = Date.UTC(2026, 4, 4, 10);
      const { owner, monitor } = await withChecks((m) => [
        ...checksEvery(m, t10, t10 + HOUR, 5 * MINUTE).map((check, i) =>
          i === 3 || i === 7
            ? makeCheck(m, check.timestamp, { status: 'down', total_us: null, duration_us: 10_000_000 })
            : i === 5
              ? makeCheck(m, check.timestamp, { total_us: 300_000 })
              : check,
        ),
        // total_us missing on an up check: duration_us stands in.
        makeCheck(m, t10 + 2 * HOUR, { total_us: null, duration_us: 40_000 }),
        makeCheck(m, t10 + 2 * HOUR + 30 * MINUTE, { total_us: 60_000 }),
      ]);
      const history = await store().history(owner.id, monitor.id, { from: t10, to: t10 + 3 * HOUR, bucket: 'hour', tz: 'UTC' });
      expect(history!.buckets.map((b) => b.start)).toEqual([t10, t10 + HOUR, t10 + 2 * HOUR]);
      const [first, empty, last] = history!.buckets as [HistoryBucket, HistoryBucket, HistoryBucket];
      expect(first).toMatchObject({ checks: 12, up: 10, down: 2, uptime: 10 / 12 });
      expect(first.response_ms.avg).toBeCloseTo((9 * 100 + 300) / 10, 6);
      expect(first.response_ms.max).toBe(300);
      expect(first.response_ms.p95).toBeGreaterThanOrEqual(270);
      expect(first.response_ms.p95).toBeLessThanOrEqual(300);
      expect(empty).toEqual({ start: t10 + HOUR, checks: 0, up: 0, down: 0, maintenance: 0, uptime: null, response_ms: { avg: null, p95: null, max: null } });
      expect(last).toMatchObject({ checks: 2, up: 2, uptime: 1, response_ms: { avg: 50, max: 60 } });
      expect(history!.totals).toEqual({ checks: 14, up: 12, down: 2, maintenance: 0, uptime: 12 / 14 });
    });

    test('counts only checks inside from..to when the range cuts buckets', async () => {
      const t10 = Date.UTC(2026, 4, 4, 10);
      const { owner, monitor } = await withChecks((m) => checksEvery(m, t10, t10 + 3 * HOUR, 5 * MINUTE));
      const history = await store().history(owner.id, monitor.id, {
        from: t10 + 30 * MINUTE,
        to: t10 + 2 * HOUR + 10 * MINUTE,
        bucket: 'hour',
        tz: 'UTC',
      });
      expect(counts(history!.buckets)).toEqual([
        [iso(t10), 6],
        [iso(t10 + HOUR), 12],
        [iso(t10 + 2 * HOUR), 2],
      ]);
      expect(history!.totals.checks).toBe(20);
    });

    test('day buckets in Europe/Paris follow the 23-hour day of 2026-03-29', async () => {
      const from = Date.UTC(2026, 2, 27, 23); // 2026-03-28 00:00 CET
      const to = Date.UTC(2026, 2, 30, 22); // 2026-03-31 00:00 CEST
      const { owner, monitor } = await withChecks((m) => checksEvery(m, from - 2 * HOUR, to + 2 * HOUR, 30 * MINUTE));
      const history = await store().history(owner.id, monitor.id, { from, to, bucket: 'day', tz: 'Europe/Paris' });
      expect(counts(history!.buckets)).toEqual([
        ['2026-03-27T23:00:00.000Z', 48],
        ['2026-03-28T23:00:00.000Z', 46],
        ['2026-03-29T22:00:00.000Z', 48],
      ]);
      expect(history!.totals.checks).toBe(142);
    });

    test('day buckets in Europe/Paris follow the 25-hour day of 2026-10-25', async () => {
      const from = Date.UTC(2026, 9, 23, 22); // 2026-10-24 00:00 CEST
      const to = Date.UTC(2026, 9, 26, 23); // 2026-10-27 00:00 CET
      const { owner, monitor } = await withChecks((m) => checksEvery(m, from, to, 30 * MINUTE));
      const history = await store().history(owner.id, monitor.id, { from, to, bucket: 'day', tz: 'Europe/Paris' });
      expect(counts(history!.buckets)).toEqual([
        ['2026-10-23T22:00:00.000Z', 48],
        ['2026-10-24T22:00:00.000Z', 50],
        ['2026-10-25T23:00:00.000Z', 48],
      ]);
    });

    test('hour buckets in Europe/Paris keep both 02:00 hours of the fall-back night', async () => {
      const from = Date.UTC(2026, 9, 24, 23); // 01:00 CEST
      const to = Date.UTC(2026, 9, 25, 3); // 04:00 CET
      const { owner, monitor } = await withChecks((m) => checksEvery(m, from, to, 10 * MINUTE));
      const history = await store().history(owner.id, monitor.id, { from, to, bucket: 'hour', tz: 'Europe/Paris' });
      expect(counts(history!.buckets)).toEqual([
        ['2026-10-24T23:00:00.000Z', 6],
        ['2026-10-25T00:00:00.000Z', 6],
        ['2026-10-25T01:00:00.000Z', 6],
        ['2026-10-25T02:00:00.000Z', 6],
      ]);
    });

    test('day buckets in America/New_York across both DST changes of 2026', async () => {
      const { owner, monitor } = await withChecks((m) => [
        ...checksEvery(m, Date.UTC(2026, 2, 7, 5), Date.UTC(2026, 2, 10, 4), HOUR),
        ...checksEvery(m, Date.UTC(2026, 9, 31, 4), Date.UTC(2026, 10, 2, 5), HOUR),
      ]);
      const spring = await store().history(owner.id, monitor.id, {
        from: Date.UTC(2026, 2, 7, 5),
        to: Date.UTC(2026, 2, 10, 4),
        bucket: 'day',
        tz: 'America/New_York',
      });
      expect(counts(spring!.buckets)).toEqual([
        ['2026-03-07T05:00:00.000Z', 24],
        ['2026-03-08T05:00:00.000Z', 23],
        ['2026-03-09T04:00:00.000Z', 24],
      ]);
      const autumn = await store().history(owner.id, monitor.id, {
        from: Date.UTC(2026, 9, 31, 4),
        to: Date.UTC(2026, 10, 2, 5),
        bucket: 'day',
        tz: 'America/New_York',
      });
      expect(counts(autumn!.buckets)).toEqual([
        ['2026-10-31T04:00:00.000Z', 24],
        ['2026-11-01T04:00:00.000Z', 25],
      ]);
    });

    test('day and hour buckets in Asia/Kolkata start at half past the UTC hour', async () => {
      const from = Date.UTC(2026, 4, 3, 18, 30); // 2026-05-04 00:00 IST
      const { owner, monitor } = await withChecks((m) =>
        checksEvery(m, from - 3 * HOUR, from + 50 * HOUR, 15 * MINUTE).map((check, i) =>
          i % 8 === 0 ? makeCheck(m, check.timestamp, { status: 'down' }) : check,
        ),
      );
      const days = await store().history(owner.id, monitor.id, { from, to: from + 48 * HOUR, bucket: 'day', tz: 'Asia/Kolkata' });
      expect(counts(days!.buckets)).toEqual([
        ['2026-05-03T18:30:00.000Z', 96],
        ['2026-05-04T18:30:00.000Z', 96],
      ]);
      expect(days!.buckets.map((b) => b.down)).toEqual([12, 12]);
      const hours = await store().history(owner.id, monitor.id, { from, to: from + 3 * HOUR, bucket: 'hour', tz: 'Asia/Kolkata' });
      expect(counts(hours!.buckets)).toEqual([
        ['2026-05-03T18:30:00.000Z', 4],
        ['2026-05-03T19:30:00.000Z', 4],
        ['2026-05-03T20:30:00.000Z', 4],
      ]);
    });

    test('answers null for an unknown monitor and rejects an unknown zone', async () => {
      const { owner, monitor } = await withChecks(() => []);
      const range = { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 2), bucket: 'day' as const };
      expect(await store().history(owner.id, 'no-such-monitor', { ...range, tz: 'UTC' })).toBeNull();
      await expect(store().history(owner.id, monitor.id, { ...range, tz: 'Mars/Olympus_Mons' })).rejects.toThrow(/Mars\/Olympus_Mons/);
    });
  });
}
