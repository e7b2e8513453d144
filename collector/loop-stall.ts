// How long this process's event loop was blocked (synchronous SQLite waiting on another process's
// write lock, a long GC pause, a burst of CPU work) while something was in flight. A probe's
// deadline is a timer: when the loop is blocked past it, the timer fires late, before the
// response that arrived meanwhile is even read, and the target would be blamed for our stall.
//
// One shared sampler timer runs while at least one watch is open: each tick notes how much later
// than planned it ran; lags above a jitter allowance add up as stalled time. A watch reports the
// stalled time since it was opened, sampling once more on the spot (the stall may still be
// unaccounted when the caller's own timer runs first).
//
// Example:
//   const watch = watchLoopStalls();
//   …; if (watch.stalledMs() > 100) …; watch.close();

/** The sampler's period. */
const SAMPLE_EVERY_MS = 25;
/** Lateness below this is ordinary scheduling jitter on a busy machine, not a stall. */
const JITTER_MS = 40;

let watchers = 0;
let sampler: NodeJS.Timeout | null = null;
let lastSample = 0;
let stalledTotal = 0;

function sample(): void {
  const now = performance.now();
  const lag = now - lastSample - SAMPLE_EVERY_MS;
  if (lag > JITTER_MS) stalledTotal += lag;
  lastSample = now;
}

export type LoopStallWatch = {
  /** Milliseconds the event loop was blocked since the watch opened. */
  stalledMs(): number;
  close(): void;
};

export function watchLoopStalls(): LoopStallWatch {
  if (watchers++ === 0) {
    lastSample = performance.now();
    sampler = setInterval(sample, SAMPLE_EVERY_MS);
    sampler.unref();
  } else {
    sample();
  }
  const from = stalledTotal;
  let open = true;
  return {
    stalledMs() {
      sample();
      return stalledTotal - from;
    },
    close() {
      if (!open) return;
      open = false;
      if (--watchers === 0 && sampler !== null) {
        clearInterval(sampler);
        sampler = null;
      }
    },
  };
}
