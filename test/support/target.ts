// A local HTTP target on 127.0.0.1 that a test can take down and bring back on the same port.

import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export type Target = {
  url: string;
  port: number;
  hits: () => number;
  down(): Promise<void>;
  up(): Promise<void>;
};

export async function startTarget(body = 'all good'): Promise<Target> {
  let hits = 0;
  let server: Server | null = null;
  let port = 0;
  const up = async () => {
    server = createServer((_req, res) => {
      hits += 1;
      res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  };
  await up();
  return {
    get url() {
      return `http://127.0.0.1:${port}/`;
    },
    get port() {
      return port;
    },
    hits: () => hits,
    async down() {
      if (!server) return;
      const s = server;
      server = null;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    up,
  };
}
