// The check writer on its own thread (threaded-writer.ts), as `npm start` runs it. The
// conformance suite runs every store case through it (sqlite.test.ts); these cases cover what
// only a thread can get wrong: an error crossing back, the close, a process left to exit, and a
// thread that dies.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startProbeThread } from '../../collector/probe-threads.ts';
import { createThreadHostSlot } from '../thread-host.ts';
import { makeCheck, monitorInput } from '../testing/fixtures.ts';
import type { Monitor } from '../types.ts';
import { createCheckWriter } from './checks-write.ts';
import { openDb } from './db.ts';
import { SQLITE_FILE_NAME, openSqliteStore } from './open.ts';
import { startThreadedCheckWriter } from './threaded-writer.ts';

/** The newest check's seq in the store's file, and how far the folds went. */
function foldState(dataDir: string): { newest: number; folded: number } {
  const file = new DatabaseSync(join(dataDir, SQLITE_FILE_NAME), { readOnly: true });
  try {
    const { newest } = file.prepare('SELECT max(seq) AS newest FROM checks').get() as { newest: number };
    const { folded } = file.prepare('SELECT folded_seq AS folded FROM fold_state').get() as { folded: number };
    return { newest, folded };
  } finally {
    file.close();
  }
}

describe('check writer thread', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dm-writer-thread-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a batch with a bad check fails as it does inline, stores nothing, and the next batch is stored', async () => {
    const failures: unknown[] = [];
    for (const checkWriter of ['inline', 'thread'] as const) {
      const store = await openSqliteStore({ dataDir: join(dir, checkWriter), checkWriter });
      try {
        const owner = await store.createUser({ email: 'a@example.com', password_hash: 'x' });
        const monitor = await store.createMonitor(owner.id, monitorInput());
        const good = makeCheck(monitor, Date.now() - 1_000);
        const bad = { ...makeCheck(monitor, Date.now()), timestamp: 1.5 };
        failures.push(await store.appendChecks([good, bad]).catch((error: unknown) => error));
        expect((await store.listChecks(owner.id, monitor.id, { limit: 10 }))!.items).toEqual([]);

        await store.appendChecks([good]);
        expect((await store.listChecks(owner.id, monitor.id, { limit: 10 }))!.items.map((check) => check.id)).toEqual([good.id]);
      } finally {
        await store.close();
      }
    }
    const [inline, threaded] = failures;
    expect(inline).toBeInstanceOf(TypeError);
    expect(threaded).toBeInstanceOf(TypeError);
    for (const failure of failures) expect((failure as Error).message).toMatch(/^check 1 \(\S+\): timestamp must be whole epoch milliseconds$/);
  });

  test('close folds every check still waiting', async () => {
    const store = await openSqliteStore({ dataDir: dir, foldEveryMs: Infinity, checkWriter: 'thread' });
    const owner = await store.createUser({ email: 'b@example.com', password_hash: 'x' });
    const monitor = await store.createMonitor(owner.id, monitorInput());
    // The first append folds what an earlier run left (nothing); these two then wait.
    await store.appendChecks([makeCheck(monitor, Date.now() - 3_000)]);
    await store.appendChecks([makeCheck(monitor, Date.now() - 2_000), makeCheck(monitor, Date.now() - 1_000)]);
    await store.close();

    expect(foldState(dir)).toEqual({ newest: 3, folded: 3 });
  });

  test('close folds what a writer hosted by a probe thread left waiting, after that thread stopped', async () => {
    // As at the end of `npm start`: the collector empties the slot and stops its threads, then
    // the store closes.
    const writerHost = createThreadHostSlot();
    const host = startProbeThread(
      { lane: 0, probe: { allowPrivate: false, observer: 'writer-test' }, maxConcurrency: 1, logLevel: 'warn' },
      { onBatch: () => {}, onRestart: () => {}, log: pino({ level: 'warn' }) },
    );
    writerHost.current = host;
    const store = await openSqliteStore({ dataDir: dir, foldEveryMs: Infinity, checkWriter: 'thread', writerHost });
    const owner = await store.createUser({ email: 'h@example.com', password_hash: 'x' });
    const monitor = await store.createMonitor(owner.id, monitorInput());
    await store.appendChecks([makeCheck(monitor, Date.now() - 3_000), makeCheck(monitor, Date.now() - 2_000)]);
    await store.appendChecks([makeCheck(monitor, Date.now() - 1_000)]);
    writerHost.current = null;
    await host.stop();
    await store.close();

    expect(foldState(dir)).toEqual({ newest: 3, folded: 3 });
  }, 60_000);

  test('an idle writer thread does not keep the process alive', async () => {
    // A process that wrote checks and never closed its store: it still ends when its work does.
    const script = `
      import { openSqliteStore } from ${JSON.stringify(new URL('./open.ts', import.meta.url).href)};
      import { makeCheck, monitorInput } from ${JSON.stringify(new URL('../testing/fixtures.ts', import.meta.url).href)};
      const store = await openSqliteStore({ dataDir: ${JSON.stringify(dir)}, checkWriter: 'thread' });
      const owner = await store.createUser({ email: 'c@example.com', password_hash: 'x' });
      const monitor = await store.createMonitor(owner.id, monitorInput());
      await store.appendChecks([makeCheck(monitor, Date.now())]);
      console.log('appended');
    `;
    const file = join(dir, 'append-and-leave.mjs');
    writeFileSync(file, script);
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = await new Promise<number | string>((resolve) => {
      const deadline = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('still running after 30 s');
      }, 30_000);
      child.on('exit', (code) => {
        clearTimeout(deadline);
        resolve(code ?? 'killed');
      });
    });
    expect(output).toContain('appended');
    expect(exit).toBe(0);
  }, 40_000);
});

