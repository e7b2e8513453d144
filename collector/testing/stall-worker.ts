// Worker thread for stall.test.ts: a healthy HTTP target on 127.0.0.1 with its own event loop,
// so it keeps answering while the test's loop is blocked, and a second SQLite connection that
// holds the store's write lock for a while on request, as another process would.
//
// Messages out: { port } once listening, { request } per request received, { locked } once the
// write lock is held, { unlocked } once it is released. In: { lock: ms }, { stop: true }.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

const { dbPath, answerAfterMs } = workerData as { dbPath: string; answerAfterMs: number };
const port = parentPort!;
const db = new DatabaseSync(dbPath, { timeout: 10_000 });

const server = createServer((_req, res) => {
  port.postMessage({ request: true });
  setTimeout(() => res.end('ok'), answerAfterMs);
});
server.keepAliveTimeout = 1;
server.listen(0, '127.0.0.1', () => port.postMessage({ port: (server.address() as AddressInfo).port }));

port.on('message', (message: { lock?: number; stop?: boolean }) => {
  if (message.lock !== undefined) {
    db.exec('BEGIN IMMEDIATE');
    port.postMessage({ locked: true });
    setTimeout(() => {
      db.exec('COMMIT');
      port.postMessage({ unlocked: true });
    }, message.lock);
  }
  if (message.stop) {
    server.closeAllConnections();
    server.close(() => {
      db.close();
      port.close();
    });
  }
});
