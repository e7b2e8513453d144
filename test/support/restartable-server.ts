// An HTTP server on 127.0.0.1 that a test can take down and bring back on the same port: while
// down, connections are refused, and going down cuts the open ones (as a process that dies
// would). The base of a switchable target (target.ts) and of the search engine's fault proxy
// (fault-proxy.ts).
//
//   const server = await startRestartableServer((req, res) => res.end('ok'));
//   await server.down(); …; await server.up();   // server.port is the same throughout

import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RestartableServer = {
  readonly port: number;
  /** Stops listening and cuts every open connection; nothing when already down. */
  down(): Promise<void>;
  /** Listens again on the same port; nothing when already up. */
  up(): Promise<void>;
};

export async function startRestartableServer(handler: RequestListener): Promise<RestartableServer> {
  let server: Server | null = null;
  let port = 0;
  const listen = async () => {
    const s = createServer(handler);
    s.listen(port, '127.0.0.1');
    await once(s, 'listening');
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  await listen();
  return {
    get port() {
      return port;
    },
    async down() {
      const s = server;
      if (!s) return;
      server = null;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async up() {
      if (!server) await listen();
    },
  };
}
