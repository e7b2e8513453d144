// Small pure validators built once per monitor: which status codes count as up, and whether a
// keyword occurs in a body that arrives in chunks. parseExpectStatus is also what the API uses to
// refuse a bad `expect_status` with a reason.
//
// Example:
//   const r = parseExpectStatus('200,204,300-302'); // r.ok && r.match(301) === true

export type StatusMatcher = (code: number) => boolean;
export type ParsedStatus = { ok: true; match: StatusMatcher } | { ok: false; reason: string };

const CODE = /^\d{3}$/;

/** Accepts "200-399", "200,204" or a mix ("200,204,300-302"); codes 100 to 599. */
export function parseExpectStatus(spec: string): ParsedStatus {
  const ranges: Array<[number, number]> = [];
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    const bounds = item.split('-').map((s) => s.trim());
    if (bounds.length > 2 || !bounds.every((b) => CODE.test(b))) {
      return { ok: false, reason: `invalid status item ${JSON.stringify(item)}: expected a code like 200 or a range like 200-399` };
    }
    const low = Number(bounds[0]);
    const high = Number(bounds[bounds.length - 1]);
    if (low < 100 || high > 599) return { ok: false, reason: `invalid status item ${JSON.stringify(item)}: codes go from 100 to 599` };
    if (low > high) return { ok: false, reason: `invalid status range ${JSON.stringify(item)}: the first code must not exceed the second` };
    ranges.push([low, high]);
  }
  return { ok: true, match: (code) => ranges.some(([low, high]) => code >= low && code <= high) };
}

export type KeywordScanner = {
  /** Feeds the next chunk of the body. */
  push(chunk: Buffer): void;
  readonly found: boolean;
};

/**
 * Case-sensitive search for `keyword` (UTF-8 bytes) across chunk boundaries, keeping only the
 * last keyword-length bytes between chunks instead of the whole body.
 */
export function createKeywordScanner(keyword: string): KeywordScanner {
  const needle = Buffer.from(keyword, 'utf8');
  const keep = needle.length - 1;
  let tail = Buffer.alloc(0);
  let found = needle.length === 0;
  return {
    push(chunk) {
      if (found) return;
      if (chunk.indexOf(needle) !== -1) {
        found = true;
        return;
      }
      if (keep === 0) return;
      // A match straddling the boundary starts in `tail` and ends in the chunk's first bytes.
      const seam = Buffer.concat([tail, chunk.subarray(0, keep)]);
      if (seam.indexOf(needle) !== -1) {
        found = true;
        return;
      }
      const joined = chunk.length >= keep ? chunk.subarray(chunk.length - keep) : Buffer.concat([tail, chunk]);
      tail = Buffer.from(joined.subarray(Math.max(0, joined.length - keep)));
    },
    get found() {
      return found;
    },
  };
}
