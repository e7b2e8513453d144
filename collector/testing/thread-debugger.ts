// Test support: makes a probe thread die the way a bug in it would, with no hook in the product.
// An inspector session in the test's process attaches to every worker thread (the NodeWorker
// domain of the DevTools protocol, as a debugger does) and, on request, schedules an uncaught
// error inside the thread named `probe-<lane>`. The thread then ends as after a real crash: its
// 'error' event, then 'exit' with code 1.
//
// Example:
//   const threads = await attachToThreads();
//   await threads.crash('probe-0', 'killed by test'); ... await threads.detach();

import { Session } from 'node:inspector/promises';

type Attached = { params: { sessionId: string; workerInfo: { title: string } } };
type Detached = { params: { sessionId: string } };
type Reply = { params: { sessionId: string; message: string } };

export type ThreadDebugger = {
  /** Throws `message` uncaught inside the live thread named `name`; resolves once the thread has taken it. */
  crash(name: string, message: string): Promise<void>;
  /** The names of the live threads ("probe-0", "sqlite-writer"…). */
  names(): string[];
  detach(): Promise<void>;
};

export async function attachToThreads(): Promise<ThreadDebugger> {
  const session = new Session();
  session.connect();
  /** Live threads: inspector session id → title ("[worker 3] probe-0"). */
  const threads = new Map<string, string>();
  const replies = new Map<string, (message: string) => void>();
  session.on('NodeWorker.attachedToWorker', ({ params }: Attached) => void threads.set(params.sessionId, params.workerInfo.title));
  session.on('NodeWorker.detachedFromWorker', ({ params }: Detached) => void threads.delete(params.sessionId));
  session.on('NodeWorker.receivedMessageFromWorker', ({ params }: Reply) => replies.get(params.sessionId)?.(params.message));
  // Attaches to the threads already running and to every one started later (a restart).
  await session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });

  return {
    async crash(name, message) {
      // The newest: a thread that just died may not have been reported detached yet.
      const sessionId = [...threads].findLast(([, title]) => title.endsWith(` ${name}`))?.[0];
      if (sessionId === undefined) throw new Error(`no live thread named ${name} (live: ${[...threads.values()].join(', ') || 'none'})`);
      const evaluated = new Promise<string>((resolve) => replies.set(sessionId, resolve));
      // Thrown from a macrotask, not from the evaluation itself: an error thrown by the evaluated
      // expression would come back to the debugger as its result instead of ending the thread.
      const expression = `setImmediate(() => { throw new Error(${JSON.stringify(message)}); }), true`;
      await session.post('NodeWorker.sendMessageToWorker', {
        sessionId,
        message: JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression } }),
      });
      const reply = JSON.parse(await evaluated) as { result?: { result?: { value?: unknown } } };
      if (reply.result?.result?.value !== true) throw new Error(`the debugger could not run code in ${name}: ${JSON.stringify(reply)}`);
    },
    names: () => [...threads.values()].map((title) => title.replace(/^\[worker \d+\] /, '')),
    async detach() {
      await session.post('NodeWorker.disable');
      session.disconnect();
    },
  };
}
