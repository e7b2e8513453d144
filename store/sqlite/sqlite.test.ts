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

runStoreConformance({
  name: 'sqlite',
  open: () => openSqliteStore({ dataDir: join(root, `case-${++count}`) }),
});
