// The fold: checks are appended to `checks` in acceptance order (seq) and nothing else is
// written per batch. Every so often, the checks accepted since the last fold are folded, in one
// write transaction, into
//   - rollup_hour / rollup_day (counts, response statistics), and
//   - check_hours: per monitor and UTC hour, the list of its check seqs and its newest check,
//     which is how one monitor's checks are found (there is no per-monitor index on checks).
// fold_state.folded_seq says how far: a check with seq <= folded_seq is in both, a newer one
// (the "tail") in neither, and every reader adds the tail itself, in the same read transaction.
//
// Why: a per-batch update of a per-monitor structure rewrites one page per monitor in the batch.
// With thousands of monitors each probed every few seconds, that was ~3 KB written per check;
// folding a minute of checks at once rewrites each monitor's current rows once per minute
// (bench/probe-capacity). The tail a reader scans stays under FOLD_ROWS rows.

import { noteFolded } from './closed-rollups.ts';
import { type Db, int, writeTransaction } from './db.ts';
import { HOUR_MS, createRollupBatch } from './rollups.ts';
import { encodeSeqs } from './seq-list.ts';

/**
 * Most rows folded in one transaction: a fold runs inside an append, on the writer's thread, so
 * this bounds the pause (~0.3 s at 50,000 monitors). A larger backlog is folded over the next
 * appends, a chunk each.
 */
export const FOLD_LIMIT = 20_000;
/** A fold is due once this many checks wait, whatever the time since the last one. */
export const FOLD_ROWS = 50_000;
/** ...or once this much time has passed since the last one. */
export const FOLD_EVERY_MS = 60_000;

export function foldedSeq(db: Db): number {
  const row = db.sql('SELECT folded_seq FROM fold_state WHERE id = 1').get();
  if (!row) throw new Error('fold_state is empty: the SQLite file was not migrated');
  return int(row, 'folded_seq');
}

/** Folds up to `limit` tail checks; call inside a write transaction. Returns how many it folded. */
export function foldChecks(db: Db, limit = FOLD_LIMIT): number {
  return allSteps(foldSteps(db, limit));
}

/** Folds every waiting check, a transaction per FOLD_LIMIT: what a writer does when it closes. */
export function foldAll(db: Db): void {
  while (writeTransaction(db, () => foldChecks(db)) > 0);
}

/** Runs a generator of steps (foldSteps, a batch's flush) to its end without stopping. */
export function allSteps<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Rows a fold reads or writes between two of its steps: a few milliseconds' work. */
const ROWS_PER_STEP = 500;

/**
 * foldChecks as a generator that stops every ROWS_PER_STEP rows, so that a thread whose loop
 * others share can let them run in the middle of a fold (checks-write.ts) while its transaction
 * stays open. Nothing else may use the connection until it is done.
 */
export function* foldSteps(db: Db, limit = FOLD_LIMIT): Generator<void, number, void> {
  const from = foldedSeq(db);
  const rollups = createRollupBatch();
  const lists = createHourListBatch();
  let upTo = from;
  let count = 0;
  let oldestTs = Infinity;
  let newestTs = -Infinity;
  const rows = db
    .sql('SELECT seq, mkey, ts, up, maintenance, duration_us, total_us FROM checks WHERE seq > ? ORDER BY seq LIMIT ?')
    .iterate(from, limit);
  for (const row of rows) {
    const seq = int(row, 'seq');
    const mkey = int(row, 'mkey');
    const ts = int(row, 'ts');
    const totalUs = row.total_us;
    rollups.add(mkey, { ts, up: row.up === 1, maintenance: row.maintenance === 1, durationUs: int(row, 'duration_us'), totalUs: typeof totalUs === 'number' ? totalUs : null });
    lists.add(seq, mkey, ts);
    if (ts < oldestTs) oldestTs = ts;
    if (ts > newestTs) newestTs = ts;
    upTo = seq;
    count += 1;
    if (count % ROWS_PER_STEP === 0) yield;
  }
  if (count === 0) return 0;
  yield* rollups.flush(db, ROWS_PER_STEP);
  yield* lists.flush(db, ROWS_PER_STEP);
  noteFolded(db, oldestTs, newestTs);
  db.sql('UPDATE fold_state SET folded_seq = ? WHERE id = 1').run(upTo);
  return count;
}

type HourList = { hour: number; mkey: number; seqs: number[]; lastTs: number; lastSeq: number };

/** Check seqs gathered per monitor and hour, then merged into check_hours. */
export function createHourListBatch() {
  const lists = new Map<string, HourList>();
  return {
    /** Call in ascending seq order. */
    add(seq: number, mkey: number, ts: number): void {
      const hour = Math.floor(ts / HOUR_MS);
      const key = `${hour}:${mkey}`;
      const list = lists.get(key);
      if (!list) {
        lists.set(key, { hour, mkey, seqs: [seq], lastTs: ts, lastSeq: seq });
        return;
      }
      list.seqs.push(seq);
      // seq ascends, so a later row is the newer of two checks with the same timestamp.
      if (ts >= list.lastTs) {
        list.lastTs = ts;
        list.lastSeq = seq;
      }
    },
    /** Writes the lists, stopping every `rowsPerStep` rows (foldSteps). */
    *flush(db: Db, rowsPerStep: number): Generator<void, void, void> {
      const upsert = db.sql(
        `INSERT INTO check_hours (hour, mkey, seqs, last_ts, last_seq) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (hour, mkey) DO UPDATE SET
           seqs = seq_list_merge(seqs, excluded.seqs),
           last_seq = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last_seq ELSE last_seq END,
           last_ts = max(last_ts, excluded.last_ts)`,
      );
      // In key order, so that the B-tree is walked once from left to right.
      const ordered = [...lists.values()].sort((a, b) => a.hour - b.hour || a.mkey - b.mkey);
      let written = 0;
      for (const list of ordered) {
        upsert.run(list.hour, list.mkey, encodeSeqs(list.seqs), list.lastTs, list.lastSeq);
        if (++written % rowsPerStep === 0) yield;
      }
      lists.clear();
    },
  };
}

/** Decides when the writer of this process folds: by rows waiting or by time since the last fold. */
export function createFoldSchedule(everyMs: number = FOLD_EVERY_MS, rows: number = FOLD_ROWS) {
  // The first append folds what an earlier run left; an infinite period folds by rows only.
  let lastAt = Number.isFinite(everyMs) ? -Infinity : performance.now();
  let catchingUp = false;
  return {
    due(waiting: number): boolean {
      return waiting > 0 && (catchingUp || waiting >= rows || performance.now() - lastAt >= everyMs);
    },
    /** After a fold: `more` when it stopped at its limit with checks still waiting. */
    done(more: boolean): void {
      catchingUp = more;
      lastAt = performance.now();
    },
  };
}
