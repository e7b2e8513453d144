// A local HTTP target on 127.0.0.1 that a test can switch: answering 200 (`ok`), 500 (`error`),
// not answering at all (`hang`: the probe times out), or taken down and brought back on the same
// port (connections refused meanwhile).

import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export type TargetMode = 'ok' | 'error' | 'hang';

export type Target = {
  url: string;
  port: number;
  hits: () => number;
  set(mode: TargetMode): void;
  /** Stops listening and cuts open connections (a hanging probe ends with them). */
  down(): Promise<void>;
  /** Listens again, answering `ok`. */
  up(): Promise<void>;
};

export async function startTarget(body = 'all good'): Promise<Target> {
  let hits = 0;
  let mode: TargetMode = 'ok';
  let server: Server | null = null;
  let port = 0;
  const listen = async () => {
    const s = createServer((_req, res) => {
      hits += 1;
      if (mode === 'hang') return;
      res.writeHead(mode === 'ok' ? 200 : 500, { 'content-type': 'text/plain' }).end(mode === 'ok' ? body : 'error');
    });
    s.listen(port, '127.0.0.1');
    await once(s, 'listening');
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}/`;
    },
    get port() {
      return port;
    },
    hits: () => hits,
    set(next) {
      mode = next;
    },
    async down() {
      if (!server) return;
      const s = server;
      server = null;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async up() {
      mode = 'ok';
      if (!server) await listen();
    },
  };
}
