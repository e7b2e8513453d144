// The durable spool: batches of checks the store did not take, kept on disk in DATA_DIR, in
// order, until they are replayed. Append-only segment files (spool-format.ts) in a directory this
// collector owns (spool-owner.ts); a segment is deleted once every record in it is stored. How far
// the oldest segment is stored is noted in a small `.ack` file beside it (not fsync'ed: after a
// power cut some checks may be replayed twice, which appendChecks makes harmless, being
// idempotent by check id).
//
// Bounded: the segments on disk never exceed `maxBytes`; a batch that would cross it is refused
// ('full') and the caller drops it. Each record is fdatasync'ed before append resolves (unless
// `sync: false`), so a batch spooled survives a crash and a power cut; a record cut short by a
// power cut fails its checksum and is skipped with a log line.
//
// Example:
//   const spool = openSpool({ dataDir, key: spoolKey('eu-1', shard), maxBytes: 1 << 30, log });
//   if ((await spool.append(checks)) === 'full') …;
//   const batch = await spool.oldest(); await store.appendChecks(batch.checks); await spool.ack(batch);

import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Check } from '../store/types.ts';
import { decodeRecord, encodeRecord, scanSegment, SEGMENT_MAGIC, type RecordRef } from './spool-format.ts';
import { claimSpoolDir, SEGMENT_SUFFIX } from './spool-owner.ts';

export type SpoolOptions = {
  dataDir: string;
  /** This collector's directory name (spoolKey). */
  key: string;
  maxBytes: number;
  log: Logger;
  /** A segment is closed and a new one started past this size; default maxBytes / 16, 64 KiB to 16 MiB. */
  segmentBytes?: number;
  /** fdatasync each record before append resolves (default true). */
  sync?: boolean;
  clock?: () => number;
};

export type SpoolStats = { bytes: number; checks: number; oldestAt: number | null };

/** The oldest batch not yet stored; hand it back to ack() once the store took it. */
export type SpooledBatch = { readonly checks: Check[]; /** Spooled by this process (not left by an earlier run). */ readonly thisRun: boolean };

export type Spool = {
  readonly dir: string;
  /** Writes one batch after every earlier one; 'full' (nothing written) when it would pass maxBytes. */
  append(checks: readonly Check[]): Promise<'spooled' | 'full'>;
  /** True when no batch is held or being written. */
  isEmpty(): boolean;
  /** The oldest batch held (waiting for appends in progress), or null when the spool is empty. */
  oldest(): Promise<SpooledBatch | null>;
  /** Forgets the batch oldest() gave: the store has it. */
  ack(batch: SpooledBatch): Promise<void>;
  /** Takes in the segments of collectors that are gone (spool-owner.ts); returns the checks gained. */
  adoptAbandoned(): number;
  stats(): SpoolStats;
  close(): Promise<void>;
};

type Segment = {
  name: string;
  /** Bytes on disk: what counts against maxBytes. */
  size: number;
  /** Records not yet acknowledged start at `next`. */
  records: RecordRef[];
  next: number;
  /** Open for appends while it is the active segment. */
  writer: FileHandle | null;
  reader: FileHandle | null;
  /** `<segment>.ack`: the offset of the first record not yet stored. */
  acks: FileHandle | null;
  thisRun: boolean;
};

const ACK_SUFFIX = '.ack';

type Batch = SpooledBatch & { segment: Segment };

