// Batched check writer: checks queue in memory and go to the store in batches (every `batchSize`
// checks or `flushEveryMs`). When the store fails a batch, the batch goes to the durable spool
// (spool.ts) and, until the spool is empty again, so does every later batch: one replay loop
// writes the spooled batches to the store oldest first, retrying with exponential backoff, so
// each monitor's checks reach the store in probe order. Replay is safe because appendChecks is
// idempotent by check id.
//
// Memory stays bounded by `capacity`: while the queue is full the scheduler starts no new probes
// (backpressure through `hasRoom`, given the number of running probes that will still append).
// A failing store does not fill it, since batches move to the spool; a full spool drops the
// batch it cannot take (counted as checks_written{result="dropped"}, logged), and probing goes on.
// stop() spools what the store did not take before its deadline; the next start replays it.
//
// Example:
//   const writer = createBatchWriter({ store, spool, log, metrics });
//   writer.append(check); ...; await writer.stop();

import type { Logger } from 'pino';
import type { CheckWriter } from '../store/contract.ts';
import type { Check } from '../store/types.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import type { Spool, SpooledBatch } from './spool.ts';

export type BatchWriterOptions = {
  store: CheckWriter;
  spool: Spool;
  log: Logger;
  metrics: Pick<Metrics, 'checksWritten' | 'storeDuration' | 'spoolReplayed'>;
  batchSize?: number;
  flushEveryMs?: number;
  capacity?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** A store that has not answered a write in this long is treated as failing: the batch is spooled. */
  writeTimeoutMs?: number;
  /** How long stop() keeps writing to the store before it spools what is left. */
  stopDeadlineMs?: number;
  /** While the spool holds checks, how often a line says how many and how old. */
  spoolReportEveryMs?: number;
  clock?: () => number;
};

export type BatchWriter = {
  append(check: Check): void;
  /** Checks waiting in memory. */
  depth(): number;
  /** False while the queue is full. */
  hasRoom(reserve?: number): boolean;
  /** Resolves when everything appended before the call is stored (or dropped by a full spool). */
  flush(): Promise<void>;
  /** Writes or spools what is queued, then stops; the spool keeps the rest for the next start. */
  stop(): Promise<void>;
};

