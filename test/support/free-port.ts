// A port on 127.0.0.1 that nobody listens on: bound to port 0, then closed. For a connection that
// must be refused, or for a server started in another process on a port chosen beforehand (another
// process could take it in between; on a test machine that does not happen in practice).

import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
