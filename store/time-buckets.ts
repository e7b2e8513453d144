// Calendar buckets (hours or days) of an IANA time zone, as UTC instants, for any backend.
// Days follow the zone's calendar: 23 or 25 hours on DST change days. Hours are the zone's
// local hours: on a fall-back night the repeated hour gives two buckets, and in zones with a
// half- or quarter-hour offset (Asia/Kolkata, Asia/Kathmandu) hours start at :30 or :45 UTC.
//
// How: the zone's UTC offset is sampled every 6 hours around the range and each change is
// located to the second by bisection, which gives the offset as constant pieces; bucket edges
// are then plain arithmetic on local time inside each piece.
//
// Example: bucketEdges(Date.UTC(2026, 2, 28, 23), Date.UTC(2026, 2, 30, 22), 'day', 'Europe/Paris')
//   → [2026-03-28T23:00Z, 2026-03-29T22:00Z (23 h later), 2026-03-30T22:00Z]

export type BucketUnit = 'hour' | 'day';

const UNIT_MS: Record<BucketUnit, number> = { hour: 3_600_000, day: 86_400_000 };
const SAMPLE_MS = 6 * 3_600_000;
const MARGIN_MS = 2 * 86_400_000;

type Piece = { start: number; offset: number };

/**
 * Edges of the buckets that cover [from, to): the first is the start of the bucket holding
 * `from` (≤ from), the last is the end of the bucket holding `to - 1` (≥ to). Bucket i is
 * [edges[i], edges[i + 1]).
 */
export function bucketEdges(from: number, to: number, unit: BucketUnit, timeZone: string): number[] {
  if (!(from < to)) throw new RangeError(`time range is empty: from ${from} is not before to ${to}`);
  const offsetAt = offsetFunction(timeZone);
  const pieces = offsetPieces(from - MARGIN_MS, to + MARGIN_MS, offsetAt);
  const size = UNIT_MS[unit];
  const all: number[] = [];
  pieces.forEach((piece, index) => {
    const end = pieces[index + 1]?.start ?? to + MARGIN_MS;
    const previous = pieces[index - 1];
    if (previous) {
      // A change of offset starts a new bucket when the local bucket changes, and for hours
      // always (on a fall-back night the local hour repeats and counts as a new bucket).
      const before = Math.floor((piece.start - 1 + previous.offset) / size);
      const after = Math.floor((piece.start + piece.offset) / size);
      if (before !== after || unit === 'hour') all.push(piece.start);
    }
    for (let k = Math.ceil((piece.start + piece.offset) / size); k * size - piece.offset < end; k += 1) {
      all.push(k * size - piece.offset);
    }
  });
  const edges = [...new Set(all)].sort((a, b) => a - b);
  const first = edges.findLastIndex((edge) => edge <= from);
  const last = edges.findIndex((edge) => edge >= to);
  if (first < 0 || last < 0) throw new Error(`no bucket edge around ${from}..${to} in ${timeZone}`);
  return edges.slice(first, last + 1);
}

/** Throws a RangeError naming the zone when it is not a known IANA zone. */
export function offsetFunction(timeZone: string): (instant: number) => number {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new RangeError(`unknown time zone ${JSON.stringify(timeZone)}: expected an IANA name such as Europe/Paris`);
  }
  return (instant) => {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(instant)) parts[part.type] = Number(part.value);
    const wall = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
    return wall - Math.floor(instant / 1000) * 1000;
  };
}

function offsetPieces(from: number, to: number, offsetAt: (instant: number) => number): Piece[] {
  const pieces: Piece[] = [{ start: from, offset: offsetAt(from) }];
  let at = from;
  let offset = pieces[0]!.offset;
  while (at < to) {
    const next = Math.min(at + SAMPLE_MS, to);
    const nextOffset = offsetAt(next);
    if (nextOffset !== offset) {
      // Bisect to the first second with the new offset.
      let low = Math.floor(at / 1000);
      let high = Math.floor(next / 1000);
      while (high - low > 1) {
        const middle = Math.floor((low + high) / 2);
        if (offsetAt(middle * 1000) === offset) low = middle;
        else high = middle;
      }
      pieces.push({ start: high * 1000, offset: offsetAt(high * 1000) });
      offset = offsetAt(high * 1000);
      // Two changes within one sample are found by sampling again from this one.
      at = high * 1000;
      if (offset !== nextOffset) continue;
    }
    at = next;
  }
  return pieces;
}
