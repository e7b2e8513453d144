// Batched check writer: checks queue in memory and go to the store in batches (every `batchSize`
// checks or `flushEveryMs`). A failed batch stays at the head of the queue and is retried with
// exponential backoff; replay is safe because appendChecks is idempotent by check id. Nothing is
// dropped: the queue is bounded by `capacity`, and while it is full the scheduler starts no new
// probes (backpressure through `hasRoom`, given the number of running probes that will still
// append).
//
// Example:
//   const writer = createBatchWriter({ store, log, metrics });
//   writer.append(check); ...; await writer.stop();

import type { Logger } from 'pino';
import type { CheckWriter } from '../store/contract.ts';
import type { Check } from '../store/types.ts';
import type { Metrics } from '../telemetry/metrics.ts';

export type BatchWriterOptions = {
  store: CheckWriter;
  log: Logger;
  metrics: Pick<Metrics, 'checksWritten' | 'storeDuration'>;
  batchSize?: number;
  flushEveryMs?: number;
  capacity?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** How long stop() keeps retrying a failing store before giving up on what is left. */
  stopDeadlineMs?: number;
};

export type BatchWriter = {
  append(check: Check): void;
  /** Checks waiting to be written. */
  depth(): number;
  /** False while the queue is full. */
  hasRoom(reserve?: number): boolean;
  /** Resolves when everything appended before the call is written (retrying as needed). */
  flush(): Promise<void>;
  /** Flushes and stops; a store still failing after stopDeadlineMs leaves checks unwritten (logged). */
  stop(): Promise<void>;
};

export function createBatchWriter(opts: BatchWriterOptions): BatchWriter {
  // Large enough that at 1,000 checks/s one transaction per second carries them all: each batch
  // rewrites the store pages it touches (SQLite: one rollup row per monitor), so fewer, larger
  // batches write far fewer bytes per check.
  const batchSize = opts.batchSize ?? 2_000;
  const flushEveryMs = opts.flushEveryMs ?? 1_000;
  const capacity = opts.capacity ?? 50_000;
  const retryInitialMs = opts.retryInitialMs ?? 200;
  const retryMaxMs = opts.retryMaxMs ?? 30_000;
  const queue: Check[] = [];
  let written = 0;
  let appended = 0;
  let draining: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let backoffMs = 0;
  let giveUpAt = Infinity;
  let wakeRetry: (() => void) | null = null;
  const waiters: Array<{ upTo: number; resolve: () => void }> = [];

  async function writeOnce(batch: Check[]): Promise<boolean> {
    const started = performance.now();
    try {
      await opts.store.appendChecks(batch);
      opts.metrics.checksWritten.add(batch.length, { result: 'ok' });
      return true;
    } catch (error) {
      opts.metrics.checksWritten.add(batch.length, { result: 'error' });
      opts.log.warn({ err: error, batch: batch.length, queued: queue.length }, 'writing checks failed; will retry');
      return false;
    } finally {
      opts.metrics.storeDuration.record((performance.now() - started) / 1000, { operation: 'appendChecks' });
    }
  }

  async function drain(force: boolean): Promise<void> {
    while (queue.length > 0 && (force || queue.length >= batchSize || waiters.length > 0)) {
      const batch = queue.slice(0, batchSize);
      if (await writeOnce(batch)) {
        queue.splice(0, batch.length);
        written += batch.length;
        backoffMs = 0;
        while (waiters.length > 0 && waiters[0]!.upTo <= written) waiters.shift()!.resolve();
        continue;
      }
      if (Date.now() >= giveUpAt) return;
      backoffMs = Math.min(retryMaxMs, backoffMs === 0 ? retryInitialMs : backoffMs * 2);
      const sleep = Math.min(backoffMs, Math.max(0, giveUpAt - Date.now()));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, sleep);
        wakeRetry = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wakeRetry = null;
    }
  }

  function kick(force: boolean): Promise<void> {
    if (draining === null) {
      draining = drain(force).finally(() => {
        draining = null;
        if (queue.length >= batchSize || waiters.length > 0) void kick(false);
      });
    }
    return draining;
  }

  function arm(): void {
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      void kick(true).finally(() => {
        if (queue.length > 0) arm();
      });
    }, flushEveryMs);
    timer.unref();
  }

  return {
    append(check) {
      queue.push(check);
      appended++;
      if (queue.length >= batchSize) void kick(false);
      else arm();
    },
    depth: () => queue.length,
    hasRoom: (reserve = 0) => queue.length + reserve < capacity,
    flush() {
      if (appended === written) return Promise.resolve();
      const done = new Promise<void>((resolve) => waiters.push({ upTo: appended, resolve }));
      void kick(true);
      return done;
    },
    async stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      giveUpAt = Date.now() + (opts.stopDeadlineMs ?? 10_000);
      // Waiting out a long backoff would only delay the final attempts.
      wakeRetry?.();
      while (queue.length > 0 && Date.now() < giveUpAt) {
        await kick(true);
        if (draining !== null) await draining;
      }
      if (queue.length > 0) {
        opts.log.error({ unwritten: queue.length }, 'stopping with checks the store did not accept; they are lost');
      }
      for (const waiter of waiters.splice(0)) waiter.resolve();
    },
  };
}
