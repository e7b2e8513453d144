// Test support: real HTTP(S) targets on 127.0.0.1:0 with a handler per test, closed with every
// connection they hold (so a test's hanging server cannot keep the run alive).

import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;
export type Target = { url: string; port: number; requests: IncomingMessage[]; close(): Promise<void> };

async function listen(server: Server, scheme: 'http' | 'https', requests: IncomingMessage[]): Promise<Target> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function httpTarget(handler: Handler): Promise<Target> {
  const requests: IncomingMessage[] = [];
  return listen(createHttp((req, res) => (requests.push(req), handler(req, res))), 'http', requests);
}

export function httpsTarget(tls: { key: string; cert: string }, handler: Handler): Promise<Target> {
  const requests: IncomingMessage[] = [];
  return listen(createHttps(tls, (req, res) => (requests.push(req), handler(req, res))), 'https', requests);
}
