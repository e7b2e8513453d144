// Reads a response body up to a cap, counting bytes and feeding the keyword scanner; nothing of
// the body is kept. Past the cap the rest is not downloaded: body_bytes then reports the cap and
// the probe only fails if a keyword was expected and not found in what was read.

import type { Readable } from 'node:stream';
import { describeError, ProbeFailure } from './failure.ts';
import type { KeywordScanner } from './validators.ts';

export type BodyResult = { bytes: number; truncated: boolean };

export async function readBody(
  body: Readable,
  opts: { capBytes: number; scanner: KeywordScanner | null; signal: AbortSignal },
): Promise<BodyResult> {
  let bytes = 0;
  try {
    for await (const raw of body) {
      const chunk = raw as Buffer;
      const room = opts.capBytes - bytes;
      const taken = chunk.length > room ? chunk.subarray(0, room) : chunk;
      bytes += taken.length;
      opts.scanner?.push(taken);
      if (bytes >= opts.capBytes) {
        body.destroy();
        return { bytes, truncated: true };
      }
      // Stop early once the keyword is seen? No: body_bytes and total_us describe the whole body.
    }
  } catch (error) {
    if (opts.signal.aborted) throw opts.signal.reason;
    throw new ProbeFailure('body', `error while reading the body after ${bytes} bytes: ${describeError(error)}`);
  }
  return { bytes, truncated: false };
}
