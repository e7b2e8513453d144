// A worker thread that runs a service of the store beside its own work. The SQLite check writer
// needs a thread of its own loop (folds are long), and a thread costs a V8 heap (~40 MB at 50,000
// monitors): when the collector already runs probe threads, the first of them hosts the writer
// (docs/architecture.md, Roles over the cores). The slot is how the two meet: the collector fills it when its
// thread starts and empties it when it stops; the writer looks when it (re)starts, and starts a
// thread of its own when the slot is empty.

import type { MessagePort } from 'node:worker_threads';

export type ThreadHost = {
  /**
   * Makes the thread import `module` and call its `serve(port, data)`. The port is closed, and
   * its peer sees 'close', when the thread cannot take it or ends.
   */
  host(module: URL, port: MessagePort, data: unknown): void;
};

export type ThreadHostSlot = { current: ThreadHost | null };

export function createThreadHostSlot(): ThreadHostSlot {
  return { current: null };
}
