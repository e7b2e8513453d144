// Schema version 3: checks are found per monitor through check_hours, filled by the fold
// (fold.ts), instead of an index on checks (mkey, ts), and the rollups are written by the fold.
//
// The index cost one page rewrite per monitor per batch: at 20,000 monitors and 1,000 checks/s
// that was about half of the ~3 KB written per check. check_hours rows of the current hour sit
// together (keyed hour, then monitor) and are rewritten once per fold; check_hours_by_monitor
// gets one new entry per monitor and hour.
//
// Upgrading a file: every existing check is already in the rollups, so it is listed in
// check_hours here and fold_state starts after the newest check.

import { type Db, int } from './db.ts';
import { allSteps, createHourListBatch } from './fold.ts';

export const SCHEMA_V3 = `
CREATE TABLE check_hours (
  hour INTEGER NOT NULL,
  mkey INTEGER NOT NULL,
  seqs BLOB NOT NULL,
  last_ts INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  PRIMARY KEY (hour, mkey)
) WITHOUT ROWID;
CREATE INDEX check_hours_by_monitor ON check_hours (mkey, hour);

CREATE TABLE fold_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  folded_seq INTEGER NOT NULL
);
INSERT INTO fold_state (id, folded_seq) SELECT 1, coalesce(max(seq), 0) FROM checks;
`;

/** Lists the checks already stored, in chunks of seqs so that memory stays bounded. */
export function listExistingChecks(db: Db): void {
  const chunk = 100_000;
  for (let after = 0; ; ) {
    const lists = createHourListBatch();
    let count = 0;
    for (const row of db.sql('SELECT seq, mkey, ts FROM checks WHERE seq > ? ORDER BY seq LIMIT ?').iterate(after, chunk)) {
      after = int(row, 'seq');
      lists.add(after, int(row, 'mkey'), int(row, 'ts'));
      count += 1;
    }
    allSteps(lists.flush(db, chunk));
    if (count < chunk) break;
  }
  db.conn.exec('DROP INDEX checks_by_monitor_time');
}
