// The scheduler's arithmetic: even spread of offsets, exact shard partition, heap order.

import { describe, expect, it } from 'vitest';
import { newId } from '../store/ids.ts';
import { DueQueue } from './due-queue.ts';
import { inShard, laneOf, laneShard, offsetMs, slotAtOrAfter } from './shard.ts';

const ids = Array.from({ length: 20_000 }, () => newId());

describe('scheduling arithmetic', () => {
  it('spreads 20,000 monitors evenly over a 20 s interval', () => {
    const perSecond = new Array<number>(20).fill(0);
    for (const id of ids) perSecond[Math.floor(offsetMs(id, 20_000) / 1000)]!++;
    // 1,000 expected per second; a flat schedule stays within a few percent.
    expect(Math.min(...perSecond)).toBeGreaterThan(880);
    expect(Math.max(...perSecond)).toBeLessThan(1120);
  });

  it('keeps a monitor on the same beat (offset stable, slots one interval apart)', () => {
    const offset = offsetMs('mon-42', 60_000);
    expect(offsetMs('mon-42', 60_000)).toBe(offset);
    const first = slotAtOrAfter(1_700_000_000_123, 60_000, offset);
    expect(first).toBeGreaterThanOrEqual(1_700_000_000_123);
    expect(first - 1_700_000_000_123).toBeLessThan(60_000);
    expect((first - offset) % 60_000).toBe(0);
    expect(slotAtOrAfter(first, 60_000, offset)).toBe(first);
  });

  it('puts every monitor in exactly one of n shards, in roughly equal parts', () => {
    const counts = [0, 0, 0];
    let notExactlyOne = 0;
    for (const id of ids) {
      const owners = [0, 1, 2].filter((index) => inShard(id, { index, count: 3 }));
      if (owners.length !== 1) notExactlyOne++;
      for (const o of owners) counts[o]!++;
    }
    expect(notExactlyOne).toBe(0);
    for (const c of counts) expect(c).toBeGreaterThan(6_300);
  });

  it('splits a shard between probe threads so that each of its monitors has exactly one thread', () => {
    const shard = { index: 1, count: 3 };
    const perLane = [0, 0];
    for (const id of ids) {
      const owners = [0, 1].filter((lane) => inShard(id, laneShard(shard, 2, lane)));
      if (!inShard(id, shard)) {
        expect(owners).toEqual([]);
        continue;
      }
      expect(owners).toEqual([laneOf(id, shard, 2)]);
      perLane[owners[0]!]!++;
    }
    for (const n of perLane) expect(n).toBeGreaterThan(3_000);
  });

  it('pops due items in time order', () => {
    const q = new DueQueue();
    const times = Array.from({ length: 1000 }, () => Math.floor(Math.random() * 1e6));
    times.forEach((due, i) => q.push({ due, id: String(i), generation: 0 }));
    const out: number[] = [];
    for (let item = q.pop(); item; item = q.pop()) out.push(item.due);
    expect(out).toEqual([...times].sort((a, b) => a - b));
  });
});
