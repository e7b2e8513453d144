// What is particular to the SQLite file: data survives reopening, migrations apply once and
// atomically, several connections in several threads share one file safely, and only its owner
// can read it (it holds password hashes).

import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksEvery, makeDelivery, monitorInput } from '../conformance/harness.ts';
import { type Db, openDb } from './db.ts';
import { binOf, encode } from './histogram.ts';
import { createUserStore } from './users.ts';
import { MIGRATIONS, migrate, userVersion } from './migrations.ts';
import { SQLITE_FILE_NAME, openSqliteStore } from './open.ts';
import { allDeliveries } from '../testing/deliveries.ts';
import type { Monitor } from '../types.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-sqlite-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A monitor written as programs before schema version 8 did (no type columns). */
function insertMonitorV7(db: Db, ownerId: string, id: string, at: number): Monitor {
  const input = monitorInput();
  db.conn
    .prepare(
      `INSERT INTO monitors (id, owner_id, name, url, method, interval_seconds, timeout_ms, expect_status, keyword, confirm_failures,
         confirm_recoveries, remind_every_minutes, paused, timezone, public, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, 0, NULL, 0, ?, ?)`,
    )
    .run(id, ownerId, input.name, input.url, input.method, input.interval_seconds, input.timeout_ms, input.expect_status,
      input.confirm_failures, input.confirm_recoveries, input.remind_every_minutes, at, at);
  return { ...input, id, owner_id: ownerId, created_at: at, updated_at: at };
}

