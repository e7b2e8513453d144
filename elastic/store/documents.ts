// Reading documents of the regular indices, shared by the store's modules: a realtime GET with the
// version a conditional write must name, and a whole list paged with search_after (no point in
// time: the engines differ there, see elastic/engine.ts).

import type { estypes } from '@elastic/elasticsearch';
import { type EsContext, isNotFound, MAX_PAGE } from './context.ts';

/** A document read by realtime GET, with the version a conditional write must name. */
export type VersionedDoc<T> = { source: T; seq_no: number; primary_term: number };

/** Realtime GET by id: reads its own writes without a refresh. null when missing. */
export async function getDoc<T>(ctx: EsContext, index: string, id: string): Promise<VersionedDoc<T> | null> {
  let response: estypes.GetResponse<T>;
  try {
    response = await ctx.client.get<T>({ index, id });
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
  if (!response.found) return null;
  if (response._source === undefined || response._seq_no === undefined || response._primary_term === undefined) {
    throw new Error(`GET ${index}/${id} answered without _source, _seq_no or _primary_term`);
  }
  return { source: response._source, seq_no: response._seq_no, primary_term: response._primary_term };
}

/**
 * Every document matching `query`, in `sort` order, however many pages that takes. The sort must
 * end with a unique field (e.g. `id`) so that search_after neither skips nor repeats a document.
 */
export async function searchAll<T>(
  ctx: EsContext,
  index: string,
  query: estypes.QueryDslQueryContainer,
  sort: estypes.SortCombinations[],
): Promise<T[]> {
  const results: T[] = [];
  let after: estypes.SortResults | undefined;
  for (;;) {
    const response = await ctx.client.search<T>({
      index,
      query,
      sort,
      size: MAX_PAGE,
      track_total_hits: false,
      ...(after ? { search_after: after } : {}),
    });
    if (response.timed_out || response._shards.failed > 0) {
      throw new Error(`search of ${index} was partial (timed out or ${response._shards.failed} shard(s) failed)`);
    }
    const hits = response.hits.hits;
    for (const hit of hits) {
      if (hit._source === undefined) throw new Error(`search of ${index}: hit ${hit._id} has no _source`);
      results.push(hit._source);
    }
    if (hits.length < MAX_PAGE) return results;
    after = hits.at(-1)?.sort;
    if (!after) throw new Error(`search of ${index}: a full page came back without sort values to continue from`);
  }
}

