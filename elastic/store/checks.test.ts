// Elasticsearch only: what the conformance suite cannot express about checks on a data stream.
// - Rollover: `_id` is unique per backing index only; a replayed check must still be stored once
//   (checks-write.ts), whether the writer knew of the rollover or not.
// - Bulk items: a mapping error rejects naming the check and the field; a 429 is retried.
// - Retention without a lifecycle: an old backing index is dropped whole, the rest by query.
// - The feed's re-read of settled ingest time, for a check stamped behind the read position (a
//   writer whose clock runs behind), with the clocks of writers and reader set by the test.

import type { Client } from '@elastic/elasticsearch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCheck, monitorInput } from '../../store/testing/fixtures.ts';
import type { Check, Monitor } from '../../store/types.ts';
import { detectEngine } from '../engine.ts';
import { indexNames } from '../templates/index.ts';
import { readBackingIndices } from './backing-indices.ts';
import { createChecksFeed } from './checks-feed.ts';
import { createCheckWriter, type CheckWriterOptions } from './checks-write.ts';
import type { EsContext } from './context.ts';
import { createRetention } from './retention.ts';
import { openTestStore, refreshNamespace, testEsUrl, type TestStore } from './testing.ts';

const url = testEsUrl();
const MINUTE = 60_000;
const DAY = 86_400_000;

