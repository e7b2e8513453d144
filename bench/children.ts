// Child processes of the benchmarks (targets, the product): waiting for one IPC message, and
// stopping with a grace period.

import type { ChildProcess } from 'node:child_process';

export function onceMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} message from pid ${child.pid} in ${timeoutMs} ms`)), timeoutMs);
    const listener = (message: { type: string }) => {
      if (message.type !== type) return;
      clearTimeout(timer);
      child.off('message', listener);
      resolvePromise(message as T);
    };
    child.on('message', listener);
  });
}

export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
