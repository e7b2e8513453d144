// The spool's on-disk format: a segment file is a magic header followed by records, each one batch
// of checks. A record carries its own length and a CRC-32 of everything after the CRC, so a record
// cut short by a power cut (or zeroed blocks the file system left at its tail) is recognised and
// never replayed as garbage.
//
//   segment = "DMSPOOL1" record*
//   record  = u32 payload bytes | u32 crc32(bytes 8..end) | u32 checks | f64 oldest probe (epoch ms) | payload
//   payload = deflate-raw(JSON array of checks)      (all integers little-endian)
//
// Deflate at level 1 keeps ~80 bytes per check instead of ~560 as plain JSON, for ~2 ms per
// 1,000 checks, off the event loop (zlib runs in the thread pool).
//
// Example:
//   const bytes = await encodeRecord(checks);
//   const { records, tail } = scanSegment(await readFile(path));

import { promisify } from 'node:util';
import { crc32, deflateRaw, inflateRaw } from 'node:zlib';
import type { Check } from '../store/types.ts';

export const SEGMENT_MAGIC = Buffer.from('DMSPOOL1', 'latin1');
export const RECORD_HEADER_BYTES = 20;
/** A length beyond this is not a record we wrote: the header is garbage. */
const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

/** Where a record sits in its segment, and what the header says of it. */
export type RecordRef = { offset: number; bytes: number; checks: number; oldestAt: number };

/** What ends a segment: its end, a torn last record, or a corrupt record with data after it. */
export type SegmentTail = { kind: 'end' } | { kind: 'torn' | 'corrupt'; offset: number; bytesSkipped: number };

export async function encodeRecord(checks: readonly Check[]): Promise<Buffer> {
  const payload = await deflate(Buffer.from(JSON.stringify(checks)), { level: 1 });
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  record.writeUInt32LE(payload.length, 0);
  record.writeUInt32LE(checks.length, 8);
  record.writeDoubleLE(checks.reduce((min, c) => Math.min(min, c.timestamp), Infinity), 12);
  payload.copy(record, RECORD_HEADER_BYTES);
  record.writeUInt32LE(crc32(record.subarray(8)), 4);
  return record;
}

/** The checks of a whole record (header included), verified again: disks rot after the scan. */
export async function decodeRecord(record: Buffer): Promise<Check[]> {
  if (!isIntact(record, 0, record.length)) throw new Error('spool record failed its checksum');
  const json = await inflate(record.subarray(RECORD_HEADER_BYTES));
  const checks = JSON.parse(json.toString('utf8')) as Array<Omit<Check, 'monitor_type'> & Partial<Pick<Check, 'monitor_type'>>>;
  // Spooled by a version before monitor types: every check then was an http one.
  return checks.map((check) => (check.monitor_type === undefined ? { ...check, monitor_type: 'http' } : (check as Check)));
}

function isIntact(buf: Buffer, offset: number, end: number): boolean {
  if (end - offset < RECORD_HEADER_BYTES) return false;
  const length = buf.readUInt32LE(offset);
  return offset + RECORD_HEADER_BYTES + length === end && crc32(buf.subarray(offset + 8, end)) === buf.readUInt32LE(offset + 4);
}

/**
 * The intact records of a whole segment file, in order, and what ended it. A record that does not
 * fit in what is left of the file, or fails its checksum as the last one or followed by zeros only,
 * is `torn` (a write cut short); a failing record with data after it is `corrupt`, and nothing after it can be trusted
 * (its length may be wrong), so the rest is skipped too. A file holding only the start of the magic
 * (or nothing) is an empty segment. Throws on a file that is not a segment.
 */
export function scanSegment(file: Buffer): { records: RecordRef[]; tail: SegmentTail } {
  // Created but cut short before its magic was all written (a crash at that moment, or a reader
  // that looked in between): an empty segment, not a foreign file.
  if (file.length < SEGMENT_MAGIC.length && file.equals(SEGMENT_MAGIC.subarray(0, file.length))) return { records: [], tail: { kind: 'end' } };
  if (file.length < SEGMENT_MAGIC.length || !file.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) {
    throw new Error('not a spool segment (bad magic)');
  }
  const records: RecordRef[] = [];
  let offset = SEGMENT_MAGIC.length;
  while (offset < file.length) {
    const rest = file.length - offset;
    const length = rest >= RECORD_HEADER_BYTES ? file.readUInt32LE(offset) : -1;
    if (length < 0 || length > MAX_PAYLOAD_BYTES || RECORD_HEADER_BYTES + length > rest) {
      return { records, tail: { kind: 'torn', offset, bytesSkipped: rest } };
    }
    const end = offset + RECORD_HEADER_BYTES + length;
    if (!isIntact(file, offset, end)) {
      // A power cut can leave the tail of a file zero-filled: torn too, not corruption.
      const torn = end === file.length || file.subarray(offset).every((byte) => byte === 0);
      return { records, tail: { kind: torn ? 'torn' : 'corrupt', offset, bytesSkipped: rest } };
    }
    records.push({ offset, bytes: end - offset, checks: file.readUInt32LE(offset + 8), oldestAt: file.readDoubleLE(offset + 12) });
    offset = end;
  }
  return { records, tail: { kind: 'end' } };
}
