// Test support: what a spool holds on disk, read from its segment files the way a restarted
// collector reads them (every intact record, in file order), without claiming the directory.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Check } from '../../store/types.ts';
import { decodeRecord, scanSegment } from '../spool-format.ts';

/** Segment files under `${dataDir}/spool/`, relative to it. */
export function spoolSegments(dataDir: string): string[] {
  const root = join(dataDir, 'spool');
  try {
    return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.seg')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Every check in the intact records of every segment (stored or not: `.ack` notes are ignored). */
export async function spooledChecks(dataDir: string): Promise<Check[]> {
  const all: Check[] = [];
  for (const name of spoolSegments(dataDir)) {
    const file = readFileSync(join(dataDir, 'spool', name));
    for (const ref of scanSegment(file).records) all.push(...(await decodeRecord(file.subarray(ref.offset, ref.offset + ref.bytes))));
  }
  return all;
}
