// The fleet feed against a real SQLite store: each lane receives only what changed in its share.

import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFleetFeed, type FleetFeed } from './fleet-feed.ts';
import type { FleetChange } from './scheduler.ts';
import { inShard, laneShard } from './shard.ts';
import { eventually, monitorInput, openTestStore, type TestStore } from './testing/store.ts';

let t: TestStore;
let feed: FleetFeed | null = null;
const shard = { index: 0, count: 1 };

beforeEach(async () => {
  t = await openTestStore();
});
afterEach(async () => {
  feed?.stop();
  feed = null;
  await t.dispose();
});

function start(lanes: number) {
  const received: Array<{ lane: number; change: FleetChange }> = [];
  feed = createFleetFeed({ store: t.store, shard, lanes, reloadEveryMs: 50, log: pino({ level: 'silent' }), onChange: (lane, change) => received.push({ lane, change }) });
  return { received, started: feed.start() };
}

const ids = (change: FleetChange) => ({ upsert: change.upsert.map((m) => m.id).sort(), remove: [...change.remove].sort() });

describe('fleet feed', () => {
  it('sends each lane its share at first, then only the monitors created, changed, paused or deleted', async () => {
    const monitors = [];
    for (let i = 0; i < 20; i++) monitors.push(await t.store.createMonitor(t.ownerId, monitorInput({ url: `http://127.0.0.1:9/m${i}` })));
    const { received, started } = start(2);
    await started;
    expect(received.map((r) => r.lane).sort()).toEqual([0, 1]);
    for (const { lane, change } of received) {
      expect(change.remove).toEqual([]);
      expect(change.upsert.length).toBeGreaterThan(0);
      for (const m of change.upsert) expect(inShard(m.id, laneShard(shard, 2, lane))).toBe(true);
    }
    expect(received.flatMap((r) => r.change.upsert.map((m) => m.id)).sort()).toEqual(monitors.map((m) => m.id).sort());

    received.length = 0;
    const [changed, paused, deleted] = monitors;
    await t.store.updateMonitor(t.ownerId, changed!.id, { url: 'http://127.0.0.1:9/moved' });
    await t.store.updateMonitor(t.ownerId, paused!.id, { paused: true });
    await t.store.deleteMonitor(t.ownerId, deleted!.id);
    const created = await t.store.createMonitor(t.ownerId, monitorInput({ url: 'http://127.0.0.1:9/new' }));
    expect(await eventually(() => received.length > 0, 10_000)).toBe(true);
    // One poll saw all four writes (they were made between two polls) or a few did: add them up.
    await new Promise((r) => setTimeout(r, 300));
    const upserted = received.flatMap((r) => r.change.upsert);
    expect(upserted.map((m) => m.id).sort()).toEqual([changed!.id, created.id].sort());
    expect(upserted.find((m) => m.id === changed!.id)?.url).toBe('http://127.0.0.1:9/moved');
    expect(received.flatMap((r) => r.change.remove).sort()).toEqual([paused!.id, deleted!.id].sort());
    for (const { lane, change } of received) {
      for (const id of [...ids(change).upsert, ...ids(change).remove]) expect(inShard(id, laneShard(shard, 2, lane))).toBe(true);
    }

    // A write that changes nothing but updated_at moves the token and sends nothing.
    received.length = 0;
    await t.store.updateMonitor(t.ownerId, changed!.id, { url: 'http://127.0.0.1:9/moved' });
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toEqual([]);
  });

  it('sends only what probes read, and nothing for a change to what only alerting or the API read', async () => {
    const [quiet, moved] = [
      await t.store.createMonitor(t.ownerId, monitorInput({ url: 'http://127.0.0.1:9/quiet' })),
      await t.store.createMonitor(t.ownerId, monitorInput({ url: 'http://127.0.0.1:9/moved' })),
    ];
    const { received, started } = start(1);
    await started;
    const first = received.flatMap((r) => r.change.upsert);
    expect(first.map((m) => m.id).sort()).toEqual([quiet!.id, moved!.id].sort());
    for (const m of first) {
      expect(Object.keys(m).sort()).toEqual(
        ['body', 'dns', 'expect_status', 'headers', 'id', 'interval_seconds', 'json_assertions', 'keyword', 'keyword_absent', 'max_response_ms', 'method', 'name', 'owner_id', 'timeout_ms', 'type', 'url'].sort(),
      );
    }

    received.length = 0;
    // Written before the second change, so the poll that sees that one has seen this one too.
    await t.store.updateMonitor(t.ownerId, quiet!.id, { tags: ['db'], confirm_failures: 3, remind_every_minutes: 60, public: true });
    await t.store.updateMonitor(t.ownerId, moved!.id, { url: 'http://127.0.0.1:9/moved-again' });
    expect(await eventually(() => received.length > 0, 10_000)).toBe(true);
    expect(received.flatMap((r) => r.change.upsert.map((m) => [m.id, m.url]))).toEqual([[moved!.id, 'http://127.0.0.1:9/moved-again']]);
  });

  it('sends a restarted lane its whole share again, and the other lanes nothing', async () => {
    for (let i = 0; i < 20; i++) await t.store.createMonitor(t.ownerId, monitorInput({ url: `http://127.0.0.1:9/m${i}` }));
    const { received, started } = start(2);
    await started;
    const share = received.find((r) => r.lane === 1)!.change.upsert.map((m) => m.id).sort();
    received.length = 0;
    feed!.resend(1);
    expect(await eventually(() => received.length > 0, 10_000)).toBe(true);
    expect(received.map((r) => r.lane)).toEqual([1]);
    expect(ids(received[0]!.change)).toEqual({ upsert: share, remove: [] });
  });
});
