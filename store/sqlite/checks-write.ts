// Appending checks. One batch is one write transaction: each check is inserted with
// ON CONFLICT (id) DO NOTHING, so a replayed batch (or a check repeated inside one) is stored
// once. When a fold is due (fold.ts), it runs in the same transaction, after the inserts: rollups
// and per-monitor lists are written for a minute of checks at once, not per batch.
//
// A check row is compact: the monitor's integer key, ms timestamps, µs timings, small integers,
// the key of its repeated context (check-contexts.ts); id, owner, name, url and method are
// rebuilt on read. A check whose monitor this store has never had is skipped: nobody could
// ever see it, and failing the batch would make the collector replay it forever.
//
// On a thread whose loop probes share (`sliceMs`: a probe thread hosts the writer, thread-host.ts),
// the writer never blocks the loop for long: it waits for another connection's write lock with
// the loop free, and a due fold runs after the batch's commit, in a transaction of its own, in
// slices of `sliceMs` with a turn of the loop between (a fold of 20,000 checks is ~0.3 s). A fold
// that fails fails the batch, as inline, though its checks are stored: the collector's replay
// of the batch stores none of them twice.

import type { CheckWriter } from '../contract.ts';
import { checkIdToBytes } from '../ids.ts';
import type { Check } from '../types.ts';
import { createContextKeys } from './check-contexts.ts';
import { timeSlices } from '../time-slices.ts';
import { type Db, int, writeTransaction, writeTransactionYielding } from './db.ts';
import { FOLD_EVERY_MS, createFoldSchedule, foldAll, foldChecks, foldSteps, foldedSeq } from './fold.ts';

export type SqliteCheckWriter = CheckWriter & {
  /** Folds every waiting check if this writer appended any: the store's close calls it. */
  close(): Promise<void>;
};

export type SqliteCheckWriterOptions = {
  foldEveryMs?: number;
  /** The thread's loop is shared: wait for locks with it free and fold in slices of this many ms. */
  sliceMs?: number;
};

export function createCheckWriter(db: Db, { foldEveryMs = FOLD_EVERY_MS, sliceMs }: SqliteCheckWriterOptions = {}): SqliteCheckWriter {
  const contexts = createContextKeys(db);
  const schedule = createFoldSchedule(foldEveryMs);
  let appended = false;
  // Monitor id → key. Keys are never reused (AUTOINCREMENT), so a cached key stays right.
  const monitorKeys = new Map<string, number>();
  const keyOf = (monitorId: string): number | null => {
    const cached = monitorKeys.get(monitorId);
    if (cached !== undefined) return cached;
    const row = db.sql('SELECT mkey FROM monitors WHERE id = ?').get(monitorId);
    if (!row) return null;
    if (monitorKeys.size > 100_000) monitorKeys.clear();
    monitorKeys.set(monitorId, int(row, 'mkey'));
    return int(row, 'mkey');
  };

  /** Inserts a batch inside the caller's transaction; returns how many checks wait for a fold. */
  function insert(checks: Check[]): number {
    const statement = db.sql(
      `INSERT INTO checks (id, mkey, ts, next_in_ms, up, ctx, duration_us, status_code, body_bytes, dns_us,
         connect_us, tls_us, first_byte_us, total_us, error_type, error_message, maintenance)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    for (const check of checks) {
      const mkey = keyOf(check.monitor_id);
      if (mkey === null) continue;
      statement.run(
        checkIdToBytes(check.id) ?? check.id,
        mkey,
        check.timestamp,
        check.next_at - check.timestamp,
        check.status === 'up' ? 1 : 0,
        contexts.keyFor(check),
        Math.round(check.duration_us),
        check.status_code,
        check.body_bytes,
        roundOrNull(check.dns_us),
        roundOrNull(check.connect_us),
        roundOrNull(check.tls_us),
        roundOrNull(check.first_byte_us),
        roundOrNull(check.total_us),
        check.error_type,
        check.error_message,
        check.maintenance ? 1 : null,
      );
    }
    const newest = db.sql('SELECT max(seq) AS seq FROM checks').get();
    return (typeof newest?.seq === 'number' ? newest.seq : 0) - foldedSeq(db);
  }

  /** A fold in a transaction of its own, giving the loop a turn every `sliceMs`. */
  function foldInSlices(sliceMs: number): Promise<number> {
    const slice = timeSlices(sliceMs);
    return writeTransactionYielding(db, async () => {
      const steps = foldSteps(db);
      for (let step = steps.next(); ; step = steps.next()) {
        if (step.done) return step.value;
        await slice();
      }
    });
  }

  return {
    async appendChecks(checks) {
      if (checks.length === 0) return;
      checks.forEach(assertWritable);
      let waiting = 0;
      let fold = null as { count: number; waiting: number } | null;
      const write = () => {
        waiting = insert(checks);
        // Inline, a due fold shares the batch's transaction: one commit.
        if (sliceMs === undefined && schedule.due(waiting)) fold = { count: foldChecks(db), waiting };
      };
      try {
        if (sliceMs === undefined) writeTransaction(db, write);
        else await writeTransactionYielding(db, write);
      } catch (error) {
        contexts.discard();
        throw error;
      }
      contexts.commit();
      appended = true;
      if (sliceMs !== undefined && schedule.due(waiting)) fold = { count: await foldInSlices(sliceMs), waiting };
      if (fold) schedule.done(fold.count < fold.waiting);
    },

    async close() {
      if (appended) foldAll(db);
    },
  };
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}

/** Rejects the whole batch, before writing anything, when a check could not be stored faithfully. */
function assertWritable(check: Check, index: number): void {
  const problems: string[] = [];
  if (typeof check.id !== 'string' || check.id.length === 0) problems.push('id must be a non-empty string');
  if (!Number.isSafeInteger(check.timestamp)) problems.push('timestamp must be whole epoch milliseconds');
  if (!Number.isSafeInteger(check.next_at)) problems.push('next_at must be whole epoch milliseconds');
  if (check.status !== 'up' && check.status !== 'down') problems.push('status must be up or down');
  if (!Number.isFinite(check.duration_us)) problems.push('duration_us must be a number');
  if (problems.length > 0) throw new TypeError(`check ${index} (${String(check.id)}): ${problems.join('; ')}`);
}
