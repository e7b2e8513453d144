// Which rollups are closed, and whether they changed: the summary keeps its totals of the days
// before today (and of the hour rows before them) in memory, and needs to know, in every process
// sharing the file, when those rows moved after all.
//
// Two counters, written only when they change (so a healthy fold adds no page write):
//   rollups_newest_day  the newest UTC day any folded check fell on
//   rollups_closed      bumped when a fold adds to a day before that one (a late check: a spool
//                       replay, a collector whose clock is behind) or when retention deletes rollups
// A summary may reuse closed totals while today is rollups_newest_day and both counters and the
// hour are as they were. Before the first fold of a new day it computes them afresh: yesterday is
// then still the newest day, and a fold into it would not bump anything.

import { type Db, int } from './db.ts';
import { DAY_MS } from './rollups.ts';

const NEWEST_DAY = 'rollups_newest_day';
const CLOSED = 'rollups_closed';

function counter(db: Db, name: string): number | null {
  const row = db.sql('SELECT value FROM counters WHERE name = ?').get(name);
  return row ? int(row, 'value') : null;
}

function setCounter(db: Db, name: string, value: number): void {
  db.sql('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(name, value);
}

/** Inside the fold's write transaction, with the oldest and newest timestamp it folded. */
export function noteFolded(db: Db, oldestTs: number, newestTs: number): void {
  const known = counter(db, NEWEST_DAY);
  const newestDay = Math.max(known ?? -Infinity, Math.floor(newestTs / DAY_MS));
  if (newestDay !== known) setCounter(db, NEWEST_DAY, newestDay);
  if (Math.floor(oldestTs / DAY_MS) < newestDay) noteClosedChanged(db);
}

/** Inside a write transaction that changed or deleted rollup rows of past days. */
export function noteClosedChanged(db: Db): void {
  setCounter(db, CLOSED, (counter(db, CLOSED) ?? 0) + 1);
}

/**
 * A key naming the closed rollups as of `today` (a UTC day number), or null when they may still
 * change without notice (today is not yet the newest folded day).
 */
export function closedRollupsKey(db: Db, today: number): string | null {
  if (counter(db, NEWEST_DAY) !== today) return null;
  return `${today}:${counter(db, CLOSED) ?? 0}`;
}
