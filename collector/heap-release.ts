// One memory-reducing collection of this thread's heap after a large change of the fleet (a bulk
// import, the first load of a large fleet at start), once the fleet has been quiet for a while.
//
// Why: reading and scheduling 50,000 new monitors grows the main thread's heap to several hundred
// MB for a few seconds. V8 then keeps the pages it freed in a pool for reuse, and gives them back
// to the system only in a memory-reducing collection, which it runs when the thread is idle: a
// thread that serves the API and writes 2,500 checks a second never is. Measured at 50,000
// monitors: ~180 MB pooled for good, RSS 650-690 MB; after one such collection (~0.8 s, on this
// thread only: probes run in their own threads) 500 MB.
//
// Needs node --expose-gc (npm start and the image pass it); without it, this does nothing.
// One per process: main.ts gives the same one to the collector and to alerting, whose evaluator
// also reads the whole fleet at each change (a process with alerting and no collector kept an
// import's ~450 MB until then); startCollector makes its own when given none.
//
// Example:
//   const release = createHeapRelease({ log });
//   feed.onChange = (lane, change) => release.noteChanged(change.upsert.length + change.remove.length);

import type { Logger } from 'pino';

/** V8's gc extension (node --expose-gc): 'last-resort' also returns pooled pages. */
export type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/** Monitors created, changed or removed since the last release that make a change large. */
const MIN_CHANGED = 1_000;
/** The fleet has been quiet this long: the import is over, and its garbage is. */
const QUIET_MS = 15_000;

export type HeapRelease = {
  /** Monitors created, changed or removed by one fleet change. */
  noteChanged(count: number): void;
  stop(): void;
};

export function createHeapRelease(opts: { log: Logger; gc?: GcFunction | null; minChanged?: number; quietMs?: number }): HeapRelease {
  const gc = opts.gc === undefined ? ((globalThis as { gc?: GcFunction }).gc ?? null) : opts.gc;
  const minChanged = opts.minChanged ?? MIN_CHANGED;
  const quietMs = opts.quietMs ?? QUIET_MS;
  let changed = 0;
  let timer: NodeJS.Timeout | null = null;

  function release(): void {
    timer = null;
    changed = 0;
    const rssBefore = process.memoryUsage.rss();
    const started = performance.now();
    gc!({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    opts.log.info(
      { pause_ms: Math.round(performance.now() - started), rss_mb_before: mb(rssBefore), rss_mb_after: mb(process.memoryUsage.rss()) },
      'heap released after a large fleet change',
    );
  }

  return {
    noteChanged(count) {
      if (gc === null || count <= 0) return;
      changed += count;
      if (changed < minChanged) return;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(release, quietMs);
      timer.unref();
    },
    stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