describe.skipIf(!url)('elasticsearch checks: data stream specifics', () => {
  let store: TestStore;
  let client: Client;
  let monitor: Monitor;
  let context: (clock?: () => number) => EsContext;

  beforeEach(async () => {
    store = await openTestStore(url ?? '');
    client = store.client;
    const engine = await detectEngine(client);
    context = (clock = Date.now) => ({ client, names: indexNames(store.namespace), engine, clock });
    const owner = await store.createUser({ email: `checks-${store.namespace}@example.com`, password_hash: 'scrypt$hash' });
    monitor = await store.createMonitor(owner.id, monitorInput());
  });

  afterEach(async () => {
    await store.close();
  });

  const names = () => indexNames(store.namespace);
  const writer = (options: CheckWriterOptions = {}) => createCheckWriter(context(), options);
  const rollover = async () => {
    await client.indices.rollover({ alias: names().checks });
  };
  const stored = async () => {
    await refreshNamespace(client, store.namespace);
    return (await client.count({ index: names().checks })).count;
  };
  const every = (from: number, count: number, step: number) =>
    Array.from({ length: count }, (_, i) => makeCheck(monitor, from + i * step));

  it('stores a check replayed after a rollover once (old checks: looked up in the older index)', async () => {
    const checks = every(Date.now() - 60 * MINUTE, 20, MINUTE);
    await writer().appendChecks(checks);
    await rollover();
    // A fresh writer (as after a restart) and the long-lived store both replay the batch.
    await writer().appendChecks(checks);
    await store.appendChecks([...checks, ...checks.slice(0, 3)]);
    expect(await stored()).toBe(20);
    const listed = await store.listChecks(monitor.owner_id, monitor.id, { limit: 100 });
    expect(listed?.items.map((c) => c.id).sort()).toEqual(checks.map((c) => c.id).sort());
  });

  it('stores a check replayed after a rollover it did not know of once (live checks: duplicate undone)', async () => {
    // Live checks, and checks from a clock 10 minutes ahead: newer than any backing index, so the
    // writer sends them without a lookup.
    const checks = [...every(Date.now() - 5_000, 5, 1000), ...every(Date.now() + 10 * MINUTE, 5, 1000)];
    const live = writer();
    await live.appendChecks(checks);
    await rollover();
    await live.appendChecks(checks);
    expect(await stored()).toBe(10);
    const [older, newer] = await readBackingIndices(context());
    expect((await client.count({ index: older!.name })).count).toBe(10);
    expect((await client.count({ index: newer!.name })).count).toBe(0);
  });

  it('writes live checks with one request (the bulk) once it knows the backing indices', async () => {
    const live = writer();
    await live.appendChecks(every(Date.now() - 2 * MINUTE, 3, 1000));
    const requests: string[] = [];
    const count = (_: unknown, event: { meta: { request: { params: { method: string; path: string } } } } | null) => {
      if (event) requests.push(`${event.meta.request.params.method} ${event.meta.request.params.path}`);
    };
    client.diagnostic.on('request', count);
    try {
      await live.appendChecks(every(Date.now() - MINUTE, 3, 1000));
    } finally {
      client.diagnostic.off('request', count);
    }
    expect(requests).toEqual(['POST /_bulk']);
    expect(await stored()).toBe(6);
  });

  it('rejects a batch with a check the mapping refuses, naming the check and the field; stores the others', async () => {
    const good = every(Date.now() - 10 * MINUTE, 3, MINUTE);
    const bad = makeCheck(monitor, Date.now(), { resolved_ip: 'not-an-ip' });
    const refused = writer().appendChecks([...good, bad]);
    await expect(refused).rejects.toThrow(new RegExp(`${bad.id}.*resolve\\.ip`));
    expect(await stored()).toBe(3);
  });

  it('retries items refused with 429 until they are stored, and gives up after the bounded attempts', async () => {
    const writeIndex = (await readBackingIndices(context())).at(-1)!.name;
    const block = (on: boolean) =>
      client.indices.putSettings({ index: writeIndex, settings: { 'index.blocks.read_only_allow_delete': on ? true : null } });
    const reasons: string[] = [];
    await block(true);
    const checks = every(Date.now() - 10 * MINUTE, 5, MINUTE);
    await writer({
      backoffMs: 10,
      onRetry: async ({ reason }) => {
        reasons.push(reason);
        await block(false);
      },
    }).appendChecks(checks);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^429/);
    expect(await stored()).toBe(5);

    await block(true);
    try {
      await expect(writer({ attempts: 3, backoffMs: 10 }).appendChecks(every(Date.now(), 2, 1000))).rejects.toThrow(
        /2 check\(s\) not stored .* after 3 attempts: 429/,
      );
    } finally {
      await block(false);
    }
  });

  // The dev node (OpenSearch) has no data stream lifecycle; the purge takes the same path on every engine.
  it('purges without a lifecycle: an old backing index whole, the rest by query', async () => {
    const day1 = Date.UTC(2026, 0, 10);
    const first = every(day1, 24, 60 * MINUTE);
    await store.appendChecks(first);
    await rollover();
    const rest = every(day1 + DAY, 48, 60 * MINUTE);
    const lateOld = every(day1 + 12 * 60 * MINUTE + 1, 2, MINUTE);
    await store.appendChecks([...rest, ...lateOld]);
    await refreshNamespace(client, store.namespace);
    const [oldIndex, writeIndex] = await readBackingIndices(context());
    await createRetention(context()).purgeChecksBefore(day1 + DAY);
    const after = await readBackingIndices(context());
    expect(after.map((i) => i.name)).toEqual([writeIndex!.name]);
    expect(await client.indices.exists({ index: oldIndex!.name })).toBe(false);
    expect(await stored()).toBe(48);
    const listed = await store.listChecks(monitor.owner_id, monitor.id, { limit: 100 });
    expect(listed?.items.map((c) => c.id).sort()).toEqual(rest.map((c) => c.id).sort());
  });

  it('history: p95 over up checks with and without a total (the second, dense query) is the mixture\'s', async () => {
    const hour = Date.UTC(2026, 4, 4, 10);
    const at = (i: number) => hour + i * MINUTE;
    await store.appendChecks([
      // Hour 1: 18 totals of 100 ms and 2 durations of 1 s: the 19th of 20 values is 1 s.
      ...Array.from({ length: 18 }, (_, i) => makeCheck(monitor, at(i), { total_us: 100_000 })),
      ...[18, 19].map((i) => makeCheck(monitor, at(i), { total_us: null, duration_us: 1_000_000 })),
      // Hour 2: 19 totals of 100 ms and 1 duration of 1 s: the 19th of 20 values is 100 ms.
      ...Array.from({ length: 19 }, (_, i) => makeCheck(monitor, at(60 + i), { total_us: 100_000 })),
      makeCheck(monitor, at(79), { total_us: null, duration_us: 1_000_000 }),
    ]);
    await refreshNamespace(client, store.namespace);
    const history = await store.history(monitor.owner_id, monitor.id, { from: hour, to: hour + 120 * MINUTE, bucket: 'hour', tz: 'UTC' });
    const [first, second] = history!.buckets;
    // HDR with 3 significant digits: within 0.1% of the value.
    expect(first!.response_ms).toMatchObject({ avg: 190, max: 1000 });
    expect(first!.response_ms.p95).toBeGreaterThanOrEqual(999);
    expect(first!.response_ms.p95).toBeLessThanOrEqual(1000);
    expect(second!.response_ms.max).toBe(1000);
    expect(second!.response_ms.p95).toBeGreaterThanOrEqual(99.9);
    expect(second!.response_ms.p95).toBeLessThanOrEqual(100.1);
  });

  it('feeds a check stamped behind the read position once its ingest time is settled', async () => {
    let now = Date.now();
    const overlapMs = 1_000;
    const writerOnTime = createCheckWriter(context(() => now));
    const writerBehind = createCheckWriter(context(() => now - 500));
    const feed = createChecksFeed(context(() => now), { overlapMs });
    const read = async (cursor: string | null, limit: number) => {
      const ids: string[] = [];
      for (;;) {
        const page = await feed.readChecksAfter(cursor, limit);
        ids.push(...page.checks.map((c: Check) => c.id));
        cursor = page.cursor;
        if (page.checks.length < limit) return { ids, cursor };
      }
    };

    const first = makeCheck(monitor, now - MINUTE);
    await writerOnTime.appendChecks([first]);
    await refreshNamespace(client, store.namespace);
    const start = await read(null, 10);
    expect(start.ids).toEqual([first.id]);

    // Stamped 500 ms behind `first`, which the forward read has passed already.
    const late = makeCheck(monitor, now - MINUTE);
    await writerBehind.appendChecks([late]);
    await refreshNamespace(client, store.namespace);
    const forward = await read(start.cursor, 10);
    expect(forward.ids).toEqual([]);

    // Once the overlap has passed, the settled stretch is read again (one check per page here).
    now += 2 * overlapMs;
    const settled = await read(forward.cursor, 1);
    const band = await read(settled.cursor, 1);
    expect([...settled.ids, ...band.ids].sort()).toEqual([first.id, late.id].sort());
    // Read twice at most: the band is closed now.
    now += 2 * overlapMs;
    expect((await read(band.cursor, 1)).ids).toEqual([]);
  });
});
