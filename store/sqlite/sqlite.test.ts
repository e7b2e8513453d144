// The SQLite store against the conformance suite, each case on a fresh file in a temp dir.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll } from 'vitest';
import { type ProbeThread, startProbeThread } from '../../collector/probe-threads.ts';
import { createThreadHostSlot } from '../thread-host.ts';
import { runStoreConformance } from '../conformance.ts';
import { openSqliteStore } from './open.ts';

const root = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
let count = 0;
// One probe thread, probing nothing, hosts the writers of the cases that ask for it.
let probeThread: ProbeThread | null = null;
const writerHost = createThreadHostSlot();
function hostedWriter() {
  probeThread ??= startProbeThread(
    { lane: 0, probe: { allowPrivate: false, observer: 'conformance' }, maxConcurrency: 1, logLevel: 'warn' },
    { onBatch: () => {}, onRestart: () => {}, log: pino({ level: 'warn' }) },
  );
  writerHost.current = probeThread;
  return writerHost;
}
afterAll(async () => {
  await probeThread?.stop();
  rmSync(root, { recursive: true, force: true });
});

// Folding after every append (every check read through rollups and check_hours), and never
// folding (every check read from the tail); a real run mixes both (fold.ts). Then folding after
// every append on another thread and connection: its own, and a probe thread that hosts it, as
// `npm start` writes (store/thread-host.ts; folds in slices there). Every read then comes from
// another connection than the writes.
runStoreConformance({
  name: 'sqlite, folded',
  open: () => openSqliteStore({ dataDir: join(root, `case-${++count}`), foldEveryMs: 0 }),
});
runStoreConformance({
  name: 'sqlite, not yet folded',
  open: () => openSqliteStore({ dataDir: join(root, `case-${++count}`), foldEveryMs: Infinity }),
});
runStoreConformance({
  name: 'sqlite, writer thread, folded',
  open: () => openSqliteStore({ dataDir: join(root, `case-${++count}`), foldEveryMs: 0, checkWriter: 'thread' }),
});
runStoreConformance({
  name: 'sqlite, writer hosted by a probe thread, folded',
  open: () => openSqliteStore({ dataDir: join(root, `case-${++count}`), foldEveryMs: 0, checkWriter: 'thread', writerHost: hostedWriter() }),
});
