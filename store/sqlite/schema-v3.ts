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

import type { Db } from './db.ts';
import { int } from './db.ts';
import { HOUR_MS } from './rollups.ts';
import { encodeSeqs } from './seq-list.ts';

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

/** Lists the checks already stored, one monitor and hour at a time (the old index gives that order). */
export function listExistingChecks(db: Db): void {
  const insert = db.sql('INSERT INTO check_hours (hour, mkey, seqs, last_ts, last_seq) VALUES (?, ?, ?, ?, ?)');
  let current: { hour: number; mkey: number; seqs: number[]; lastTs: number; lastSeq: number } | null = null;
  const write = () => {
    if (!current) return;
    insert.run(current.hour, current.mkey, encodeSeqs(current.seqs.sort((a, b) => a - b)), current.lastTs, current.lastSeq);
  };
  for (const row of db.sql('SELECT mkey, ts, seq FROM checks ORDER BY mkey, ts, seq').iterate()) {
    const mkey = int(row, 'mkey');
    const ts = int(row, 'ts');
    const seq = int(row, 'seq');
    const hour = Math.floor(ts / HOUR_MS);
    if (current && current.mkey === mkey && current.hour === hour) {
      current.seqs.push(seq);
      current.lastTs = ts;
      current.lastSeq = seq;
      continue;
    }
    write();
    current = { hour, mkey, seqs: [seq], lastTs: ts, lastSeq: seq };
  }
  write();
  db.conn.exec('DROP INDEX checks_by_monitor_time');
}
