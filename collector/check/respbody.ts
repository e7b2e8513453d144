// Reads a response body up to a cap, counting bytes and feeding the keyword scanner; the body is
// kept only when asked (`keep`: JSON assertions need it whole). Past the cap the rest is not downloaded: body_bytes then reports the cap and
// the probe only fails if a keyword was expected and not found in what was read.

import type { Readable } from 'node:stream';
import { describeError, ProbeFailure } from './failure.ts';
import type { KeywordScanner } from './validators.ts';

/** `data`: what was read, when `keep` was asked. */
export type BodyResult = { bytes: number; truncated: boolean; data?: Buffer };

export async function readBody(
  body: Readable,
  opts: { capBytes: number; scanner: KeywordScanner | null; signal: AbortSignal; keep?: boolean },
): Promise<BodyResult> {
  let bytes = 0;
  const kept: Buffer[] = [];
  const result = (truncated: boolean): BodyResult => (opts.keep ? { bytes, truncated, data: Buffer.concat(kept) } : { bytes, truncated });
  try {
    for await (const raw of body) {
      const chunk = raw as Buffer;
      const room = opts.capBytes - bytes;
      const taken = chunk.length > room ? chunk.subarray(0, room) : chunk;
      bytes += taken.length;
      opts.scanner?.push(taken);
      if (opts.keep) kept.push(taken);
      if (bytes >= opts.capBytes) {
        body.destroy();
        return result(true);
      }
      // Stop early once the keyword is seen? No: body_bytes and total_us describe the whole body.
    }
  } catch (error) {
    if (opts.signal.aborted) throw opts.signal.reason;
    throw new ProbeFailure('body', `error while reading the body after ${bytes} bytes: ${describeError(error)}`);
  }
  return result(false);
}
