// Schema version 2: rollup rows clustered by time, then monitor.
//
// Every batch of checks updates one rollup_hour and one rollup_day row for each monitor in it,
// i.e. rows of a thousand different monitors per transaction. Keyed (mkey, hour), those rows sit
// one per page across the whole table, so each batch rewrote a page per monitor and the bytes
// written per check grew with the table (days of history). Keyed (hour, mkey), the current
// hour's (day's) rows of all monitors are adjacent: a batch rewrites only that small region,
// however much history is kept. The (mkey, hour) indexes serve the per-monitor reads (history,
// summary, retention); an index entry is written once per monitor and hour, not per batch.

export const SCHEMA_V2 = `
CREATE TABLE rollup_hour_v2 (
  hour INTEGER NOT NULL,
  mkey INTEGER NOT NULL,
  checks INTEGER NOT NULL,
  up INTEGER NOT NULL,
  resp_count INTEGER NOT NULL,
  resp_sum_us INTEGER NOT NULL,
  resp_max_us INTEGER,
  histogram BLOB NOT NULL,
  PRIMARY KEY (hour, mkey)
) WITHOUT ROWID;
INSERT INTO rollup_hour_v2 (hour, mkey, checks, up, resp_count, resp_sum_us, resp_max_us, histogram)
  SELECT hour, mkey, checks, up, resp_count, resp_sum_us, resp_max_us, histogram FROM rollup_hour;
DROP TABLE rollup_hour;
ALTER TABLE rollup_hour_v2 RENAME TO rollup_hour;
CREATE INDEX rollup_hour_by_monitor ON rollup_hour (mkey, hour);

CREATE TABLE rollup_day_v2 (
  day INTEGER NOT NULL,
  mkey INTEGER NOT NULL,
  checks INTEGER NOT NULL,
  up INTEGER NOT NULL,
  resp_count INTEGER NOT NULL,
  resp_sum_us INTEGER NOT NULL,
  PRIMARY KEY (day, mkey)
) WITHOUT ROWID;
INSERT INTO rollup_day_v2 (day, mkey, checks, up, resp_count, resp_sum_us)
  SELECT day, mkey, checks, up, resp_count, resp_sum_us FROM rollup_day;
DROP TABLE rollup_day;
ALTER TABLE rollup_day_v2 RENAME TO rollup_day;
CREATE INDEX rollup_day_by_monitor ON rollup_day (mkey, day);
`;
