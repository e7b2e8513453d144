import { describe, expect, it } from 'vitest';
import { decodeSeqs, encodeSeqs, mergeSeqs } from './seq-list.ts';

describe('sequence lists', () => {
  it('round-trips small, large and widely spaced numbers', () => {
    const seqs = [1, 2, 130, 20_000, 20_001, 2 ** 40, 2 ** 52];
    expect(decodeSeqs(encodeSeqs(seqs))).toEqual(seqs);
    expect(decodeSeqs(encodeSeqs([]))).toEqual([]);
  });

  it('merges an appended list and an overlapping one into one sorted list without repeats', () => {
    expect(decodeSeqs(mergeSeqs(encodeSeqs([1, 5]), encodeSeqs([9, 12])))).toEqual([1, 5, 9, 12]);
    expect(decodeSeqs(mergeSeqs(encodeSeqs([1, 9]), encodeSeqs([5, 9, 12])))).toEqual([1, 5, 9, 12]);
  });

  it('refuses a list that does not ascend and a truncated blob', () => {
    expect(() => encodeSeqs([5, 3])).toThrow(/must ascend/);
    expect(() => decodeSeqs(Uint8Array.from([0x80]))).toThrow(/truncated/);
  });
});
