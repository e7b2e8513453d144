// A sorted list of check sequence numbers, stored as a blob in check_hours: the first number and
// then the gaps, each as an unsigned LEB128 varint. A monitor's consecutive checks are a few
// thousand sequence numbers apart even at a thousand checks per second, so an hour of a 20 s
// monitor (180 checks) takes about 540 bytes. Only this module reads or writes the format.

import { createBlobReader, pushVarint } from './varint.ts';

export function encodeSeqs(seqs: readonly number[]): Uint8Array {
  const bytes: number[] = [];
  let previous = 0;
  for (const seq of seqs) {
    const gap = seq - previous;
    if (!Number.isSafeInteger(gap) || gap < 0) throw new RangeError(`sequence numbers must ascend (got ${seq} after ${previous})`);
    previous = seq;
    pushVarint(bytes, gap);
  }
  return Uint8Array.from(bytes);
}

export function decodeSeqs(bytes: Uint8Array): number[] {
  const seqs: number[] = [];
  let previous = 0;
  const reader = createBlobReader(bytes, 'sequence list');
  while (!reader.done()) {
    previous += reader.varint();
    seqs.push(previous);
  }
  return seqs;
}

/** Both lists as one sorted list without repeats (a later fold nearly always only appends). */
export function mergeSeqs(a: Uint8Array, b: Uint8Array): Uint8Array {
  const left = decodeSeqs(a);
  const right = decodeSeqs(b);
  const lastLeft = left.at(-1);
  const firstRight = right[0];
  if (lastLeft === undefined || firstRight === undefined || lastLeft < firstRight) return encodeSeqs([...left, ...right]);
  return encodeSeqs([...new Set([...left, ...right])].sort((x, y) => x - y));
}
