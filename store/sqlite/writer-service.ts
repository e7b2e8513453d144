// The SQLite check writer as a service on a message port: its own connection to the store's
// file, on which it appends the batches it is sent and runs the folds, one message at a time in
// the order they came. It runs on a thread of its own (writer-thread.ts) or on a thread that
// hosts it (store/thread-host.ts: the collector's first probe thread). The file is migrated
// already; the service never changes anything but checks, rollups and their lists.

import type { MessagePort } from 'node:worker_threads';
import type { Check } from '../types.ts';
import { type SqliteCheckWriter, createCheckWriter } from './checks-write.ts';
import { type Db, openDb } from './db.ts';
import { foldAll } from './fold.ts';

/** `sliceMs` when the thread's loop is shared (checks-write.ts). */
export type WriterThreadData = { path: string; foldEveryMs: number; sliceMs?: number };
export type ToWriterThread = { id: number; type: 'append'; checks: Check[] } | { id: number; type: 'close' };
export type FromWriterThread = { id: number; ok: true } | { id: number; ok: false; error: { name: string; message: string; errcode?: unknown } };

/** What a hosting thread awaits before it ends: the batch being written, if any. */
export type Service = { idle(): Promise<void> };

export function serve(port: MessagePort, { path, foldEveryMs, sliceMs }: WriterThreadData): Service {
  let opened: { db: Db; writer: SqliteCheckWriter } | null = null;
  function writer(): SqliteCheckWriter {
    if (opened === null) {
      const db = openDb(path, Date.now);
      opened = { db, writer: createCheckWriter(db, sliceMs === undefined ? { foldEveryMs } : { foldEveryMs, sliceMs }) };
    }
    return opened.writer;
  }

  async function handle(message: ToWriterThread): Promise<void> {
    if (message.type === 'append') {
      await writer().appendChecks(message.checks);
      return;
    }
    // A close comes only once this process has appended checks, maybe through another writer (a
    // host that stopped, threaded-writer.ts): fold whatever waits, whoever appended it.
    const db = opened?.db ?? openDb(path, Date.now);
    opened = null;
    try {
      foldAll(db);
    } finally {
      db.conn.close();
    }
  }

  // A fold yields to the hosting thread's loop between its slices: chaining keeps the order.
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
  // The writer went elsewhere (threaded-writer.ts): its connection closes once its work is done.
  port.on('close', () => {
    queue = queue.then(() => {
      opened?.db.conn.close();
      opened = null;
    });
  });
  return { idle: () => queue };
}
