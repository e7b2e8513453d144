// The summary's totals of the newest checks (summary.ts): the checks not yet folded into rollups
// (fold.ts) and today's rollup_day rows, plus the newest check of each monitor. One reader keeps
// ONE such tail for all owners, read forward by seq: a call reads the checks stored since the
// previous call of anyone (about a second of checks at one call a second), whatever owner it is
// for, instead of every unfolded check of its owner after each fold.
//
// Folds do not start it over. Every check read is kept as a small record (seq, slot, flags,
// response: 25 bytes) in seq order. A fold to F (of this process or another on the file) moves the
// records with seq <= F out of the tail's figures, exactly what they added, and into today's row of
// their monitor when they fall on today, as the fold did in the file. So the tail always covers
// (folded_seq, scanned] of the snapshot and today's row matches the file's, as fresh reads would,
// also when a fold stops halfway through what one call read. Today's rows are read once: of every
// monitor when the tail starts, else on its owner's first call. Checks the fold took before they
// were read (a fold that caught up with the newest append, or no call for a whole fold cycle) are
// read for today's rows and the newest check only.
//
// The newest check per monitor is kept across folds on purpose: a check read here and folded since
// is no longer in the tail, but it is still the monitor's, and the summary picks the newer of this
// and the newest folded check. That one, read once per monitor (check_hours: for every monitor from
// the lists of this hour and the previous one when the tail starts, else looked up), is kept too:
// every check folded after the read had a seq above the tail's start, so this tail read it. Both
// hold while `now` only moves forward within the hour; a check stamped later than the call waits in
// `pending` until a call reaches its time.
//
// It starts over (cold: one scan of the whole unfolded tail, today's rows and two hours of lists)
// on a new hour, since windows count a check by its hour, and when the fold got more than
// MAX_RECORDS ahead. A call for an earlier instant than the latest one gets a throwaway tail of its
// own and leaves the kept one alone. Past MAX_RECORDS or MAX_PENDING the tail serves the call and
// is dropped.
//
// Memory: ~115 bytes per monitor seen (in typed arrays: the tail's and today's five figures, newest
// and newest-folded check; up to twice that while the arrays have room to grow), plus its Map
// entry: ~10 MB at 50,000 monitors. Plus 25 bytes per unfolded check (~1.3 MB at FOLD_ROWS), and
// 160 bytes for each monitor with an unfolded check outside some window (a late one).

import { UPTIME_WINDOWS } from '../types.ts';
import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import type { Db } from './db.ts';
import { hourOf } from './monitor-checks.ts';
import { DAY_MS } from './rollups.ts';
import { WINDOW_HOURS, type WindowTotals } from './window-totals.ts';

/** Unfolded checks kept as records: well above FOLD_ROWS, so only a stalled fold passes it. */
const MAX_RECORDS = 1_000_000;
/** Checks stamped later than the latest `now` (a clock ahead), waiting to count as newest. */
const MAX_PENDING = 50_000;

const FIGURES = 5;
const PER_MONITOR = UPTIME_WINDOWS.length * FIGURES;
const EVERY_WINDOW = (1 << UPTIME_WINDOWS.length) - 1;
const UP = 1 << 4;
const MAINTENANCE = 1 << 5;
const RESPONSE = 1 << 6;
/** The check falls on the tail's day: folded, it joins today's rollup_day row. */
const TODAY = 1 << 7;

export type CheckRef = { ts: number; seq: number };

/** What a summary reads from the tail, as of its snapshot. */
export type TailView = {
  /** Reads today's rollup row of each of an owner's monitors whose row is not known yet. */
  knowToday(db: Db, ownerId: string, mkeys: readonly number[]): void;
  /** Adds the figures of a monitor's unfolded checks and of today's rollup row, for window number `w`, into `into`. */
  addTo(mkey: number, w: number, into: WindowTotals): void;
  /** The newest check at or before `now`, of the tail or of the folded ones (`lookupFolded`). */
  newestOf(mkey: number, lookupFolded: () => { check: CheckRef | null; keep: boolean }): CheckRef | null;
};

type Tail = ReturnType<typeof createTail>;

/** Keeps the tail of one connection; call `read` inside the summary's read transaction. */
export function createTailKeeper(db: Db) {
  let kept: Tail | null = null;
  return {
    read(now: number, folded: number): TailView {
      const upTo = newestSeq(db);
      const hour = hourOf(now);
      if (kept && (hour < kept.hour || (hour === kept.hour && now < kept.now))) {
        // An earlier instant than the kept tail's: its newest checks may be too new for it.
        const once = createTail(hour, now, folded);
        once.extend(db, folded, upTo, now);
        return once;
      }
      if (!kept || hour > kept.hour || folded - kept.scannedSeq > MAX_RECORDS) {
        kept = createTail(hour, now, folded);
        kept.warm(db, now);
      }
      const tail = kept;
      tail.dropFolded(folded);
      tail.extend(db, folded, upTo, now);
      if (!tail.withinBounds()) kept = null;
      return tail;
    },
  };
}

