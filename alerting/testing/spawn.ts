// Test support: runs alerting-process.ts as a child `node` process and waits until it is ready.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./alerting-process.ts', import.meta.url));

export type AlertingProcess = {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  /** SIGKILL: no cleanup at all, as in a crash or an OOM kill. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful stop. */
  stop(): Promise<void>;
};

export async function spawnAlerting(env: Record<string, string>): Promise<AlertingProcess> {
  const child = spawn(process.execPath, [SCRIPT], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a half-started process behind
      reject(new Error(`alerting process not ready in 60 s: ${stderr}`));
    }, 60_000);
    child.once('exit', (code) => reject(new Error(`alerting process exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'alerting process ready') {
          clearTimeout(timer);
          resolve();
        }
      } catch {
        // not a log line
      }
    });
  });
  const exited = once(child, 'exit');
  return {
    child,
    logs,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
