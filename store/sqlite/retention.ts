// Retention: deletes raw checks older than a cutoff in small chunks, one short write
// transaction each, yielding to the event loop in between, so that the collector and other
// processes are never kept waiting behind one long delete. Rollup hours and days that end at or
// before the cutoff go too, and deleted monitors whose checks are all gone lose their row.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type Db, int, writeTransaction } from './db.ts';
import { DAY_MS, HOUR_MS } from './rollups.ts';

const CHUNK = 5_000;

export async function purgeChecksBefore(db: Db, before: number): Promise<void> {
  const monitorKeys = db.sql('SELECT mkey FROM monitors ORDER BY mkey').all().map((row) => int(row, 'mkey'));
  const hourCutoff = Math.floor(before / HOUR_MS);
  for (const mkey of monitorKeys) {
    // Reads first, without the write lock: most monitors have nothing to purge on most passes.
    const hasOldChecks = db.sql('SELECT 1 FROM checks WHERE mkey = ? AND ts < ? LIMIT 1').get(mkey, before) !== undefined;
    const hasOldRollups = db.sql('SELECT 1 FROM rollup_hour WHERE mkey = ? AND hour < ? LIMIT 1').get(mkey, hourCutoff) !== undefined;
    if (!hasOldChecks && !hasOldRollups) continue;
    while (hasOldChecks) {
      const deleted = writeTransaction(db, () =>
        db
          .sql('DELETE FROM checks WHERE seq IN (SELECT seq FROM checks WHERE mkey = ? AND ts < ? LIMIT ?)')
          .run(mkey, before, CHUNK).changes,
      );
      await yieldToEventLoop();
      if (deleted < CHUNK) break;
    }
    writeTransaction(db, () => {
      db.sql('DELETE FROM rollup_hour WHERE mkey = ? AND hour < ?').run(mkey, hourCutoff);
      db.sql('DELETE FROM rollup_day WHERE mkey = ? AND day < ?').run(mkey, Math.floor(before / DAY_MS));
    });
    await yieldToEventLoop();
  }
  writeTransaction(db, () =>
    db
      .sql(
        `DELETE FROM monitors WHERE deleted_at IS NOT NULL AND deleted_at < ?
           AND NOT EXISTS (SELECT 1 FROM checks c WHERE c.mkey = monitors.mkey)
           AND NOT EXISTS (SELECT 1 FROM rollup_hour r WHERE r.mkey = monitors.mkey)
           AND NOT EXISTS (SELECT 1 FROM rollup_day d WHERE d.mkey = monitors.mkey)`,
      )
      .run(before),
  );
}