describe('check writer thread that dies', () => {
  test('fails the batch it held, and the next batch starts a new thread that stores it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dm-writer-dies-'));
    const store = await openSqliteStore({ dataDir: dir, foldEveryMs: 0 });
    // A thread whose heap cannot hold a large batch: it runs out of memory on that batch alone.
    const writer = startThreadedCheckWriter({ path: join(dir, SQLITE_FILE_NAME), foldEveryMs: 0 }, { limits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 } });
    try {
      const owner = await store.createUser({ email: 'd@example.com', password_hash: 'x' });
      const monitor = await store.createMonitor(owner.id, monitorInput());
      const start = Date.now() - 3_600_000;
      const large = Array.from({ length: 200_000 }, (_, i) => makeCheck(monitor, start + i));
      await expect(writer.appendChecks(large)).rejects.toThrow(/the SQLite check writer thread stopped \(exit code \d+\)/);

      const next = makeCheck(monitor, Date.now());
      await writer.appendChecks([next]);
      expect((await store.listChecks(owner.id, monitor.id, { limit: 10 }))!.items.map((check) => check.id)).toEqual([next.id]);
    } finally {
      await writer.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('check writer on a loop it shares', () => {
  // As on the probe thread that hosts it (store/thread-host.ts): a due fold runs in slices with
  // turns of the loop between them, and writes what a fold in one go writes.
  test('lets the loop run in the middle of a fold, and folds exactly as a fold in one go', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dm-writer-sliced-'));
    const tables = new Map<string, unknown[]>();
    try {
      const start = Date.now() - 3 * 3_600_000;
      let turnsDuringFolds = 0;
      for (const sliceMs of [undefined, 1]) {
        const dataDir = join(dir, String(sliceMs ?? 'one-go'));
        const store = await openSqliteStore({ dataDir });
        const owner = await store.createUser({ email: 'e@example.com', password_hash: 'x' });
        const monitors: Monitor[] = [];
        for (let i = 0; i < 40; i++) monitors.push(await store.createMonitor(owner.id, monitorInput({ name: `m${i}` })));
        const db = openDb(join(dataDir, SQLITE_FILE_NAME), Date.now);
        // A fold after every batch.
        const writer = createCheckWriter(db, sliceMs === undefined ? { foldEveryMs: 0 } : { foldEveryMs: 0, sliceMs });
        const batch = (from: number) => Array.from({ length: 6_000 }, (_, i) => makeCheck(monitors[i % 40]!, start + (from + i) * 1_000, i % 7 === 0 ? { status: 'down', error_type: 'timeout', error_message: 'timed out' } : {}));
        await writer.appendChecks(batch(0));
        let turns = 0;
        let folding = true;
        const tick = () => {
          if (!folding) return;
          turns++;
          setImmediate(tick);
        };
        setImmediate(tick);
        await writer.appendChecks(batch(6_000));
        folding = false;
        if (sliceMs !== undefined) turnsDuringFolds = turns;
        const file = new DatabaseSync(join(dataDir, SQLITE_FILE_NAME), { readOnly: true });
        for (const table of ['rollup_hour', 'rollup_day', 'check_hours', 'fold_state']) {
          const rows = file.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all();
          const other = tables.get(table);
          if (other === undefined) tables.set(table, rows);
          else expect(rows, table).toEqual(other);
        }
        file.close();
        db.conn.close();
        await store.close();
      }
      expect((tables.get('fold_state')![0] as { folded_seq: number }).folded_seq).toBe(12_000);
      expect(tables.get('rollup_hour')!.length).toBeGreaterThan(40);
      // A fold of 6,000 checks takes tens of ms: sliced every millisecond, the loop ran meanwhile.
      expect(turnsDuringFolds).toBeGreaterThan(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
