// Retention: deletes raw checks older than a cutoff in small chunks, one short write
// transaction each, yielding to the event loop in between, so that the collector and other
// processes are never kept waiting behind one long delete. Folded checks are found through
// check_hours, oldest hours first; checks not yet folded by scanning the tail. Rollup hours and
// days that end at or before the cutoff go too, and deleted monitors whose checks are all gone
// lose their row. Incidents resolved before the cutoff and finished deliveries (sent, dead,
// cancelled) created before it go the same way; open incidents and pending deliveries stay.
// API keys that expired before the cutoff go too.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { purgeExpiredApiKeys } from './api-keys.ts';
import { noteClosedChanged } from './closed-rollups.ts';
import { type Db, bytesOrNull, int, writeTransactionYielding } from './db.ts';
import { foldedSeq } from './fold.ts';
import { seqParam } from './monitor-checks.ts';
import { DAY_MS, HOUR_MS } from './rollups.ts';
import { decodeSeqs, encodeSeqs } from './seq-list.ts';

/** Hour lists handled per transaction (about 180 checks each for a 20 s monitor). */
const LISTS_PER_CHUNK = 50;
const ROWS_PER_CHUNK = 5_000;

export async function purgeChecksBefore(db: Db, before: number): Promise<void> {
  const hourCutoff = Math.floor(before / HOUR_MS);
  let after: [number, number] = [Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
  for (;;) {
    const lists = await writeTransactionYielding(db, () => {
      const rows = db
        .sql('SELECT hour, mkey, seqs FROM check_hours WHERE hour <= ? AND (hour, mkey) > (?, ?) ORDER BY hour, mkey LIMIT ?')
        .all(hourCutoff, after[0], after[1], LISTS_PER_CHUNK);
      for (const row of rows) purgeHourList(db, int(row, 'hour'), int(row, 'mkey'), bytesOrNull(row, 'seqs'), before);
      const last = rows.at(-1);
      if (last) after = [int(last, 'hour'), int(last, 'mkey')];
      return rows.length;
    });
    await yieldToEventLoop();
    if (lists < LISTS_PER_CHUNK) break;
  }
  await deleteInChunks(db, () =>
    db
      .sql('DELETE FROM checks WHERE seq IN (SELECT seq FROM checks WHERE seq > ? AND ts < ? LIMIT ?)')
      .run(foldedSeq(db), before, ROWS_PER_CHUNK).changes,
  );
  // Closed rollups the summary keeps in memory may be among these (closed-rollups.ts).
  await deleteInChunks(db, () =>
    noteIfChanged(db, db
      .sql('DELETE FROM rollup_hour WHERE (hour, mkey) IN (SELECT hour, mkey FROM rollup_hour WHERE hour < ? LIMIT ?)')
      .run(hourCutoff, ROWS_PER_CHUNK).changes),
  );
  await deleteInChunks(db, () =>
    noteIfChanged(db, db
      .sql('DELETE FROM rollup_day WHERE (day, mkey) IN (SELECT day, mkey FROM rollup_day WHERE day < ? LIMIT ?)')
      .run(Math.floor(before / DAY_MS), ROWS_PER_CHUNK).changes),
  );
  await deleteInChunks(db, () =>
    db
      .sql(
        `DELETE FROM incidents WHERE id IN (
           SELECT id FROM incidents WHERE resolved_at IS NOT NULL AND resolved_at < ? LIMIT ?)`,
      )
      .run(before, ROWS_PER_CHUNK).changes,
  );
  await deleteInChunks(db, () =>
    db
      .sql(
        `DELETE FROM deliveries WHERE id IN (
           SELECT id FROM deliveries WHERE created_at < ? AND status <> 'pending' LIMIT ?)`,
      )
      .run(before, ROWS_PER_CHUNK).changes,
  );
  // Keys are few (a bound per owner, api/api-keys/): one statement.
  await writeTransactionYielding(db, () => purgeExpiredApiKeys(db, before));
  await writeTransactionYielding(db, () =>
    db
      .sql(
        `DELETE FROM monitors WHERE deleted_at IS NOT NULL AND deleted_at < ?
           AND NOT EXISTS (SELECT 1 FROM check_hours h WHERE h.mkey = monitors.mkey)
           AND NOT EXISTS (SELECT 1 FROM checks c WHERE c.seq > ? AND c.mkey = monitors.mkey)
           AND NOT EXISTS (SELECT 1 FROM rollup_hour r WHERE r.mkey = monitors.mkey)
           AND NOT EXISTS (SELECT 1 FROM rollup_day d WHERE d.mkey = monitors.mkey)`,
      )
      .run(before, foldedSeq(db)),
  );
}

/** A whole hour before the cutoff goes with its list; the cutoff's own hour keeps its later checks. */
function purgeHourList(db: Db, hour: number, mkey: number, blob: Uint8Array | null, before: number): void {
  const seqs = decodeSeqs(blob ?? new Uint8Array());
  if ((hour + 1) * HOUR_MS <= before) {
    db.sql('DELETE FROM checks WHERE seq IN (SELECT value FROM json_each(?))').run(seqParam(seqs));
    db.sql('DELETE FROM check_hours WHERE hour = ? AND mkey = ?').run(hour, mkey);
    return;
  }
  const deleted = db
    .sql('DELETE FROM checks WHERE seq IN (SELECT value FROM json_each(?)) AND ts < ? RETURNING seq')
    .all(seqParam(seqs), before)
    .map((row) => int(row, 'seq'));
  if (deleted.length === 0) return;
  const gone = new Set(deleted);
  const kept = seqs.filter((seq) => !gone.has(seq));
  if (kept.length === 0) db.sql('DELETE FROM check_hours WHERE hour = ? AND mkey = ?').run(hour, mkey);
  else db.sql('UPDATE check_hours SET seqs = ? WHERE hour = ? AND mkey = ?').run(encodeSeqs(kept), hour, mkey);
}

function noteIfChanged(db: Db, deleted: number | bigint): number | bigint {
  if (Number(deleted) > 0) noteClosedChanged(db);
  return deleted;
}

async function deleteInChunks(db: Db, deleteChunk: () => number | bigint): Promise<void> {
  for (;;) {
    const deleted = Number(await writeTransactionYielding(db, deleteChunk));
    await yieldToEventLoop();
    if (deleted < ROWS_PER_CHUNK) return;
  }
}
