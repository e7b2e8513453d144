// The SQLite store against the conformance suite, each case on a fresh file in a temp dir.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runStoreConformance } from '../conformance.ts';
import { openSqliteStore } from './open.ts';

const root = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
let count = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Folding after every append (every check read through rollups and check_hours), and never
// folding (every check read from the tail); a real run mixes both (fold.ts). Then folding after
// every append on the writer's own thread and connection, as `npm start` writes: every read
// comes from another connection than the writes.
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
