// Unsigned LEB128 varints, the number encoding of our blob formats (seq-list.ts, histogram.ts):
// seven bits a byte, low bits first, the high bit set on every byte but the last.

export function pushVarint(bytes: number[], value: number): void {
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
}

/** Reads a blob front to back; `what` names the blob in the error a truncated one raises. */
export function createBlobReader(bytes: Uint8Array, what: string) {
  let at = 0;
  const next = (): number => {
    const byte = bytes[at++];
    if (byte === undefined) throw new Error(`${what} blob is truncated`);
    return byte;
  };
  return {
    done: () => at >= bytes.length,
    byte: next,
    varint(): number {
      let value = 0;
      let scale = 1;
      for (;;) {
        const byte = next();
        value += (byte & 0x7f) * scale;
        if (byte < 0x80) return value;
        scale *= 0x80;
      }
    },
  };
}