describe('sqlite file', () => {
  const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);
  const files = () => [SQLITE_FILE_NAME, `${SQLITE_FILE_NAME}-wal`, `${SQLITE_FILE_NAME}-shm`].map((name) => join(dir, name));

  // Asserted under the usual umask 022, which would otherwise leave the files readable by all.
  it('creates the database, its WAL and its shared-memory file readable by their owner only', async () => {
    const store = await openSqliteStore({ dataDir: dir });
    try {
      await store.createUser({ email: 'a@example.com', password_hash: 'scrypt$secret' });
      expect(files().map(modeOf)).toEqual(['600', '600', '600']);
    } finally {
      await store.close();
    }
  });

  it('takes group and other access away from a file an earlier version created', async () => {
    const [db = '', wal = '', shm = ''] = files();
    const first = await openSqliteStore({ dataDir: dir });
    await first.createUser({ email: 'a@example.com', password_hash: 'scrypt$secret' });
    await first.close();
    chmodSync(db, 0o644);
    writeFileSync(wal, '', { mode: 0o644 });
    chmodSync(wal, 0o644);
    const second = await openSqliteStore({ dataDir: dir });
    try {
      await second.createUser({ email: 'b@example.com', password_hash: 'scrypt$secret' });
      expect([db, wal, shm].map(modeOf)).toEqual(['600', '600', '600']);
    } finally {
      await second.close();
    }
  });

  it('keeps every kind of data across close and reopen, migrating once', async () => {
    const T = Date.UTC(2026, 4, 1);
    const first = await openSqliteStore({ dataDir: dir });
    const user = await first.createUser({ email: 'a@example.com', password_hash: 'h' });
    const monitor = await first.createMonitor(user.id, monitorInput({ tags: ['x'], headers: { A: 'b' } }));
    await first.appendChecks(checksEvery(monitor, T, T + 3_600_000, 300_000));
    await first.enqueueDeliveries([makeDelivery(monitor)]);
    await first.close();

    const second = await openSqliteStore({ dataDir: dir });
    expect(await second.getUserByEmail('A@example.com')).toEqual(user);
    expect(await second.getMonitor(user.id, monitor.id)).toEqual(monitor);
    expect((await second.listChecks(user.id, monitor.id, { limit: 100 }))?.items).toHaveLength(12);
    expect(await allDeliveries(second, user.id, monitor.id)).toHaveLength(1);
    await second.close();

    const raw = new DatabaseSync(join(dir, SQLITE_FILE_NAME));
    expect(raw.prepare('PRAGMA user_version').get()).toEqual({ user_version: MIGRATIONS.at(-1)!.version });
    expect(raw.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: MIGRATIONS.length });
    expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    raw.close();
  });

  it('retention removes the rows of a deleted monitor once its checks and rollups are gone', async () => {
    const T = Date.UTC(2026, 0, 1);
    let now = T + 3_600_000;
    const store = await openSqliteStore({ dataDir: dir, clock: () => now });
    const user = await store.createUser({ email: 'a@example.com', password_hash: 'h' });
    const kept = await store.createMonitor(user.id, monitorInput());
    const gone = await store.createMonitor(user.id, monitorInput());
    await store.appendChecks([...checksEvery(kept, T, T + 3_600_000, 60_000), ...checksEvery(gone, T, T + 3_600_000, 60_000)]);
    await store.deleteMonitor(user.id, gone.id);
    now = T + 10 * 86_400_000;
    await store.purgeChecksBefore(T + 2 * 86_400_000);
    await store.close();
    const raw = new DatabaseSync(join(dir, SQLITE_FILE_NAME));
    const count = (sql: string) => raw.prepare(sql).get()?.n;
    expect(count('SELECT count(*) AS n FROM monitors')).toBe(1);
    expect(count('SELECT count(*) AS n FROM checks')).toBe(0);
    expect(count('SELECT count(*) AS n FROM rollup_hour') ?? 0).toBe(0);
    expect(count('SELECT count(*) AS n FROM rollup_day') ?? 0).toBe(0);
    raw.close();
  });

  it('upgrades a version-2 file: its checks are listed and its rollups still answer history', async () => {
    const T = Date.UTC(2026, 4, 1);
    // A file left by a version-2 program: checks with their rollups, written as that version did.
    const old = openDb(join(dir, SQLITE_FILE_NAME), () => T);
    migrate(old, MIGRATIONS.slice(0, 2));
    const user = await createUserStore(old).createUser({ email: 'a@example.com', password_hash: 'h' });
    const monitor = insertMonitorV7(old, user.id, 'mon-old', T);
    const checks = checksEvery(monitor, T, T + 2 * 3_600_000, 300_000);
    old.conn.exec(`INSERT INTO check_contexts (ctx, signature, monitor_name, url, method, observer) VALUES (1, x'01', 'Example', 'https://example.com/health', 'GET', 'o')`);
    const insert = old.conn.prepare(
      `INSERT INTO checks (id, mkey, ts, next_in_ms, up, ctx, duration_us, total_us) VALUES (?, 1, ?, 300000, 1, 1, 100000, 100000)`,
    );
    for (const check of checks) insert.run(check.id, check.timestamp);
    const hour = Math.floor(T / 3_600_000);
    const rollup = old.conn.prepare(
      `INSERT INTO rollup_hour (mkey, hour, checks, up, resp_count, resp_sum_us, resp_max_us, histogram) VALUES (1, ?, 12, 12, 12, 1200000, 100000, ?)`,
    );
    for (const h of [hour, hour + 1]) rollup.run(h, encode(new Map([[binOf(100_000), 12]])));
    old.conn.exec(`INSERT INTO rollup_day (mkey, day, checks, up, resp_count, resp_sum_us) VALUES (1, ${Math.floor(T / 86_400_000)}, 24, 24, 24, 2400000)`);
    old.conn.close();

    const upgraded = await openSqliteStore({ dataDir: dir, clock: () => T + 3 * 3_600_000 });
    // Whole hours are answered from rollup_hour, so these counts come from the rows written before.
    const history = await upgraded.history(user.id, monitor.id, { from: T, to: T + 2 * 3_600_000, bucket: 'hour', tz: 'UTC' });
    expect(history?.buckets.map((b) => b.checks)).toEqual([12, 12]);
    // A partial hour is read from the checks themselves, found through the lists the upgrade made.
    const partial = await upgraded.history(user.id, monitor.id, { from: T + 1_800_000, to: T + 2 * 3_600_000, bucket: 'day', tz: 'UTC' });
    expect(partial?.totals.checks).toBe(18);
    const listed = await upgraded.listChecks(user.id, monitor.id, { limit: 100 });
    expect(listed?.items.map((c) => c.id)).toEqual(checks.map((c) => c.id).reverse());
    await upgraded.appendChecks(checksEvery(monitor, T + 3_600_000 + 1, T + 2 * 3_600_000, 600_000));
    const after = await upgraded.history(user.id, monitor.id, { from: T, to: T + 2 * 3_600_000, bucket: 'hour', tz: 'UTC' });
    expect(after?.buckets.map((b) => b.checks)).toEqual([12, 18]);
    const [summary] = await upgraded.summary(user.id, T + 3 * 3_600_000);
    expect(summary?.uptime['24h']).toBe(1);
    await upgraded.close();
  });

  it('upgrades a version-5 file: an alert state down on an incident was told of it', async () => {
    const T = Date.UTC(2026, 4, 1);
    const old = openDb(join(dir, SQLITE_FILE_NAME), () => T);
    migrate(old, MIGRATIONS.filter((m) => m.version <= 5));
    const user = await createUserStore(old).createUser({ email: 'a@example.com', password_hash: 'h' });
    const [down, up] = [insertMonitorV7(old, user.id, 'mon-down', T), insertMonitorV7(old, user.id, 'mon-up', T)];
    const state = old.conn.prepare(
      `INSERT INTO alert_states (monitor_id, version, status, streak_count, open_incident_id, updated_at) VALUES (?, 1, ?, 0, ?, ?)`,
    );
    state.run(down!.id, 'down', 'inc-1', T);
    state.run(up!.id, 'up', null, T);
    old.conn.close();

    const upgraded = await openSqliteStore({ dataDir: dir, clock: () => T });
    try {
      expect((await upgraded.getAlertState(down!.id))?.state).toMatchObject({ open_incident_id: 'inc-1', told_incident_id: 'inc-1' });
      expect((await upgraded.getAlertState(up!.id))?.state).toMatchObject({ open_incident_id: null, told_incident_id: null });
    } finally {
      await upgraded.close();
    }
  });

  it('upgrades a version-7 file: its monitors are http monitors and their checks keep their context', async () => {
    const T = Date.UTC(2026, 4, 1);
    const old = openDb(join(dir, SQLITE_FILE_NAME), () => T);
    migrate(old, MIGRATIONS.filter((m) => m.version <= 7));
    const user = await createUserStore(old).createUser({ email: 'a@example.com', password_hash: 'h' });
    const monitor = insertMonitorV7(old, user.id, 'mon-old', T);
    old.conn.exec(`INSERT INTO check_contexts (ctx, signature, monitor_name, url, method, observer, tls_version) VALUES (7, x'07', 'Example', 'https://example.com/health', 'HEAD', 'o', 'TLSv1.3')`);
    old.conn.prepare(`INSERT INTO checks (id, mkey, ts, next_in_ms, up, ctx, duration_us, total_us) VALUES ('chk-old', 1, ?, 300000, 1, 7, 100000, 100000)`).run(T);
    old.conn.close();

    const upgraded = await openSqliteStore({ dataDir: dir, clock: () => T + 60_000 });
    try {
      expect(await upgraded.getMonitor(user.id, monitor.id)).toEqual({
        ...monitor,
        type: 'http',
        body: null,
        keyword_absent: false,
        json_assertions: [],
        max_response_ms: null,
        dns: null,
      });
      const [check] = (await upgraded.listChecks(user.id, monitor.id, { limit: 10 }))!.items;
      expect(check).toMatchObject({ id: 'chk-old', monitor_type: 'http', method: 'HEAD', tls_version: 'TLSv1.3', observer: 'o' });
      expect(check).not.toHaveProperty('dns');
      expect((await upgraded.findMonitors(user.id, { type: 'http', limit: 10 })).items.map((m) => m.id)).toEqual([monitor.id]);
    } finally {
      await upgraded.close();
    }
  });

  it('upgrades a version-8 file: monitors get the default certificate thresholds, deliveries and states are kept', async () => {
    const T = Date.UTC(2026, 4, 1);
    const old = openDb(join(dir, SQLITE_FILE_NAME), () => T);
    migrate(old, MIGRATIONS.filter((m) => m.version <= 8));
    const user = await createUserStore(old).createUser({ email: 'a@example.com', password_hash: 'h' });
    const monitor = insertMonitorV7(old, user.id, 'mon-old', T);
    old.conn
      .prepare(
        `INSERT INTO deliveries (id, owner_id, monitor_id, incident_id, contact_id, channel, address, kind, check_id, check_at, status,
           attempts, next_attempt_at, created_at) VALUES ('dlv-old', ?, ?, 'inc-1', 'con-1', 'email', 'ops@example.com', 'down', 'chk-1', ?, 'pending', 0, ?, ?)`,
      )
      .run(user.id, monitor.id, T, T, T);
    old.conn
      .prepare(`INSERT INTO alert_states (monitor_id, version, status, streak_count, open_incident_id, told_incident_id, updated_at) VALUES (?, 3, 'down', 0, 'inc-1', 'inc-1', ?)`)
      .run(monitor.id, T);
    old.conn.close();

    const upgraded = await openSqliteStore({ dataDir: dir, clock: () => T + 60_000 });
    try {
      expect((await upgraded.getMonitor(user.id, monitor.id))?.tls_expiry_days).toEqual([14, 7, 1]);
      expect((await upgraded.getAlertState(monitor.id))?.state).toMatchObject({ status: 'down', cert_sha256: null, cert_told_days: null });
      const [delivery] = await upgraded.claimDueDeliveries('w1', T + 60_000, 30_000, 10);
      expect(delivery).toMatchObject({ id: 'dlv-old', incident_id: 'inc-1', kind: 'down', cert: null });
    } finally {
      await upgraded.close();
    }
  });

  it('applies migration 8 to a file that reached 9 without it (9 was released first)', async () => {
    const T = Date.UTC(2026, 4, 1);
    const old = openDb(join(dir, SQLITE_FILE_NAME), () => T);
    migrate(old, MIGRATIONS.filter((m) => m.version !== 8 && m.version <= 9));
    expect(userVersion(old)).toBe(9);
    const user = await createUserStore(old).createUser({ email: 'a@example.com', password_hash: 'h' });
    const monitor = insertMonitorV7(old, user.id, 'mon-old', T);
    old.conn.close();

    const upgraded = await openSqliteStore({ dataDir: dir, clock: () => T });
    try {
      expect(await upgraded.getMonitor(user.id, monitor.id)).toMatchObject({ type: 'http', json_assertions: [], dns: null });
      expect(await upgraded.createMonitor(user.id, monitorInput({ type: 'tcp', url: 'tcp://db.example.com:5432' }))).toMatchObject({ type: 'tcp' });
    } finally {
      await upgraded.close();
    }
    const raw = new DatabaseSync(join(dir, SQLITE_FILE_NAME));
    expect(raw.prepare('PRAGMA user_version').get()).toEqual({ user_version: MIGRATIONS.at(-1)?.version });
    expect(raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    raw.close();
  });

  it('answers the same before, across and after a fold when late checks land in a folded hour', async () => {
    const T = Date.UTC(2026, 6, 1, 10);
    const open = () => openSqliteStore({ dataDir: dir, foldEveryMs: Infinity, clock: () => T + 7_200_000 });
    let store = await open();
    const user = await store.createUser({ email: 'a@example.com', password_hash: 'h' });
    const monitor = await store.createMonitor(user.id, monitorInput());
    const early = checksEvery(monitor, T, T + 3_600_000, 120_000);
    const late = checksEvery(monitor, T + 60_000, T + 3_600_000, 120_000);
    await store.appendChecks(early);
    await store.close(); // folds: `early` is now in check_hours and the rollups
    store = await open();
    await store.appendChecks(late); // the tail, interleaved in time with folded checks of the same hour
    const everything = [...early, ...late].sort((a, b) => b.timestamp - a.timestamp).map((c) => c.id);

    const answers = async () => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listChecks(user.id, monitor.id, { limit: 7, ...(cursor ? { cursor } : {}) });
        ids.push(...page!.items.map((c) => c.id));
        cursor = page!.next_cursor ?? undefined;
      } while (cursor);
      const hours = await store.history(user.id, monitor.id, { from: T, to: T + 3_600_000, bucket: 'hour', tz: 'UTC' });
      const half = await store.history(user.id, monitor.id, { from: T + 1_800_000, to: T + 3_600_000, bucket: 'hour', tz: 'UTC' });
      const [summary] = await store.summary(user.id, T + 7_200_000);
      return { ids, hour: hours!.totals.checks, half: half!.totals.checks, last: summary!.last_check?.id };
    };
    const expected = { ids: everything, hour: 60, half: 30, last: everything[0] };
    expect(await answers()).toEqual(expected);
    await store.close(); // folds `late` into the hour list `early` started
    store = await open();
    expect(await answers()).toEqual(expected);
    await store.close();
  });

  it('rolls back a failing migration entirely and refuses a file from a newer version', async () => {
    const db = openDb(join(dir, 'x.sqlite'), Date.now);
    migrate(db);
    const latest = MIGRATIONS.at(-1)!.version;
    const broken = [...MIGRATIONS, { version: latest + 1, name: 'broken', sql: 'CREATE TABLE half_done (a); SELECT nope FROM nowhere;' }];
    expect(() => migrate(db, broken)).toThrow(/nowhere/);
    expect(userVersion(db)).toBe(latest);
    expect(db.conn.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()).toEqual({ n: 0 });
    db.conn.exec('PRAGMA user_version = 99');
    expect(() => migrate(db)).toThrow(new RegExp(`schema version 99, newer than this program knows \\(${latest}\\)`));
    db.conn.close();
  });

  it('lets connections in several threads append, claim and compare-and-set on one file without overlap', async () => {
    const now = Date.UTC(2026, 5, 1);
    const store = await openSqliteStore({ dataDir: dir });
    const user = await store.createUser({ email: 'a@example.com', password_hash: 'h' });
    const monitor = await store.createMonitor(user.id, monitorInput());
    const deliveries = Array.from({ length: 300 }, (_, i) => makeDelivery(monitor, { next_attempt_at: now - i }));
    await store.enqueueDeliveries(deliveries);

    type Report = { claimed: string[]; increments: number[]; conflicts: number };
    const barrier = new SharedArrayBuffer(4);
    const checks = checksEvery(monitor, now - 86_400_000, now, 60_000);
    const run = (worker: string) =>
      new Promise<Report>((resolve, reject) => {
        const thread = new Worker(new URL('./concurrency-worker.ts', import.meta.url), {
          workerData: { dataDir: dir, worker, monitorId: monitor.id, ownerId: user.id, increments: 25, now, barrier, workers: 3, checks },
        });
        thread.once('message', resolve);
        thread.once('error', reject);
      });
    const reports = await Promise.all(['w1', 'w2', 'w3'].map(run));

    const claimed = reports.flatMap((r) => r.claimed);
    expect(claimed.sort()).toEqual(deliveries.map((d) => d.id).sort());
    const versions = reports.flatMap((r) => r.increments);
    expect(versions.sort((a, b) => a - b)).toEqual(Array.from({ length: 75 }, (_, i) => i + 1));
    const state = await store.getAlertState(monitor.id);
    expect(state).toMatchObject({ version: 75, state: { streak_count: 75 } });
    expect(await store.listIncidents(user.id, monitor.id, {})).toHaveLength(75);
    const sent = await allDeliveries(store, user.id, monitor.id);
    expect(sent!.every((d) => d.status === 'sent' && d.attempts === 1)).toBe(true);
    const history = await store.history(user.id, monitor.id, { from: now - 86_400_000, to: now, bucket: 'day', tz: 'UTC' });
    expect(history?.totals.checks).toBe(checks.length);
    const page = await store.listChecks(user.id, monitor.id, { limit: 2_000 });
    expect(page?.items).toHaveLength(checks.length);
    await store.close();
  });
});

