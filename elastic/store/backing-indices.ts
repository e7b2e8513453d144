// The backing indices of the checks data stream, oldest first, with the time each was created
// (the time it became the write index). A data stream keeps `_id` unique only inside one backing
// index, so the check writer (checks-write.ts) uses this list to find where a replayed check may
// already be stored, and retention (retention.ts) to drop whole old indices.
//
// Index i was the write index from its creation until the creation of index i + 1. A check
// probed at time t is written at t or later, so it can only be stored in an index that was still
// the write index at some time >= t (less a margin for the writer's clock): `indicesHolding`.

import type { EsContext } from './context.ts';

export type BackingIndex = { name: string; createdAt: number };

/** Collector clocks may run behind the node's: an index is a candidate this long after its write period ended. */
export const CLOCK_SKEW_MARGIN_MS = 5 * 60_000;

/** Oldest first; the last one is the write index. Two requests. */
export async function readBackingIndices(ctx: EsContext): Promise<BackingIndex[]> {
  const stream = ctx.names.checks;
  const response = await ctx.client.indices.getDataStream({ name: stream });
  const found = response.data_streams.find((s) => s.name === stream);
  if (!found || found.indices.length === 0) throw new Error(`data stream ${stream} not found or without backing indices`);
  // By the data stream name, not the index names: hundreds of names would overflow the URL.
  const settings = await ctx.client.indices.getSettings({ index: stream, name: 'index.creation_date', flat_settings: true });
  return found.indices.map(({ index_name: name }) => {
    const raw = settings[name]?.settings?.['index.creation_date'];
    const createdAt = Number(raw);
    if (raw === undefined || !Number.isFinite(createdAt)) {
      throw new Error(`backing index ${name} of ${stream}: no index.creation_date in its settings`);
    }
    return { name, createdAt };
  });
}

/**
 * The indices other than the write index that may already hold a check probed at `timestamp`:
 * those whose write period ended after it (less the clock margin). Empty for a live check.
 */
export function indicesHolding(indices: BackingIndex[], timestamp: number): BackingIndex[] {
  const holding: BackingIndex[] = [];
  for (let i = 0; i < indices.length - 1; i++) {
    const endedAt = indices[i + 1]!.createdAt;
    if (endedAt > timestamp - CLOCK_SKEW_MARGIN_MS) holding.push(indices[i]!);
  }
  return holding;
}
