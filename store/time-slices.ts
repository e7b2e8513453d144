// Long synchronous work on a loop that others share, cut into slices. Store calls on SQLite
// resolve without waiting for I/O, so an evaluator pass that awaits them all still runs as one
// task of the event loop: at 50,000 monitors a pass folding 20,000 checks held the loop for up to
// 800 ms, and every API request that arrived meanwhile waited for it; the SQLite writer's fold,
// on the thread whose probes it shares (store/thread-host.ts), is the same. The work asks
// `slice()` between units; once the slice has run for `sliceMs`, it gives the loop a turn
// (setImmediate: after pending I/O, so requests and probe results go first).

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

export function timeSlices(sliceMs: number, now: () => number = performance.now.bind(performance)): () => Promise<void> {
  let started = now();
  return async () => {
    if (now() - started < sliceMs) return;
    await yieldToEventLoop();
    started = now();
  };
}
