// Runs the whole product (`node main.ts`) as a child process for scenario tests and benchmarks,
// on a free port, and reports its URL from the "api listening" log line.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const MAIN = fileURLToPath(new URL('../../main.ts', import.meta.url));

export type RunningProduct = {
  url: string;
  process: ChildProcess;
  /** Every log line so far, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Everything written to stdout and stderr so far, as written (e.g. to look for a leaked secret). */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

export async function startProduct(env: Record<string, string>, args: string[] = []): Promise<RunningProduct> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    output += chunk.toString();
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leak a half-started product
      reject(new Error(`product did not start in 60 s; stderr: ${stderr}`));
    }, 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === 'api listening' && typeof entry.url === 'string') {
        clearTimeout(timer);
        resolve(entry.url);
      }
      if (entry.msg === 'started' && !args.includes('api') && args.length > 0) {
        clearTimeout(timer);
        resolve('');
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`product exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
  return {
    url,
    process: child,
    logs,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}

/** Runs `node main.ts` expecting it to refuse to start; returns exit code, stderr and stdout. */
export async function runProductExpectingFailure(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  // 'close', not 'exit': the pipes are drained by then, so the last line is not missed.
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stderr, stdout };
}
