// Raw check reads: one monitor's checks newest first with an opaque cursor (the tail, then folded
// hours: monitor-checks.ts), and every check in acceptance order for the alerting evaluator.
// Checks of deleted monitors are never returned.

import { InvalidCursorError } from '../contract.ts';
import type { Check, ChecksPage } from '../types.ts';
import { ownedMonitorKey } from './contacts.ts';
import { CHECK_SELECT, checkRows, rowSeq, rowTs, toCheck } from './check-rows.ts';
import { type Db, readTransaction } from './db.ts';
import { foldedSeq } from './fold.ts';
import { SEQ_IN, hourLists, hourOf, seqParam } from './monitor-checks.ts';
import type { ListChecksQuery } from '../contract.ts';

export function listChecks(db: Db, ownerId: string, monitorId: string, query: ListChecksQuery): ChecksPage | null {
  return readTransaction(db, () => {
    const mkey = ownedMonitorKey(db, ownerId, monitorId);
    if (mkey === null) return null;
    const where: string[] = [];
    const params: number[] = [];
    let newest = query.to === undefined ? Infinity : query.to - 1;
    if (query.from !== undefined) {
      where.push('c.ts >= ?');
      params.push(query.from);
    }
    if (query.to !== undefined) {
      where.push('c.ts < ?');
      params.push(query.to);
    }
    if (query.status !== undefined) {
      where.push('c.up = ?');
      params.push(query.status === 'up' ? 1 : 0);
    }
    if (query.cursor !== undefined) {
      const after = decodeListCursor(query.cursor);
      where.push('(c.ts < ? OR (c.ts = ? AND c.seq < ?))');
      params.push(after.ts, after.ts, after.seq);
      newest = Math.min(newest, after.ts);
    }
    const filter = where.map((condition) => ` AND ${condition}`).join('');
    const order = 'ORDER BY c.ts DESC, c.seq DESC';
    const wanted = query.limit + 1;

    const rows = checkRows(db, `${CHECK_SELECT} WHERE c.seq > ? AND c.mkey = ?${filter} ${order} LIMIT ?`, foldedSeq(db), mkey, ...params, wanted);
    // Folded checks, hour by hour from the newest: every check of an hour not yet read is older
    // than those of the hours read, so enough matches end the walk.
    let folded = 0;
    const fromHour = query.from === undefined ? Number.MIN_SAFE_INTEGER : hourOf(query.from);
    const toHour = newest === Infinity ? Number.MAX_SAFE_INTEGER : hourOf(newest);
    for (const list of hourLists(db, mkey, fromHour, toHour)) {
      const found = checkRows(db, `${CHECK_SELECT} WHERE ${SEQ_IN}${filter} ${order}`, seqParam(list.seqs), ...params);
      rows.push(...found);
      folded += found.length;
      if (folded >= wanted) break;
    }
    rows.sort((a, b) => rowTs(b) - rowTs(a) || rowSeq(b) - rowSeq(a));
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const next_cursor = rows.length > query.limit && last ? encodeListCursor(rowTs(last), rowSeq(last)) : null;
    return { items: page.map(toCheck), next_cursor };
  });
}

export function readChecksAfter(db: Db, cursor: string | null, limit: number): { checks: Check[]; cursor: string | null } {
  const after = cursor === null ? 0 : decodeSequence(cursor);
  const rows = checkRows(db, `${CHECK_SELECT} WHERE c.seq > ? AND m.deleted_at IS NULL ORDER BY c.seq LIMIT ?`, after, limit);
  const last = rows.at(-1);
  return { checks: rows.map(toCheck), cursor: last ? String(rowSeq(last)) : cursor };
}

function encodeListCursor(ts: number, seq: number): string {
  return Buffer.from(`${ts}:${seq}`).toString('base64url');
}

function decodeListCursor(cursor: string): { ts: number; seq: number } {
  const match = /^(-?\d+):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new InvalidCursorError(`cursor ${JSON.stringify(cursor)} was not issued by this store`);
  return { ts: Number(match[1]), seq: Number(match[2]) };
}

function decodeSequence(cursor: string): number {
  if (!/^\d+$/.test(cursor)) throw new InvalidCursorError(`evaluator cursor ${JSON.stringify(cursor)} was not issued by this store`);
  return Number(cursor);
}
