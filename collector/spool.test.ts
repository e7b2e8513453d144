// The spool on real files in a temp directory: order, bounds, torn and corrupt records, and which
// collector owns (or adopts) a spool directory.

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newCheckId } from '../store/ids.ts';
import type { Check } from '../store/types.ts';
import { openSpool, type Spool, type SpoolOptions } from './spool.ts';
import { decodeRecord, encodeRecord, SEGMENT_MAGIC } from './spool-format.ts';
import { SpoolInUseError, spoolKey } from './spool-owner.ts';
import { capturingLog } from './testing/log.ts';

let dataDir: string;
const opened: Spool[] = [];
const key = spoolKey('obs', { index: 0, count: 1 });

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'dm-spool-'));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

function open(overrides: Partial<SpoolOptions> = {}) {
  const captured = capturingLog();
  const spool = openSpool({ dataDir, key, maxBytes: 1 << 30, log: captured.log, ...overrides });
  opened.push(spool);
  return { spool, ...captured };
}

async function closeAll(): Promise<void> {
  await Promise.all(opened.splice(0).map((s) => s.close()));
}

let clock = Date.now() - 3_600_000;
function checks(n: number): Check[] {
  return Array.from({ length: n }, () => {
    const timestamp = clock++;
    return {
      id: newCheckId(timestamp), monitor_id: 'mon-1', owner_id: 'own-1', monitor_name: 'Shop', monitor_type: 'http', url: 'https://shop.example/',
      method: 'GET', observer: 'obs', timestamp, next_at: timestamp + 20_000, status: 'down', duration_us: 1_200, status_code: null,
      body_bytes: null, resolved_ip: '192.0.2.1', dns_us: 100, connect_us: null, tls_us: null, first_byte_us: null, total_us: null,
      tls_version: null, cert_not_after: null, cert_issuer: null, cert_sha256: null, error_type: 'connect', error_message: 'connect ECONNREFUSED 192.0.2.1:443',
    };
  });
}

/** Reads and acknowledges every batch, as the replay loop does. */
async function drain(spool: Spool): Promise<Check[][]> {
  const out: Check[][] = [];
  for (let batch = await spool.oldest(); batch !== null; batch = await spool.oldest()) {
    out.push(batch.checks);
    await spool.ack(batch);
  }
  return out;
}

const segmentFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.seg'));
const diskBytes = (dir: string) => segmentFiles(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

describe('spool', () => {
  it('gives batches back in the order they were spooled, and deletes what was stored', async () => {
    const { spool } = open({ segmentBytes: 4 << 10 });
    expect(spool.isEmpty()).toBe(true);
    const sent = Array.from({ length: 30 }, () => checks(50));
    // Not awaited one by one: appends in flight keep their call order.
    expect(await Promise.all(sent.map((b) => spool.append(b)))).toEqual(sent.map(() => 'spooled'));
    expect(spool.isEmpty()).toBe(false);
    expect(spool.stats()).toMatchObject({ checks: 1500, oldestAt: sent[0]![0]!.timestamp });
    expect(segmentFiles(spool.dir).length).toBeGreaterThan(1); // rolled over 4 KiB segments
    expect(await drain(spool)).toEqual(sent);
    expect(spool.isEmpty()).toBe(true);
    expect(spool.stats()).toEqual({ bytes: 0, checks: 0, oldestAt: null });
    await closeAll();
    expect(segmentFiles(join(dataDir, 'spool', key))).toEqual([]);
  });

  it('keeps what was not stored for the next start, and replays it first', async () => {
    const first = open();
    const sent = [checks(10), checks(10), checks(10)];
    for (const b of sent) await first.spool.append(b);
    const head = await first.spool.oldest();
    await first.spool.ack(head!);
    await closeAll();

    const second = open();
    expect(second.spool.stats().checks).toBe(20);
    const later = checks(5);
    await second.spool.append(later);
    expect(await drain(second.spool)).toEqual([sent[1], sent[2], later]);
  });

  it('skips a torn last record with a log line, and replays the records before it', async () => {
    const first = open();
    const sent = [checks(20), checks(20), checks(20)];
    for (const b of sent) await first.spool.append(b);
    await closeAll();
    const [file] = segmentFiles(join(dataDir, 'spool', key));
    const path = join(dataDir, 'spool', key, file!);
    truncateSync(path, statSync(path).size - 7); // the last write cut short by a power cut

    const second = open();
    expect(second.entries.find((e) => /torn last record skipped/.test(e.msg))).toMatchObject({ level: 40, segment: path });
    expect(second.spool.stats().checks).toBe(40);
    expect(await drain(second.spool)).toEqual([sent[0], sent[1]]);
  });

  it('skips a zero-filled tail (blocks allocated, data never written) as torn', async () => {
    const first = open();
    const sent = [checks(5), checks(5)];
    for (const b of sent) await first.spool.append(b);
    await closeAll();
    const path = join(dataDir, 'spool', key, segmentFiles(join(dataDir, 'spool', key))[0]!);
    appendFileSync(path, Buffer.alloc(4096));

    const second = open();
    expect(second.messages(40)).toContain('spool: torn last record skipped (a write cut short by a crash or power cut)');
    expect(await drain(second.spool)).toEqual(sent);
  });

  it('takes a segment cut short at its creation (empty, or part of its magic) as empty, not as unreadable', async () => {
    const first = open();
    const sent = [checks(5)];
    for (const b of sent) await first.spool.append(b);
    await closeAll();
    const dir = join(dataDir, 'spool', key);
    writeFileSync(join(dir, '999999999999998-1-00000000.seg'), Buffer.alloc(0));
    writeFileSync(join(dir, '999999999999999-1-00000000.seg'), SEGMENT_MAGIC.subarray(0, 3));

    const second = open();
    expect(second.messages(50)).toEqual([]);
    expect(await drain(second.spool)).toEqual(sent);
    expect(readdirSync(dir).filter((f) => f.endsWith('.unreadable'))).toEqual([]);
  });

  it('never replays a record whose bytes changed: the rest of that segment is skipped, loudly', async () => {
    const first = open();
    const sent = [checks(5), checks(5), checks(5)];
    for (const b of sent) await first.spool.append(b);
    await closeAll();
    const path = join(dataDir, 'spool', key, segmentFiles(join(dataDir, 'spool', key))[0]!);
    const bytes = readFileSync(path);
    // Inside the second record's payload: after the magic, the first record, and a header.
    const firstRecordBytes = 20 + bytes.readUInt32LE(SEGMENT_MAGIC.length);
    bytes[SEGMENT_MAGIC.length + firstRecordBytes + 30]! ^= 0xff;
    writeFileSync(path, bytes);

    const second = open();
    expect(second.entries.find((e) => e.msg === 'spool: corrupt record, the rest of the segment skipped')).toMatchObject({ level: 50 });
    expect(await drain(second.spool)).toEqual([sent[0]]);
  });

  it('refuses a batch that would pass maxBytes, and holds no more than that on disk', async () => {
    const maxBytes = 16 << 10;
    const { spool } = open({ maxBytes, segmentBytes: 4 << 10 });
    const results: string[] = [];
    for (let i = 0; i < 100; i++) results.push(await spool.append(checks(20)));
    const spooled = results.filter((r) => r === 'spooled').length;
    expect(spooled).toBeGreaterThan(3);
    expect(results.slice(spooled).every((r) => r === 'full')).toBe(true); // refused from then on, nothing lost before
    expect(spool.stats().bytes).toBeLessThanOrEqual(maxBytes);
    expect(diskBytes(spool.dir)).toBe(spool.stats().bytes);
    expect(spool.stats().checks).toBe(spooled * 20);
    // Room again once replayed batches are deleted.
    await drain(spool);
    expect(await spool.append(checks(20))).toBe('spooled');
  });

  it('refuses a second live collector with the same observer and shard on one DATA_DIR', () => {
    open();
    expect(() => openSpool({ dataDir, key, maxBytes: 1 << 20, log: capturingLog().log })).toThrow(SpoolInUseError);
    expect(() => openSpool({ dataDir, key, maxBytes: 1 << 20, log: capturingLog().log })).toThrow(/in use by process \d+ on .*OBSERVER_NAME or COLLECTOR_SHARD/);
  });

  it('takes over a spool whose owner process is gone', async () => {
    const first = open();
    await first.spool.append(checks(3));
    await closeAll();
    // As a SIGKILLed owner leaves it: the owner file still names a process, which no longer runs.
    writeFileSync(join(dataDir, 'spool', key, 'owner'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), started: Date.now() - 5_000 }));
    expect(open().spool.stats().checks).toBe(3);
  });

  it('takes over a spool whose owner had this pid before a restart (a container restarted)', async () => {
    const first = open();
    await first.spool.append(checks(3));
    await closeAll();
    writeFileSync(join(dataDir, 'spool', key, 'owner'), JSON.stringify({ pid: process.pid, host: hostname(), started: Math.round(performance.timeOrigin) - 60_000 }));
    expect(open().spool.stats().checks).toBe(3);
  });

  it('adopts the spool of a collector that is gone under another name or shard, oldest first', async () => {
    const gone = open({ key: spoolKey('old-host', { index: 0, count: 1 }) });
    const theirs = checks(4);
    await gone.spool.append(theirs);
    await closeAll();
    const ours = open({ key: spoolKey('new-host', { index: 0, count: 2 }) });
    expect(ours.spool.stats().checks).toBe(4);
    expect(await drain(ours.spool)).toEqual([theirs]);
    expect(readdirSync(join(dataDir, 'spool'))).toEqual([spoolKey('new-host', { index: 0, count: 2 })]);
  });

  it('leaves the spool of a live collector alone', async () => {
    const live = open({ key: spoolKey('a', { index: 0, count: 2 }) });
    await live.spool.append(checks(4));
    const other = open({ key: spoolKey('b', { index: 1, count: 2 }) });
    expect(other.spool.adoptAbandoned()).toBe(0);
    expect(other.spool.isEmpty()).toBe(true);
    expect(live.spool.stats().checks).toBe(4);
  });
});

describe('spool records across versions', () => {
  it('reads a check spooled before monitor types as an http check, and a dns check whole', async () => {
    const [old, dns] = checks(2) as [Check, Check];
    const { monitor_type: _type, ...spooledBefore } = old;
    const asked: Check = {
      ...dns,
      monitor_type: 'dns',
      method: null,
      dns: { question_name: 'example.com', question_type: 'A', answers: ['192.0.2.1'], response_code: 'NOERROR' },
    };
    const record = await encodeRecord([spooledBefore as Check, asked]);
    expect(await decodeRecord(record)).toEqual([old, asked]);
  });
});
