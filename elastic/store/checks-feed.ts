// The alerting evaluator's feed of new checks (CheckReader.readChecksAfter) on a search engine,
// where there is no global order in which checks were accepted. The writer stamps every check
// with `event.ingested` just before each bulk attempt (checks-write.ts); the feed reads forward in
// (`event.ingested`, `event.id`) order with search_after, from a position `p` kept in the cursor.
//
// Why a forward read alone misses checks: a check becomes visible to searches some time after
// its ingest stamp, and meanwhile the forward position may pass it:
//   1. visibility lag: a refresh interval (1 s), or a slow bulk whose stamp was taken before a
//      faster bulk of another collector that is visible first;
//   2. clock skew: a collector whose clock runs behind stamps its checks in the past.
// So each stretch of ingest time is read a second time once it is settled, i.e. older than
// `overlapMs` (default 10 s, longer than refresh lag, bulk duration and skew together): the
// "band" [s, end). `s` is where settled re-reading has reached; when a forward read comes back
// short (caught up), a band opens from `s` to min(now - overlapMs, p's ingest time + 1 ms); the
// next calls read it first (paged, its position in the cursor), then go on forward; when it is
// done, `s` moves to its end. A first read (null cursor) reads everything from the oldest and
// takes `s` = now - overlapMs: what was stamped before then was visible already.
//
// Cost: every check is read about twice (once forward, once in a band), and a band is read only
// after the forward read caught up, so a full page still means "more is waiting" and a page
// shorter than `limit` means caught up. Re-reads are harmless to the evaluator by contract.
//
// Checks of deleted monitors are left out: each page's monitor ids are looked up by realtime
// mget in the monitors index (no request when nothing new arrived). Filtering never shortens a
// page: more is read until the page is full or the feed caught up.
//
// Cursor: base64url JSON { p: [ingestedMs, id] | null, s: settledMs, b?: { end, after } }.

import type { estypes } from '@elastic/elasticsearch';
import { type CheckReader, InvalidCursorError } from '../../store/contract.ts';
import { type EcsCheckDocument, ecsToCheck } from '../../store/ecs.ts';
import type { Check } from '../../store/types.ts';
import { assertComplete } from './checks-read.ts';
import { type EsContext, MAX_PAGE } from './context.ts';

export const DEFAULT_OVERLAP_MS = 10_000;

type Position = [number, string];
type FeedCursor = { p: Position | null; s: number; b?: { end: number; after: Position | null } };

export function createChecksFeed(ctx: EsContext, options: { overlapMs?: number } = {}): Pick<CheckReader, 'readChecksAfter'> {
  const overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS;

  /** The ids among `monitorIds` that still exist (realtime). */
  const existing = async (monitorIds: string[]): Promise<Set<string>> => {
    if (monitorIds.length === 0) return new Set();
    const response = await ctx.client.mget({ index: ctx.names.monitors, ids: monitorIds, _source: false });
    const found = new Set<string>();
    for (const doc of response.docs) {
      if ('error' in doc) throw new Error(`readChecksAfter: looking up monitor ${doc._id} failed: ${doc.error.type}: ${doc.error.reason}`);
      if (doc.found) found.add(doc._id);
    }
    return found;
  };

  /**
   * Up to `need` checks of existing monitors after `after` in ingest order, within [gte, lt) of
   * ingest time when given; `caughtUp` when fewer were there.
   */
  const read = async (need: number, after: Position | null, range: { gte?: number; lt?: number }) => {
    const checks: Check[] = [];
    let last = after;
    const size = Math.min(need, MAX_PAGE);
    for (;;) {
      const gte = Math.max(range.gte ?? -Infinity, last?.[0] ?? -Infinity);
      const bounds = { ...(Number.isFinite(gte) ? { gte } : {}), ...(range.lt !== undefined ? { lt: range.lt } : {}) };
      const response = await ctx.client.search<EcsCheckDocument>({
        index: ctx.names.checks,
        size,
        track_total_hits: false,
        query: Object.keys(bounds).length === 0 ? { match_all: {} } : { range: { 'event.ingested': { ...bounds, format: 'epoch_millis' } } },
        sort: [{ 'event.ingested': 'asc' }, { 'event.id': 'asc' }],
        ...(last ? { search_after: last } : {}),
      });
      assertComplete(response, 'readChecksAfter');
      const hits = response.hits.hits;
      const alive = await existing([...new Set(hits.map((hit) => hit._source?.monitor.id ?? ''))]);
      for (const hit of hits) {
        last = position(hit);
        if (hit._source === undefined) throw new Error(`readChecksAfter: check ${hit._id} came back without _source`);
        if (alive.has(hit._source.monitor.id)) checks.push(ecsToCheck(hit._source));
        if (checks.length === need) return { checks, last, caughtUp: false };
      }
      if (hits.length < size) return { checks, last, caughtUp: true };
    }
  };

  return {
    async readChecksAfter(cursor, limit) {
      if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`readChecksAfter: limit must be a whole number >= 1, got ${limit}`);
      const state = cursor === null ? null : decodeFeedCursor(cursor);
      const now = ctx.clock();
      let s = state?.s ?? now - overlapMs;
      let p = state?.p ?? null;
      let band = state?.b;
      const out: Check[] = [];
      if (band) {
        const got = await read(limit, band.after, { gte: s, lt: band.end });
        out.push(...got.checks);
        if (got.caughtUp) {
          s = band.end;
          band = undefined;
        } else band = { end: band.end, after: got.last };
      }
      if (!band && out.length < limit) {
        const got = await read(limit - out.length, p, {});
        out.push(...got.checks);
        p = got.last;
        if (got.caughtUp && p) {
          const end = Math.min(now - overlapMs, p[0] + 1);
          if (end > s) band = { end, after: null };
        }
      }
      if (cursor === null && p === null && !band) return { checks: out, cursor: null };
      return { checks: out, cursor: encodeFeedCursor({ p, s, ...(band ? { b: band } : {}) }) };
    },
  };
}

function position(hit: estypes.SearchHit<unknown>): Position {
  const [ingested, id] = hit.sort ?? [];
  if (typeof ingested !== 'number' || typeof id !== 'string') {
    throw new Error(`readChecksAfter: check ${hit._id} has no ingest time (event.ingested) to order it by`);
  }
  return [ingested, id];
}

function encodeFeedCursor(cursor: FeedCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeFeedCursor(cursor: string): FeedCursor {
  const invalid = () => new InvalidCursorError(`feed cursor ${JSON.stringify(cursor)} was not issued by this store`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    throw invalid();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid();
  const { p, s, b, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || !Number.isSafeInteger(s) || !(p === null || isPosition(p))) throw invalid();
  if (b === undefined) return { p, s: s as number };
  if (typeof b !== 'object' || b === null) throw invalid();
  const { end, after, ...bandRest } = b as Record<string, unknown>;
  if (Object.keys(bandRest).length > 0 || !Number.isSafeInteger(end) || !(after === null || isPosition(after))) throw invalid();
  return { p, s: s as number, b: { end: end as number, after } };
}

function isPosition(value: unknown): value is Position {
  return Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string';
}
