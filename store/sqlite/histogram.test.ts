import { describe, expect, it } from 'vitest';
import { type Histogram, addTo, binOf, decodeInto, encode, mergeEncoded, p95Ms } from './histogram.ts';

describe('response histogram', () => {
  it('estimates the p95 within 10% of the exact value and never above the maximum', () => {
    const values = Array.from({ length: 1_000 }, (_, i) => 20 + ((i * 7919) % 1_000) * 1.7); // ms
    const histogram: Histogram = new Map();
    for (const ms of values) addTo(histogram, binOf(ms * 1000));
    const sorted = [...values].sort((a, b) => a - b);
    const exact = sorted[Math.ceil(sorted.length * 0.95) - 1]!;
    const estimate = p95Ms(histogram, Math.max(...values))!;
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.1);
    expect(p95Ms(new Map([[binOf(390_000), 3]]), 390)).toBe(390); // clamped to the maximum seen
    expect(p95Ms(new Map([[binOf(100_000), 3]]), 100)).toBeCloseTo(100, -1);
    expect(p95Ms(new Map(), null)).toBeNull();
  });

  it('round-trips through its sparse encoding and merges by adding counts', () => {
    const a: Histogram = new Map([
      [0, 1],
      [12, 300],
      [69, 70_000],
    ]);
    const b: Histogram = new Map([[12, 5]]);
    expect(decodeInto(encode(a))).toEqual(a);
    expect(decodeInto(mergeEncoded(encode(a), encode(b)))).toEqual(new Map([[0, 1], [12, 305], [69, 70_000]]));
    expect(encode(new Map([[3, 1]]))).toHaveLength(2);
    expect(() => decodeInto(Uint8Array.from([4, 0x80]))).toThrow(/truncated/);
  });
});