export function createBatchWriter(opts: BatchWriterOptions): BatchWriter {
  // Large enough that at 1,000 checks/s one transaction per second carries them all: each batch
  // rewrites the store pages it touches, so fewer, larger batches write far fewer bytes per check.
  const batchSize = opts.batchSize ?? 2_000;
  const flushEveryMs = opts.flushEveryMs ?? 1_000;
  const capacity = opts.capacity ?? 50_000;
  const retryInitialMs = opts.retryInitialMs ?? 200;
  const retryMaxMs = opts.retryMaxMs ?? 5_000;
  // A write normally takes well under a second; a store that stops answering (a network cut
  // without a reset: the Elasticsearch client would wait 30 s per try, five tries) must not hold
  // the queue until it fills and probing waits. The late write may still land: harmless.
  const writeTimeoutMs = opts.writeTimeoutMs ?? 30_000;
  const clock = opts.clock ?? Date.now;
  const { spool, log, metrics } = opts;
  const queue: Check[] = [];
  /** Checks appended, and of those the ones settled (stored, or dropped), in append order. */
  let appended = 0;
  let settled = 0;
  /** Batches that left the queue, in order, until settled; and those of them in the spool. */
  const ledger: Array<{ checks: number; done: boolean }> = [];
  const spooledEntries: Array<{ checks: number; done: boolean }> = [];
  let intake: Promise<void> | null = null;
  let replaying: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopping = false;
  /** Set at stop's deadline: from then on only stop() touches the queue, and replay ends. */
  let closed = false;
  let wakeReplay: (() => void) | null = null;
  const waiters: Array<{ upTo: number; resolve: () => void }> = [];
  /** Start of the current outage (first batch spooled since the spool was last empty). */
  let spoolingSince: number | null = null;
  let droppedSinceReport = 0;

  function leave(checks: number): { checks: number; done: boolean } {
    const entry = { checks, done: false };
    ledger.push(entry);
    return entry;
  }

  /** Marks a batch settled; flush() waiters see a prefix of the appends settled. */
  function settle(entry: { done: boolean }): void {
    entry.done = true;
    while (ledger[0]?.done) settled += ledger.shift()!.checks;
    while (waiters.length > 0 && waiters[0]!.upTo <= settled) waiters.shift()!.resolve();
  }

  /** `quiet()`: the failure is already told (a replay, or a write that timed out). */
  async function writeOnce(batch: Check[], quiet: () => boolean): Promise<boolean> {
    const started = performance.now();
    try {
      await opts.store.appendChecks(batch);
      metrics.checksWritten.add(batch.length, { result: 'ok' });
      return true;
    } catch (error) {
      metrics.checksWritten.add(batch.length, { result: 'error' });
      if (quiet()) log.debug({ err: error, batch: batch.length }, 'writing checks failed (already told); will retry from the spool');
      else log.warn({ err: error, batch: batch.length, spool: spool.dir }, 'store unavailable: checks go to the spool until it answers again');
      return false;
    } finally {
      metrics.storeDuration.record((performance.now() - started) / 1000, { operation: 'appendChecks' });
    }
  }

  /** writeOnce, counted as a failure when the store has not answered within writeTimeoutMs. */
  async function writeWithin(batch: Check[]): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        log.warn({ batch: batch.length, timeout_ms: writeTimeoutMs, spool: spool.dir }, 'store not answering: checks go to the spool until it answers again');
        resolve(false);
      }, writeTimeoutMs);
    });
    try {
      return await Promise.race([writeOnce(batch, () => timedOut), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes a batch to the spool, or drops it when the spool cannot take it. */
  async function toSpool(batch: Check[]): Promise<void> {
    const entry = leave(batch.length);
    let outcome: 'spooled' | 'full' | Error;
    try {
      outcome = await spool.append(batch);
    } catch (error) {
      outcome = error instanceof Error ? error : new Error(String(error));
    }
    if (outcome === 'spooled') {
      metrics.checksWritten.add(batch.length, { result: 'spooled' });
      spooledEntries.push(entry);
      spoolingSince ??= clock();
      startReplay();
      return;
    }
    metrics.checksWritten.add(batch.length, { result: 'dropped' });
    droppedSinceReport += batch.length;
    const { bytes } = spool.stats();
    if (outcome === 'full') log.error({ dropped: batch.length, spool_bytes: bytes, spool: spool.dir }, 'spool full (SPOOL_MAX_BYTES): checks dropped; probing goes on');
    else log.error({ dropped: batch.length, err: outcome, spool: spool.dir }, 'spool write failed: checks dropped; probing goes on');
    settle(entry);
  }

  /** Moves queued checks to the store, or behind the spool while it holds anything. */
  async function drain(force: boolean): Promise<void> {
    while (!closed && queue.length > 0 && (force || stopping || queue.length >= batchSize || waiters.length > 0)) {
      const batch = queue.slice(0, batchSize);
      if (spool.isEmpty()) {
        const ok = await writeWithin(batch);
        if (closed) return; // stop() took the queue over, this batch with it
        if (ok) {
          queue.splice(0, batch.length);
          settle(leave(batch.length));
          continue;
        }
      }
      queue.splice(0, batch.length);
      await toSpool(batch);
    }
  }

  function kick(force: boolean): Promise<void> {
    if (intake === null) {
      intake = drain(force).finally(() => {
        intake = null;
        if (!closed && queue.length > 0 && (queue.length >= batchSize || waiters.length > 0)) void kick(false);
      });
    }
    return intake;
  }

  function arm(): void {
    if (timer !== null || stopping) return;
    timer = setTimeout(() => {
      timer = null;
      void kick(true).finally(() => {
        if (queue.length > 0) arm();
      });
    }, flushEveryMs);
    timer.unref();
  }

  function sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wakeReplay = () => {
        clearTimeout(t);
        resolve();
      };
    }).finally(() => {
      wakeReplay = null;
    });
  }

  /** Writes spooled batches to the store, oldest first, until the spool is empty. */
  async function replay(): Promise<void> {
    let backoffMs = 0;
    let replayed = 0;
    for (;;) {
      if (closed) return;
      const batch: SpooledBatch | null = await spool.oldest();
      if (batch === null) break;
      if (await writeOnce(batch.checks, () => true)) {
        await spool.ack(batch);
        metrics.spoolReplayed.add(batch.checks.length);
        replayed += batch.checks.length;
        if (batch.thisRun) settle(spooledEntries.shift() ?? { done: true });
        backoffMs = 0;
        continue;
      }
      backoffMs = Math.min(retryMaxMs, backoffMs === 0 ? retryInitialMs : backoffMs * 2);
      await sleep(backoffMs);
    }
    if (replayed > 0) {
      const outage = spoolingSince === null ? {} : { spooling_s: Math.round((clock() - spoolingSince) / 1000) };
      log.info({ replayed, ...outage }, 'spool replayed: the store took every spooled check');
    }
    spoolingSince = null;
  }

  function startReplay(): void {
    if (replaying !== null || closed) return;
    let failed = false;
    replaying = replay()
      .catch((error: unknown) => {
        failed = true;
        log.error({ err: error, spool: spool.dir }, 'spool replay failed (reading the spool); retrying');
      })
      .finally(() => {
        replaying = null;
        // A batch spooled after the last oldest() came back empty, or a failure above.
        if (!spool.isEmpty() && !closed) setTimeout(startReplay, failed ? retryMaxMs : retryInitialMs).unref();
      });
  }

  // While the spool holds checks: how many, how old, and what was dropped; and adoption of the
  // spools of collectors that are gone.
  const report = setInterval(() => {
    try {
      const adopted = spool.adoptAbandoned();
      if (adopted > 0) log.warn({ spool: spool.dir, spool_checks: adopted }, 'spool: adopted the spool of a collector that is gone; replaying it');
    } catch (error) {
      log.error({ err: error, spool: spool.dir }, 'spool: looking for the spools of collectors that are gone failed; trying again in a minute');
    }
    if (spool.isEmpty() && droppedSinceReport === 0) return;
    const { bytes, checks, oldestAt } = spool.stats();
    log.warn(
      { spool_checks: checks, spool_bytes: bytes, oldest_age_s: oldestAt === null ? 0 : Math.round((clock() - oldestAt) / 1000), dropped: droppedSinceReport },
      'spool holds checks the store has not taken yet (store unavailable, or catching up)',
    );
    droppedSinceReport = 0;
    startReplay();
  }, opts.spoolReportEveryMs ?? 60_000);
  report.unref();

  if (!spool.isEmpty()) {
    const { bytes, checks, oldestAt } = spool.stats();
    log.warn({ spool_checks: checks, spool_bytes: bytes, oldest: oldestAt === null ? null : new Date(oldestAt).toISOString(), spool: spool.dir }, 'spool left by an earlier run: replaying it before new checks');
    spoolingSince = clock();
    startReplay();
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
      if (appended === settled) return Promise.resolve();
      const done = new Promise<void>((resolve) => waiters.push({ upTo: appended, resolve }));
      void kick(true);
      return done;
    },
    async stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      clearInterval(report);
      stopping = true;
      wakeReplay?.(); // no point waiting out a long backoff now
      // Until the deadline, the store may take what is queued and what is spooled.
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, opts.stopDeadlineMs ?? 10_000).unref());
      const written = (async () => {
        while (queue.length > 0 && !closed) await kick(true);
        while (!spool.isEmpty() && !closed) {
          startReplay();
          await (replaying ?? new Promise((r) => setTimeout(r, retryInitialMs)));
        }
      })();
      await Promise.race([written, deadline]);
      closed = true;
      wakeReplay?.();
      // Still queued (a write in flight included): spooled, behind what a write in flight spools.
      // (A write in flight that spools its batch called spool.append already: spool order holds.)
      const rest = queue.splice(0);
      for (let i = 0; i < rest.length; i += batchSize) await toSpool(rest.slice(i, i + batchSize));
      if (rest.length > 0) log.warn({ spooled: rest.length, spool: spool.dir }, 'stopping: checks the store did not take in time are spooled for the next start');
      const left = spool.stats();
      await spool.close();
      if (left.checks > 0) log.warn({ spool_checks: left.checks, spool_bytes: left.bytes, spool: spool.dir }, 'stopped with checks in the spool: the next start replays them');
      for (const waiter of waiters.splice(0)) waiter.resolve();
    },
  };
}