// One writer at a time, and seqs are given inside its transaction: a snapshot holds every seq up
// to its newest, so the next call can start after it.
/** The columns of today's rows, in WindowTotals' order after the monitor. */
const TODAY_COLUMNS = 'mkey, checks, up, maintenance, resp_count, resp_sum_us';

/**
 * Rows as arrays of their columns in select order: a third of the cost of named rows for the bulk
 * reads here (up to one row per monitor or unfolded check). The statements are this module's own.
 */
function arrayRows(db: Db, text: string, ...params: SQLInputValue[]): SQLOutputValue[][] {
  const statement = db.sql(text);
  statement.setReturnArrays(true);
  return statement.all(...params) as unknown as SQLOutputValue[][];
}

function num(value: SQLOutputValue | undefined): number {
  if (typeof value !== 'number') throw new TypeError(`expected a number from SQLite, got ${typeof value}`);
  return value;
}

function newestSeq(db: Db): number {
  const row = db.sql('SELECT max(seq) AS seq FROM checks').get();
  return typeof row?.seq === 'number' ? row.seq : 0;
}

function createTail(hour: number, startNow: number, startSeq: number) {
  const day = Math.floor(hour / 24);
  const windowStarts = UPTIME_WINDOWS.map((window) => hour - WINDOW_HOURS[window] + 1);
  const slots = new Map<number, number>();
  let capacity = 1024;
  // The tail's figures: of checks inside every window (nearly all: the unfolded checks are the
  // newest), and per window for the few monitors with a check that is not (a late one).
  let everyWindow = new Float64Array(capacity * FIGURES);
  const someWindows = new Map<number, Float64Array>();
  // NaN: none (yet). foldedKnown: 1 once the newest folded check (or its absence) is kept.
  let newestTs = new Float64Array(capacity).fill(NaN);
  let newestSeqs = new Float64Array(capacity).fill(NaN);
  let foldedTs = new Float64Array(capacity).fill(NaN);
  let foldedSeqs = new Float64Array(capacity).fill(NaN);
  let foldedKnown = new Uint8Array(capacity);
  // Today's rollup_day row, read once per monitor, then moved on with the records the fold takes.
  let today = new Float64Array(capacity * FIGURES);
  let todayKnown = new Uint8Array(capacity);
  const records = createRecordQueue();
  let pending: Array<{ slot: number; ts: number; seq: number }> = [];

  function grow<T extends Float64Array | Uint8Array>(array: T, size: number, fill: number): T {
    const grown = new (array.constructor as new (length: number) => T)(size);
    grown.fill(fill);
    grown.set(array);
    return grown;
  }
  function slotOf(mkey: number): number {
    let slot = slots.get(mkey);
    if (slot !== undefined) return slot;
    slot = slots.size;
    slots.set(mkey, slot);
    if (slot >= capacity) {
      capacity *= 2;
      everyWindow = grow(everyWindow, capacity * FIGURES, 0);
      newestTs = grow(newestTs, capacity, NaN);
      newestSeqs = grow(newestSeqs, capacity, NaN);
      foldedTs = grow(foldedTs, capacity, NaN);
      foldedSeqs = grow(foldedSeqs, capacity, NaN);
      foldedKnown = grow(foldedKnown, capacity, 0);
      today = grow(today, capacity * FIGURES, 0);
      todayKnown = grow(todayKnown, capacity, 0);
    }
    return slot;
  }
  function count(slot: number, flags: number, responseUs: number, sign: 1 | -1): void {
    const windows = flags & EVERY_WINDOW;
    if (windows === EVERY_WINDOW) return addFigures(everyWindow, slot * FIGURES, flags, responseUs, sign);
    if (windows === 0) return;
    let figures = someWindows.get(slot);
    if (!figures) {
      figures = new Float64Array(PER_MONITOR);
      someWindows.set(slot, figures);
    }
    for (let w = 0; w < UPTIME_WINDOWS.length; w++) {
      if (windows & (1 << w)) addFigures(figures, w * FIGURES, flags, responseUs, sign);
    }
  }
  /** Sets today's figures of a monitor from a TODAY_COLUMNS row. */
  function setToday(row: SQLOutputValue[]): void {
    const at = slotOf(num(row[0])) * FIGURES;
    for (let f = 0; f < FIGURES; f++) today[at + f] = num(row[f + 1]);
  }
  /** A check of today that a fold took, for a monitor whose row was read before that fold. */
  function countToday(slot: number, flags: number, responseUs: number): void {
    if ((flags & TODAY) !== 0 && todayKnown[slot] === 1) addFigures(today, slot * FIGURES, flags, responseUs, 1);
  }
  /** Makes a check the monitor's newest unless a newer one is kept (later, or as late and stored after). */
  function offerNewest(slot: number, ts: number, seq: number): void {
    const keptTs = newestTs[slot]!;
    if (Number.isNaN(keptTs) || later(ts, seq, keptTs, newestSeqs[slot]!)) {
      newestTs[slot] = ts;
      newestSeqs[slot] = seq;
    }
  }

  return {
    hour,
    now: startNow,
    scannedSeq: startSeq,

    /** Moves the records a fold (of any process) took from the tail's totals to today's. */
    dropFolded(folded: number): void {
      records.dropUpTo(folded, (slot, flags, responseUs) => {
        count(slot, flags, responseUs, -1);
        countToday(slot, flags, responseUs);
      });
    },

    /**
     * Reads the checks after scannedSeq up to `upTo`, and moves the tail on to `now`. Checks the
     * fold took before this tail read them (no call for a whole fold cycle, or a fold that caught
     * up with the newest append) are read for the newest check and today's rows only.
     */
    extend(db: Db, folded: number, upTo: number, now: number): void {
      if (now > this.now) {
        this.now = now;
        const waiting = pending;
        pending = [];
        for (const check of waiting) {
          if (check.ts <= now) offerNewest(check.slot, check.ts, check.seq);
          else pending.push(check);
        }
      }
      if (folded > this.scannedSeq) this.read(db, folded, false);
      if (upTo > this.scannedSeq) this.read(db, upTo, true);
    },

    read(db: Db, upTo: number, unfolded: boolean): void {
      const rows = arrayRows(
        db,
        `SELECT seq, mkey, ts, up, maintenance, CASE WHEN up = 1 THEN coalesce(total_us, duration_us) END AS response_us
         FROM checks WHERE seq > ? AND seq <= ?`,
        this.scannedSeq,
        upTo,
      );
      this.scannedSeq = upTo;
      for (const row of rows) {
        const ts = num(row[2]);
        const checkHour = hourOf(ts);
        const onToday = Math.floor(ts / DAY_MS) === day;
        // A check of a later hour than the tail's (a clock ahead) waits for the tail of its hour;
        // folded, one of today still joins today's row.
        if (checkHour > hour && !onToday) continue;
        const seq = num(row[0]);
        const slot = slotOf(num(row[1]));
        const response = row[5] === null ? null : num(row[5]);
        const maintenance = row[4] === 1;
        let flags = (maintenance ? MAINTENANCE : 0) | (!maintenance && row[3] === 1 ? UP : 0) | (response === null ? 0 : RESPONSE) | (onToday ? TODAY : 0);
        if (checkHour <= hour) {
          for (let w = 0; w < windowStarts.length; w++) if (checkHour >= windowStarts[w]!) flags |= 1 << w;
          if (ts <= this.now) offerNewest(slot, ts, seq);
          else pending.push({ slot, ts, seq });
        }
        if (unfolded) {
          records.push(seq, slot, flags, response ?? 0);
          count(slot, flags, response ?? 0, 1);
        } else {
          countToday(slot, flags, response ?? 0);
        }
      }
    },

    withinBounds: () => records.size() <= MAX_RECORDS && pending.length <= MAX_PENDING,

    /**
     * Reads, at the tail's start, today's rows and the newest folded check of every monitor that
     * has them (two hours of check_hours: the newest of them is the newest folded check, unless it
     * is later than `now`), so that an owner's first call of the hour finds them known.
     */
    warm(db: Db, now: number): void {
      for (const row of arrayRows(db, `SELECT ${TODAY_COLUMNS} FROM rollup_day WHERE day = ?`, day)) {
        setToday(row);
        todayKnown[slotOf(num(row[0]))] = 1;
      }
      const lists = arrayRows(db, 'SELECT mkey, last_ts, last_seq FROM check_hours WHERE hour >= ? AND hour <= ? ORDER BY hour', hour - 1, hour);
      for (const row of lists) {
        const slot = slotOf(num(row[0]));
        const lastTs = num(row[1]);
        // A later list replaces an earlier one; one with a check later than `now` leaves it to a lookup.
        foldedKnown[slot] = lastTs <= now ? 1 : 0;
        foldedTs[slot] = lastTs;
        foldedSeqs[slot] = num(row[2]);
      }
    },

    knowToday(db: Db, ownerId: string, mkeys: readonly number[]): void {
      if (mkeys.every((mkey) => todayKnown[slotOf(mkey)] === 1)) return;
      for (const mkey of mkeys) {
        const slot = slotOf(mkey);
        today.fill(0, slot * FIGURES, (slot + 1) * FIGURES);
        todayKnown[slot] = 1;
      }
      const rows = arrayRows(
        db,
        `SELECT ${TODAY_COLUMNS} FROM rollup_day
         WHERE day = ? AND mkey IN (SELECT mkey FROM monitors WHERE owner_id = ? AND deleted_at IS NULL)`,
        day,
        ownerId,
      );
      for (const row of rows) setToday(row);
    },

    addTo(mkey: number, w: number, into: WindowTotals): void {
      const slot = slots.get(mkey);
      if (slot === undefined) return;
      addInto(into, today, slot * FIGURES);
      addInto(into, everyWindow, slot * FIGURES);
      const figures = someWindows.get(slot);
      if (figures) addInto(into, figures, w * FIGURES);
    },

    newestOf(mkey: number, lookupFolded: () => { check: CheckRef | null; keep: boolean }): CheckRef | null {
      const slot = slotOf(mkey);
      let folded: CheckRef | null;
      if (foldedKnown[slot] === 1) {
        folded = Number.isNaN(foldedTs[slot]!) ? null : { ts: foldedTs[slot]!, seq: foldedSeqs[slot]! };
      } else {
        const found = lookupFolded();
        folded = found.check;
        if (found.keep) {
          foldedKnown[slot] = 1;
          foldedTs[slot] = folded ? folded.ts : NaN;
          foldedSeqs[slot] = folded ? folded.seq : NaN;
        }
      }
      const ts = newestTs[slot]!;
      const unfolded = Number.isNaN(ts) ? null : { ts, seq: newestSeqs[slot]! };
      if (!folded) return unfolded;
      if (!unfolded) return folded;
      return later(unfolded.ts, unfolded.seq, folded.ts, folded.seq) ? unfolded : folded;
    },
  };
}

