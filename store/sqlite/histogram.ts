// A small fixed histogram of response times, kept per monitor and hour in rollup_hour, from
// which history estimates the p95. Bins are log-spaced, four per doubling (each ~19% wide), so
// an estimate is within ~10% of the true value: bin 0 is [0, 1 ms), bin k is
// [2^((k-1)/4), 2^(k/4)) ms, and the last bin is open-ended (past ~2 minutes).
//
// Stored sparse, as a blob of (bin: 1 byte, count: unsigned LEB128) pairs in bin order, since an
// hour of checks usually falls in a handful of bins. Only this module reads or writes it.

import { createBlobReader, pushVarint } from './varint.ts';

export type Histogram = Map<number, number>;

export const BIN_COUNT = 70;

export function binOf(responseUs: number): number {
  const ms = responseUs / 1000;
  if (ms < 1) return 0;
  return Math.min(BIN_COUNT - 1, 1 + Math.floor(Math.log2(ms) * 4));
}

/** Representative value of a bin in ms: its geometric middle (1 ms wide bin 0: 0.5 ms). */
function binMiddleMs(bin: number): number {
  if (bin === 0) return 0.5;
  return 2 ** ((bin - 0.5) / 4);
}

export function addTo(histogram: Histogram, bin: number, count = 1): void {
  histogram.set(bin, (histogram.get(bin) ?? 0) + count);
}

export function encode(histogram: Histogram): Uint8Array {
  const bytes: number[] = [];
  for (const bin of [...histogram.keys()].sort((a, b) => a - b)) {
    const count = histogram.get(bin) ?? 0;
    if (count <= 0) continue;
    bytes.push(bin);
    pushVarint(bytes, count);
  }
  return Uint8Array.from(bytes);
}

/** Adds the counts in `bytes` to `into` (a fresh histogram when omitted). */
export function decodeInto(bytes: Uint8Array, into: Histogram = new Map()): Histogram {
  const reader = createBlobReader(bytes, 'response histogram');
  while (!reader.done()) {
    const bin = reader.byte();
    addTo(into, bin, reader.varint());
  }
  return into;
}

/** SQL function body for `histogram_merge(a, b)` used by the rollup upsert. */
export function mergeEncoded(a: Uint8Array, b: Uint8Array): Uint8Array {
  return encode(decodeInto(b, decodeInto(a)));
}

/**
 * The approximate 95th percentile in ms (nearest-rank over bins), clamped to the observed
 * maximum so that it never exceeds a value that was actually seen; null when empty.
 */
export function p95Ms(histogram: Histogram, maxMs: number | null): number | null {
  let total = 0;
  for (const count of histogram.values()) total += count;
  if (total === 0) return null;
  const rank = Math.ceil(total * 0.95);
  let seen = 0;
  for (const bin of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bin) ?? 0;
    if (seen >= rank) {
      const estimate = binMiddleMs(bin);
      return maxMs === null ? estimate : Math.min(estimate, maxMs);
    }
  }
  return null;
}
