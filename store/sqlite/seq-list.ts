// A sorted list of check sequence numbers, stored as a blob in check_hours: the first number and
// then the gaps, each as an unsigned LEB128 varint. A monitor's consecutive checks are a few
// thousand sequence numbers apart even at a thousand checks per second, so an hour of a 20 s
// monitor (180 checks) takes about 540 bytes. Only this module reads or writes the format.

export function encodeSeqs(seqs: readonly number[]): Uint8Array {
  const bytes: number[] = [];
  let previous = 0;
  for (const seq of seqs) {
    let value = seq - previous;
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`sequence numbers must ascend (got ${seq} after ${previous})`);
    previous = seq;
    while (value >= 0x80) {
      bytes.push((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    bytes.push(value);
  }
  return Uint8Array.from(bytes);
}

export function decodeSeqs(bytes: Uint8Array): number[] {
  const seqs: number[] = [];
  let previous = 0;
  let at = 0;
  while (at < bytes.length) {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[at++];
      if (byte === undefined) throw new Error('sequence list blob is truncated');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
    }
    previous += value;
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
