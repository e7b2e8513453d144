// Someone running `node main.ts` in a terminal reads one plain line per log entry, not JSON; the
// same product writing to a pipe (a log collector, docker logs) still writes JSON lines.
// `script` (util-linux) gives the product a real pseudo-terminal as its standard output.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventually } from '../alerting/testing/system.ts';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const SCRIPT = '/usr/bin/script';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('log format', () => {
  it.skipIf(!existsSync(SCRIPT))('is one readable line per entry on a terminal', { timeout: 40_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dm-tty-'));
    // -q: no banner; -f: flush as it comes; -e: the product's exit code; /dev/null: no typescript file.
    const child = spawn(SCRIPT, ['-qfec', `${quote(process.execPath)} ${quote(MAIN)}`, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', DATA_DIR: dataDir, TERM: 'dumb' },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // its own process group, so the product under `script` is stopped with it
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    try {
      await eventually('the "api listening" line', async () => /api listening/.test(out), 30_000);
      // Colours aside, a line reads "[12:03:07.123] INFO: api listening" with fields indented below.
      const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
      expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: api listening/m);
      expect(plain).toMatch(/^\s+url: "http:\/\/[^"]+"/m);
      expect(plain).not.toMatch(/^\{"level"/m);
    } finally {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
      await eventually('the product to stop', async () => child.exitCode !== null || child.signalCode !== null, 15_000);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('stays JSON when the output is not a terminal', { timeout: 40_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dm-pipe-'));
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    try {
      await eventually('the "api listening" line', async () => /api listening/.test(out), 30_000);
      const line = out.split('\n').find((l) => l.includes('api listening')) ?? '';
      expect(JSON.parse(line)).toMatchObject({ level: 30, msg: 'api listening', url: expect.stringMatching(/^http:\/\//) });
    } finally {
      child.kill('SIGTERM');
      await eventually('the product to stop', async () => child.exitCode !== null || child.signalCode !== null, 15_000);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
