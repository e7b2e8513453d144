// The heap release's policy: one collection after a large change, once the fleet is quiet; none
// for small changes or without --expose-gc. The collection itself is V8's (`gc`, recorded here).

import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createHeapRelease, type GcFunction } from './heap-release.ts';
import { eventually } from './testing/store.ts';

function recorder() {
  const calls: Parameters<GcFunction>[0][] = [];
  return { calls, gc: ((options) => calls.push(options)) as GcFunction };
}
const log = pino({ level: 'silent' });

describe('heap release', () => {
  it('collects once, with the last-resort flavour, when a large change has been followed by quiet', async () => {
    const { calls, gc } = recorder();
    const release = createHeapRelease({ log, gc, minChanged: 100, quietMs: 200 });
    for (let i = 0; i < 10; i++) release.noteChanged(20); // an import in pieces
    expect(await eventually(() => calls.length > 0, 10_000)).toBe(true);
    expect(calls).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
    // Nothing more without a new large change: the count started over.
    release.noteChanged(99);
    await new Promise((r) => setTimeout(r, 600));
    expect(calls).toHaveLength(1);
    release.noteChanged(1);
    expect(await eventually(() => calls.length === 2, 10_000)).toBe(true);
    release.stop();
  });

  it('waits while changes keep coming', async () => {
    const { calls, gc } = recorder();
    // Quiet far longer than a step, so that a slow step on a busy machine is no quiet period.
    const release = createHeapRelease({ log, gc, minChanged: 10, quietMs: 3_000 });
    const until = performance.now() + 1_000;
    while (performance.now() < until) {
      release.noteChanged(10);
      await new Promise((r) => setTimeout(r, 50));
      expect(calls).toEqual([]);
    }
    expect(await eventually(() => calls.length === 1, 10_000)).toBe(true);
    release.stop();
  });

  it('does nothing without gc, and stop cancels a pending collection', async () => {
    expect(() => createHeapRelease({ log, gc: null, minChanged: 1, quietMs: 10 }).noteChanged(5)).not.toThrow();
    const { calls, gc } = recorder();
    const release = createHeapRelease({ log, gc, minChanged: 1, quietMs: 100 });
    release.noteChanged(5);
    release.stop();
    await new Promise((r) => setTimeout(r, 400));
    expect(calls).toEqual([]);
  });
});