/** True when check (ts, seq) is newer than (thanTs, thanSeq): later, or as late and stored after. */
function later(ts: number, seq: number, thanTs: number, thanSeq: number): boolean {
  return ts > thanTs || (ts === thanTs && seq > thanSeq);
}

/** Adds one check's five figures (WindowTotals' order) at `at`, or takes them away. */
function addFigures(figures: Float64Array, at: number, flags: number, responseUs: number, sign: 1 | -1): void {
  figures[at] = figures[at]! + sign;
  if (flags & UP) figures[at + 1] = figures[at + 1]! + sign;
  if (flags & MAINTENANCE) figures[at + 2] = figures[at + 2]! + sign;
  if (flags & RESPONSE) {
    figures[at + 3] = figures[at + 3]! + sign;
    figures[at + 4] = figures[at + 4]! + sign * responseUs;
  }
}

function addInto(into: WindowTotals, figures: Float64Array, at: number): void {
  into.checks += figures[at]!;
  into.up += figures[at + 1]!;
  into.maintenance += figures[at + 2]!;
  into.respCount += figures[at + 3]!;
  into.respSumUs += figures[at + 4]!;
}

/** Records of the checks read, in seq order, in typed arrays (25 bytes each). */
function createRecordQueue() {
  let seqs = new Float64Array(4096);
  let slots = new Int32Array(4096);
  let flags = new Uint8Array(4096);
  let responses = new Float64Array(4096);
  let head = 0;
  let length = 0;
  return {
    size: () => length - head,
    push(seq: number, slot: number, flag: number, responseUs: number): void {
      if (length === seqs.length) {
        // Compact first when most of the room is records already dropped; grow otherwise.
        const live = length - head;
        const size = live * 2 > seqs.length ? seqs.length * 2 : seqs.length;
        const move = <T extends Float64Array | Int32Array | Uint8Array>(array: T): T => {
          if (size === array.length) return array.copyWithin(0, head, length) as T;
          const next = new (array.constructor as new (length: number) => T)(size);
          next.set(array.subarray(head, length));
          return next;
        };
        seqs = move(seqs);
        slots = move(slots);
        flags = move(flags);
        responses = move(responses);
        length = live;
        head = 0;
      }
      seqs[length] = seq;
      slots[length] = slot;
      flags[length] = flag;
      responses[length] = responseUs;
      length += 1;
    },
    dropUpTo(seq: number, each: (slot: number, flag: number, responseUs: number) => void): void {
      while (head < length && seqs[head]! <= seq) {
        each(slots[head]!, flags[head]!, responses[head]!);
        head += 1;
      }
    },
  };
}
