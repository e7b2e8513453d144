// Which collector owns which spool directory. Several collectors may share one DATA_DIR (SQLite
// scale-out on one machine), so each owns `DATA_DIR/spool/<observer>.<i>of<n>/`, claimed by an
// `owner` file that it touches every 10 s. A directory is abandoned when its owner has not
// touched it for a minute, or when the owner named a process of this host that is gone (a
// restarted container reuses its pid: the owner file also names the process's start time). Segments of an abandoned
// directory are adopted (moved into the adopter's directory), so a spool is still replayed after
// the observer name changed (it defaults to the host name, new with each container) or the shard
// count did.
//
// Example:
//   const owner = claimSpoolDir(join(dataDir, 'spool'), spoolKey('eu-1', { index: 0, count: 1 }));
//   const moved = owner.adoptAbandoned(); // segment file names now in owner.dir
//   owner.release();

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Shard } from './shard.ts';

const OWNER_FILE = 'owner';
const HEARTBEAT_MS = 10_000;
const ABANDONED_AFTER_MS = 60_000;
export const SEGMENT_SUFFIX = '.seg';

export class SpoolInUseError extends Error {
  override name = 'SpoolInUseError';
}

export type SpoolOwnership = {
  readonly dir: string;
  /** Moves the segments of abandoned sibling directories into ours; returns their file names. */
  adoptAbandoned(): string[];
  /** Stops the heartbeat and gives the directory up (it may then be adopted). */
  release(): void;
};

/** A directory name for this collector: readable, and distinct for distinct observers. */
export function spoolKey(observer: string, shard: Shard): string {
  const safe = observer.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60);
  const name = safe === observer ? safe : `${safe}-${createHash('sha256').update(observer).digest('hex').slice(0, 8)}`;
  return `${name}.${shard.index}of${shard.count}`;
}

type Owner = { pid: number; host: string; started: number };

/** This process, as an owner file names it. */
const self = (): Owner => ({ pid: process.pid, host: hostname(), started: Math.round(performance.timeOrigin) });

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Who holds `dir`: a live owner; `gone` when it has none for sure (no owner file: released, or
 * never written; or a process of this host that is no more); `silent` when the owner has not
 * touched it for a minute (probably dead, but it may be a stalled process on another host).
 */
function ownerOf(dir: string, now: number): Owner | 'gone' | 'silent' {
  const path = join(dir, OWNER_FILE);
  let owner: Owner;
  let touchedAt: number;
  try {
    touchedAt = statSync(path).mtimeMs;
    owner = JSON.parse(readFileSync(path, 'utf8')) as Owner;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return 'gone';
    throw error;
  }
  const me = self();
  if (owner.host === me.host && (owner.pid === me.pid ? owner.started !== me.started : !isAlive(owner.pid))) return 'gone';
  if (now - touchedAt > ABANDONED_AFTER_MS) return 'silent';
  return owner;
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

/**
 * Claims `root/key` for this process. Throws SpoolInUseError when a live collector holds it (two
 * collectors with the same observer name and shard on one DATA_DIR).
 */
export function claimSpoolDir(root: string, key: string, clock: () => number = Date.now): SpoolOwnership {
  const dir = join(root, key);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const holder = ownerOf(dir, clock());
  if (typeof holder === 'object') {
    throw new SpoolInUseError(
      `the spool ${dir} is in use by process ${holder.pid} on ${holder.host}: give each collector on one DATA_DIR its own OBSERVER_NAME or COLLECTOR_SHARD`,
    );
  }
  const ownerPath = join(dir, OWNER_FILE);
  const writeOwner = () => writeFileSync(ownerPath, JSON.stringify(self()), { mode: 0o600 });
  writeOwner();
  const heartbeat = setInterval(() => {
    const now = new Date(clock());
    try {
      utimesSync(ownerPath, now, now);
    } catch {
      // Removed under us (an operator cleaning up): claim it again rather than be adopted.
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeOwner();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    dir,
    adoptAbandoned() {
      const moved: string[] = [];
      for (const sibling of readdirSync(root)) {
        if (sibling === key) continue;
        try {
          adopt(sibling, moved);
        } catch (error) {
          ignoreMissing(error); // another collector took it whole meanwhile
        }
      }
      return moved;
    },
    release() {
      clearInterval(heartbeat);
      try {
        unlinkSync(ownerPath);
      } catch (error) {
        ignoreMissing(error);
      }
    },
  };

  /** Moves the segments of `root/sibling` into ours if its owner is gone. */
  function adopt(sibling: string, moved: string[]): void {
    const from = join(root, sibling);
    if (!statSync(from, { throwIfNoEntry: false })?.isDirectory()) return;
    const owner = ownerOf(from, clock());
    if (typeof owner === 'object') return;
    for (const file of readdirSync(from).filter((f) => f.endsWith(SEGMENT_SUFFIX))) {
      if (owner === 'silent') {
        // Written to lately: a silent owner may be alive after all (a stalled process on
        // another host), and its last record not whole yet. A later pass takes it.
        const modifiedAt = statSync(join(from, file), { throwIfNoEntry: false })?.mtimeMs;
        if (modifiedAt === undefined || clock() - modifiedAt < ABANDONED_AFTER_MS) continue;
      }
      // Names start with their creation time, so adopted segments sort among ours by age.
      const name = existsSync(join(dir, file)) ? `${file.slice(0, -SEGMENT_SUFFIX.length)}-${sibling}${SEGMENT_SUFFIX}` : file;
      try {
        // The note of how far it was stored goes first: a segment is never seen without it.
        if (existsSync(join(from, `${file}.ack`))) renameSync(join(from, `${file}.ack`), join(dir, `${name}.ack`));
        renameSync(join(from, file), join(dir, name));
        moved.push(name);
      } catch (error) {
        ignoreMissing(error); // another collector adopted it first
      }
    }
    if (readdirSync(from).some((f) => f.endsWith(SEGMENT_SUFFIX))) return; // some left for a later pass
    for (const f of readdirSync(from).filter((f) => f.endsWith('.ack'))) unlinkSync(join(from, f));
    try {
      unlinkSync(join(from, OWNER_FILE));
    } catch (error) {
      ignoreMissing(error);
    }
    try {
      rmdirSync(from);
    } catch {
      // Not empty (a file we do not know) or already gone: left as it is.
    }
  }
}
