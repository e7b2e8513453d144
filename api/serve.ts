// Serves an app over HTTP with @hono/node-server and resolves once it is listening, with the
// actual port (useful with port 0) and a close() that stops accepting and ends idle connections.

import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiApp } from './deps.ts';

export type RunningServer = { port: number; close(): Promise<void> };

// Slow clients must not hold sockets forever.
const HEADERS_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 30_000;

export function serveApp(app: ApiApp, opts: { port: number; host: string }): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        port: opts.port,
        hostname: opts.host,
        serverOptions: { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
      },
      (info: AddressInfo) => {
        server.off('error', reject);
        resolve({
          port: info.port,
          close: () =>
            new Promise<void>((done, fail) => {
              (server as Server).close((error) => (error ? fail(error) : done()));
              (server as Server).closeIdleConnections();
            }),
        });
      },
    );
    server.once('error', reject);
  });
}
