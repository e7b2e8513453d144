// The peer address of a request, for rate-limit keys. Taken from the socket, not from
// X-Forwarded-For, which any client can set; behind a proxy every client shares the proxy's
// bucket, which errs on the safe side.

import type { Context } from 'hono';
import type { AppEnv } from '../deps.ts';

export function clientAddress(c: Context<AppEnv>): string {
  return c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