/** Opens (claims, scans and adopts) the spool synchronously: start-up reads it before anything runs. */
export function openSpool(opts: SpoolOptions): Spool {
  const clock = opts.clock ?? Date.now;
  const sync = opts.sync ?? true;
  const segmentBytes = opts.segmentBytes ?? Math.min(16 << 20, Math.max(64 << 10, Math.floor(opts.maxBytes / 16)));
  const owner = claimSpoolDir(join(opts.dataDir, 'spool'), opts.key, clock);
  const dir = owner.dir;
  const segments: Segment[] = [];
  let bytes = 0;
  let checks = 0;
  let pending = 0;
  let closed = false;
  let created = 0;
  /** The segment appends go to (the newest of this run), until it is full. */
  let active: Segment | null = null;
  /** Appends and segment changes, one at a time, in call order. */
  let chain: Promise<unknown> = Promise.resolve();

  const held = () => segments.reduce((n, s) => n + s.records.length - s.next, 0);

  /** Scans segment files found on disk (an earlier run's, or adopted) into `segments`, by age. */
  function load(names: string[]): number {
    let found = 0;
    for (const name of names.sort()) {
      const path = join(dir, name);
      let file: Buffer;
      try {
        file = readFileSync(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // adopted by another collector meanwhile
        throw error;
      }
      let scanned: ReturnType<typeof scanSegment>;
      try {
        scanned = scanSegment(file);
      } catch (error) {
        renameSync(path, `${path}.unreadable`);
        opts.log.error({ segment: path, err: error }, 'spool segment unreadable: set aside, not replayed');
        continue;
      }
      const { records, tail } = scanned;
      if (tail.kind === 'torn') {
        opts.log.warn({ segment: path, offset: tail.offset, bytes_skipped: tail.bytesSkipped }, 'spool: torn last record skipped (a write cut short by a crash or power cut)');
      } else if (tail.kind === 'corrupt') {
        opts.log.error({ segment: path, offset: tail.offset, bytes_skipped: tail.bytesSkipped }, 'spool: corrupt record, the rest of the segment skipped');
      }
      if (records.length === 0) {
        unlinkSync(path);
        continue;
      }
      const segment: Segment = { name, size: file.length, records, next: stored(path, records), writer: null, reader: null, acks: null, thisRun: false };
      if (segment.next === records.length) {
        unlinkSync(path);
        unlinkQuietly(`${path}${ACK_SUFFIX}`);
        continue;
      }
      // In name order, which is age order, but never before the head: it may be half replayed.
      let at = segments.length;
      while (at > 1 && segments[at - 1]!.name > name) at--;
      segments.splice(at, 0, segment);
      bytes += file.length;
      const n = records.slice(segment.next).reduce((sum, r) => sum + r.checks, 0);
      checks += n;
      found += n;
    }
    return found;
  }

  /** How many of a segment's records its `.ack` file says are stored (0 without a sound one). */
  function stored(path: string, records: RecordRef[]): number {
    let ack: Buffer;
    try {
      ack = readFileSync(`${path}${ACK_SUFFIX}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    const offset = ack.length === 8 ? ack.readDoubleLE(0) : -1;
    const next = records.findIndex((r) => r.offset === offset);
    // Past the last record, or not a record boundary (a torn note): replay it all, harmlessly.
    return offset === records.at(-1)!.offset + records.at(-1)!.bytes ? records.length : Math.max(0, next);
  }

  function unlinkQuietly(path: string): void {
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  const files = readdirSync(dir);
  // A note whose segment is gone (deleted between the two unlinks) means nothing.
  for (const f of files) if (f.endsWith(ACK_SUFFIX) && !files.includes(f.slice(0, -ACK_SUFFIX.length))) unlinkQuietly(join(dir, f));
  load(files.filter((f) => f.endsWith(SEGMENT_SUFFIX)));
  load(owner.adoptAbandoned());

  function fsyncDir(): void {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  async function startSegment(): Promise<Segment> {
    const name = `${String(clock()).padStart(15, '0')}-${process.pid}-${String(created++).padStart(8, '0')}${SEGMENT_SUFFIX}`;
    const writer = await open(join(dir, name), 'wx', 0o600);
    await writer.write(SEGMENT_MAGIC, 0, SEGMENT_MAGIC.length, 0);
    if (sync) {
      await writer.datasync();
      fsyncDir(); // the new name itself must survive a power cut
    }
    const segment: Segment = { name, size: SEGMENT_MAGIC.length, records: [], next: 0, writer, reader: null, acks: null, thisRun: true };
    segments.push(segment);
    bytes += segment.size;
    active = segment;
    return segment;
  }

  async function finish(segment: Segment): Promise<void> {
    if (active === segment) active = null;
    await segment.writer?.close();
    segment.writer = null;
  }

  async function remove(segment: Segment): Promise<void> {
    await finish(segment);
    await segment.reader?.close();
    await segment.acks?.close();
    segment.reader = null;
    segment.acks = null;
    segments.splice(segments.indexOf(segment), 1);
    bytes -= segment.size;
    unlinkQuietly(join(dir, segment.name));
    unlinkQuietly(join(dir, `${segment.name}${ACK_SUFFIX}`));
  }

  function serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = chain.then(work);
    chain = result.catch(() => {});
    return result;
  }

  async function write(batch: readonly Check[]): Promise<'spooled' | 'full'> {
    if (closed) throw new Error('spool closed');
    const record = await encodeRecord(batch);
    const roll = active === null || (active.size + record.length > segmentBytes && active.records.length > 0);
    if (bytes + record.length + (roll ? SEGMENT_MAGIC.length : 0) > opts.maxBytes) return 'full';
    if (roll && active !== null) await finish(active);
    const segment = roll ? await startSegment() : active!;
    const writer = segment.writer!;
    const at = segment.size;
    try {
      const { bytesWritten } = await writer.write(record, 0, record.length, at);
      if (bytesWritten !== record.length) throw new Error(`spool: wrote ${bytesWritten} of ${record.length} bytes (disk full?)`);
      if (sync) await writer.datasync();
    } catch (error) {
      // Take back what part of the record reached the file; failing that, write no more to this
      // segment (its torn tail is skipped when it is read).
      await writer.truncate(at).catch(() => finish(segment));
      throw error;
    }
    segment.size += record.length;
    bytes += record.length;
    segment.records.push({ offset: at, bytes: record.length, checks: batch.length, oldestAt: record.readDoubleLE(12) });
    checks += batch.length;
    return 'spooled';
  }

  async function oldest(): Promise<Batch | null> {
    for (;;) {
      if (closed) return null;
      const segment = segments.find((s) => s.next < s.records.length);
      if (!segment) {
        if (pending === 0) return null;
        await chain;
        continue;
      }
      const ref = segment.records[segment.next]!;
      segment.reader ??= await open(join(dir, segment.name), 'r');
      const buf = Buffer.allocUnsafe(ref.bytes);
      const { bytesRead } = await segment.reader.read(buf, 0, ref.bytes, ref.offset);
      try {
        if (bytesRead !== ref.bytes) throw new Error(`read ${bytesRead} of ${ref.bytes} bytes`);
        return { checks: await decodeRecord(buf), thisRun: segment.thisRun, segment };
      } catch (error) {
        // Changed on disk since it was written or scanned: never replayed as garbage.
        opts.log.error({ segment: segment.name, offset: ref.offset, checks: ref.checks, err: error }, 'spool record unreadable: skipped');
        await ack({ checks: [], thisRun: segment.thisRun, segment });
      }
    }
  }

  async function ack({ segment }: Batch): Promise<void> {
    const ref = segment.records[segment.next];
    if (closed || ref === undefined) return;
    segment.next++;
    checks -= ref.checks;
    const done = segment.next === segment.records.length;
    if (done && segment !== active) return remove(segment);
    segment.acks ??= await open(join(dir, `${segment.name}${ACK_SUFFIX}`), 'w', 0o600);
    const note = Buffer.allocUnsafe(8);
    note.writeDoubleLE(done ? ref.offset + ref.bytes : segment.records[segment.next]!.offset);
    await segment.acks.write(note, 0, 8, 0);
    // The active segment, fully stored, is removed in turn with appends, unless one came meanwhile.
    if (done) await serialized(async () => (segment.next === segment.records.length && segments.includes(segment) ? remove(segment) : undefined));
  }

  return {
    dir,
    append(batch) {
      pending++;
      return serialized(() => write(batch)).finally(() => pending--);
    },
    isEmpty: () => pending === 0 && held() === 0,
    oldest,
    ack: (batch) => ack(batch as Batch),
    adoptAbandoned() {
      if (closed) return 0;
      return load(owner.adoptAbandoned());
    },
    stats() {
      const head = segments.find((s) => s.next < s.records.length);
      return { bytes, checks, oldestAt: head ? head.records[head.next]!.oldestAt : null };
    },
    async close() {
      if (closed) return;
      await chain;
      closed = true;
      for (const segment of [...segments]) {
        // A replay that outlived stop()'s deadline may be removing this one: close quietly.
        await segment.writer?.close().catch(() => {});
        await segment.reader?.close().catch(() => {});
        await segment.acks?.close().catch(() => {});
        segment.writer = null;
        segment.reader = null;
        segment.acks = null;
        // Fully stored: not kept for the next run to replay again.
        if (segment.next === segment.records.length) await remove(segment);
      }
      active = null;
      owner.release();
    },
  };
}
