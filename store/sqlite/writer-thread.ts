// The SQLite check writer's thread (threaded-writer.ts starts it): its own connection to the
// store's file, on which it appends the batches it is sent and runs the folds, one message at a
// time in the order they came. The file is migrated already; the thread never changes anything
// but checks, rollups and their lists.

import { parentPort, workerData } from 'node:worker_threads';
import type { Check } from '../types.ts';
import { type SqliteCheckWriter, createCheckWriter } from './checks-write.ts';
import { type Db, openDb } from './db.ts';

export type WriterThreadData = { path: string; foldEveryMs: number };
export type ToWriterThread = { id: number; type: 'append'; checks: Check[] } | { id: number; type: 'close' };
export type FromWriterThread = { id: number; ok: true } | { id: number; ok: false; error: { name: string; message: string; errcode?: unknown } };

const port = parentPort;
if (port === null) throw new Error('writer-thread.ts runs only as a worker thread (threaded-writer.ts)');
const { path, foldEveryMs } = workerData as WriterThreadData;

let opened: { db: Db; writer: SqliteCheckWriter } | null = null;
function writer(): SqliteCheckWriter {
  if (opened === null) {
    const db = openDb(path, Date.now);
    opened = { db, writer: createCheckWriter(db, foldEveryMs) };
  }
  return opened.writer;
}

async function handle(message: ToWriterThread): Promise<void> {
  if (message.type === 'append') {
    await writer().appendChecks(message.checks);
    return;
  }
  if (opened === null) return;
  await opened.writer.close();
  opened.db.conn.close();
  opened = null;
}

// appendChecks is synchronous inside (node:sqlite), but chaining keeps the order even if it stops being.
let queue = Promise.resolve();
port.on('message', (message: ToWriterThread) => {
  queue = queue.then(async () => {
    let reply: FromWriterThread;
    try {
      await handle(message);
      reply = { id: message.id, ok: true };
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      reply = { id: message.id, ok: false, error: { name: error.name, message: error.message, errcode: (error as { errcode?: unknown }).errcode } };
    }
    port.postMessage(reply);
  });
});
