// One monitor's stored checks: folded ones through check_hours (one row per monitor and UTC
// hour, listing its check seqs), newer ones by scanning the tail of `checks` past folded_seq
// (fold.ts). Callers run inside one read transaction (readTransaction) so that both parts come
// from the same snapshot.

import { type Db, type Row, bytesOrNull, int } from './db.ts';
import { HOUR_MS } from './rollups.ts';
import { decodeSeqs } from './seq-list.ts';

export type HourList = { hour: number; seqs: number[]; lastTs: number; lastSeq: number };

/** The monitor's hour lists from `toHour` down to `fromHour` (both inclusive), newest first, lazily. */
export function* hourLists(db: Db, mkey: number, fromHour: number, toHour: number): Generator<HourList> {
  const rows = db
    .sql('SELECT hour, seqs, last_ts, last_seq FROM check_hours WHERE mkey = ? AND hour >= ? AND hour <= ? ORDER BY hour DESC')
    .iterate(mkey, fromHour, toHour);
  for (const row of rows) yield toHourList(row);
}

function toHourList(row: Row): HourList {
  return {
    hour: int(row, 'hour'),
    seqs: decodeSeqs(bytesOrNull(row, 'seqs') ?? new Uint8Array()),
    lastTs: int(row, 'last_ts'),
    lastSeq: int(row, 'last_seq'),
  };
}

/** The hour holding `ts`, and the last hour before `end` (exclusive), for ranges of hour lists. */
export const hourOf = (ts: number): number => Math.floor(ts / HOUR_MS);
export const lastHourBefore = (end: number): number => Math.ceil(end / HOUR_MS) - 1;

/** SQL condition on `c.seq` listing the given seqs, with its parameter. */
export const SEQ_IN = 'c.seq IN (SELECT value FROM json_each(?))';
export const seqParam = (seqs: readonly number[]): string => JSON.stringify(seqs);
