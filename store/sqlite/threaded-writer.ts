// Appending checks on another thread (writer-service.ts), with its own connection to the file.
// A batch's inserts and, every minute or so, a fold of tens of thousands of checks into the
// rollups (~0.3 s per chunk at 50,000 monitors) then no longer run on the thread that answers the
// API and runs alerting: readers there see each committed batch through WAL snapshots as before,
// and only the rare writes of that thread (a monitor saved, a cursor moved) can wait for the
// write lock, as they would for another process's write.
//
// When the process runs probe threads, the first of them hosts the writer (`host`, filled by the
// collector: store/thread-host.ts) instead of a thread of its own, which would cost a V8 heap for
// a few percent of a core; the fold then yields to the probes between slices (checks-write.ts).
//
// The writer starts with the first batch, so a store that never appends checks (an API-only
// process, most tests) never starts one. A batch fails as it would inline (same error name and
// message; a check not stored is replayed by the collector from its spool); a thread that dies
// fails the batches it held and the next batch starts the writer again, hosted if a host is there.

import { MessageChannel, type MessagePort, type ResourceLimits, Worker } from 'node:worker_threads';
import type { ThreadHost, ThreadHostSlot } from '../thread-host.ts';
import type { SqliteCheckWriter } from './checks-write.ts';
import type { FromWriterThread, ToWriterThread, WriterThreadData } from './writer-service.ts';

/** Batches sent and not yet answered; the collector sends one at a time, so this only guards misuse. */
const MAX_IN_FLIGHT = 1_000;
/**
 * The thread's old generation: 20–50 MB live at 50,000 monitors (docs/architecture.md, Memory).
 * A leak ends the thread at this bound, failing its batches, instead of growing the process.
 */
const HEAP_LIMIT_MB = 512;
/**
 * Its young generation (three semi-spaces of 4 MB): a batch's rows and a fold's chunk are garbage
 * once committed. Sized here, not by `npm start`'s flag, which is the main thread's (main.ts).
 */
const YOUNG_GENERATION_MB = 12;

/** A hosted writer's slices: a probe started meanwhile is late by at most about this. */
const HOSTED_SLICE_MS = 10;

type Pending = { resolve: () => void; reject: (error: Error) => void };

export type ThreadedWriterOptions = { limits?: ResourceLimits; host?: ThreadHostSlot };

/** The writer's end of a link: its own thread, or a port to the thread that hosts it (`host`). */
type Link = { endpoint: Worker | MessagePort; host: ThreadHost | null; pending: Map<number, Pending>; end(): Promise<void> };

export function startThreadedCheckWriter(data: WriterThreadData, options: ThreadedWriterOptions = {}): SqliteCheckWriter {
  const limits = options.limits ?? { maxOldGenerationSizeMb: HEAP_LIMIT_MB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB };
  let link: Link | null = null;
  let closed = false;
  let sent = false;
  let nextId = 1;

  function ended(from: Link, reason: Error): void {
    if (link === from) link = null;
    for (const waiting of from.pending.values()) waiting.reject(reason);
    from.pending.clear();
  }

  function listen(from: Link): void {
    from.endpoint.on('message', (reply: FromWriterThread) => {
      const waiting = from.pending.get(reply.id);
      if (!waiting) return;
      from.pending.delete(reply.id);
      if (from.pending.size === 0) {
        from.endpoint.unref();
        // A link left behind (its host went away) ends once its last batch is answered.
        if (from !== link) void from.end();
      }
      if (reply.ok) waiting.resolve();
      else waiting.reject(rebuilt(reply.error));
    });
  }

  function spawn(): Link {
    const host = options.host?.current ?? null;
    if (host) {
      const { port1, port2 } = new MessageChannel();
      const hosted: Link = { endpoint: port1, host, pending: new Map(), end: async () => port1.close() };
      listen(hosted);
      port1.on('close', () => ended(hosted, new Error('the thread hosting the SQLite check writer stopped')));
      host.host(new URL('./writer-service.ts', import.meta.url), port2, { ...data, sliceMs: HOSTED_SLICE_MS } satisfies WriterThreadData);
      return hosted;
    }
    const worker = new Worker(new URL('./writer-thread.ts', import.meta.url), { workerData: data, name: 'sqlite-writer', resourceLimits: limits });
    const own: Link = { endpoint: worker, host: null, pending: new Map(), end: async () => void (await worker.terminate()) };
    let failure: Error | null = null;
    listen(own);
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => ended(own, new Error(`the SQLite check writer thread stopped (exit code ${code})${failure ? `: ${failure.message}` : ''}`)));
    return own;
  }

  /**
   * The link for the next batch. When the host has left the slot (the collector stops its
   * threads), later batches go to a writer thread of the store's own while the host answers the
   * ones it holds, so that a stop fails no batch.
   */
  function current(): Link {
    if (link?.host && options.host?.current !== link.host) {
      const left = link;
      link = null;
      if (left.pending.size === 0) void left.end();
    }
    link ??= spawn();
    return link;
  }

  function send(message: ToWriterThread): Promise<void> {
    const { endpoint, pending } = current();
    sent = true;
    if (pending.size >= MAX_IN_FLIGHT) return Promise.reject(new Error(`${MAX_IN_FLIGHT} check batches are waiting for the SQLite writer thread already`));
    return new Promise<void>((resolve, reject) => {
      pending.set(message.id, { resolve, reject });
      // Held open only while a batch waits, so an idle store never keeps the process alive.
      endpoint.ref();
      endpoint.postMessage(message);
    });
  }

  return {
    async appendChecks(checks) {
      if (closed) throw new Error('the SQLite store is closed');
      if (checks.length === 0) return;
      await send({ id: nextId++, type: 'append', checks });
    },
    /** The thread folds every waiting check, as the inline writer does, and ends. */
    async close() {
      if (closed) return;
      closed = true;
      // Whenever a batch was sent, even if its link has gone with its host (the collector stopped
      // its threads): a writer of the store's own then folds what waits.
      if (!sent) return;
      const running = current();
      try {
        await send({ id: nextId++, type: 'close' });
      } finally {
        await running.end();
      }
    },
  };
}

/** The thread's error as the caller would have seen it inline: name, message and SQLite's code. */
function rebuilt(error: { name: string; message: string; errcode?: unknown }): Error {
  const made = error.name === 'TypeError' ? new TypeError(error.message) : error.name === 'RangeError' ? new RangeError(error.message) : new Error(error.message);
  if (made.name !== error.name) made.name = error.name;
  if (error.errcode !== undefined) Object.assign(made, { errcode: error.errcode });
  return made;
}
