// Applying a MONITORS_FILE and exporting it, on each store: idempotent, changes only what the file
// changed, deletes only what the file made, refuses a bad file whole, and round-trips.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/contract.ts';
import { monitorInput } from '../store/testing/fixtures.ts';
import { CONTACT_TYPES } from '../store/types.ts';
import { scenarioBackends, sqliteBackend, type OpenedBackend } from '../test/support/backends.ts';
import { MAX_WINDOWS_PER_OWNER } from '../api/maintenance/routes.ts';
import { applyMonitorsFile } from './apply.ts';
import { exportMonitorsFile } from './export.ts';
import { MonitorsFileError, type MonitorsFileOptions } from './parse.ts';

const options: MonitorsFileOptions = { minIntervalSeconds: 20, defaultIntervalSeconds: 60, allowPrivateTargets: false, channels: new Set(CONTACT_TYPES) };

const TYPES_FILE = `owner: alice@example.com
monitors:
  - name: Orders API
    url: https://orders.example.com/v1/status
    method: POST
    body: '{"probe":true}'
    headers:
      Content-Type: application/json
    json_assertions:
      - { path: $.status, op: "==", value: ok }
    max_response_ms: 800
    keyword: maintenance
    keyword_absent: true
    tls_expiry_days: [30, 7]
  - name: Database port
    type: tcp
    url: tls://db.example.com:5432
    tls_expiry_days: []
  - name: Mail exchanger
    type: dns
    dns: { name: example.com, record_type: MX, resolver: 9.9.9.9, expect: 10 mx.example.com }
`;

const FILE = `owner: alice@example.com
monitors:
  - name: Shop
    url: https://shop.example.com/health
    interval_seconds: 30
    tags: [prod, eu]
    headers:
      Authorization: Bearer abc
    contacts:
      - type: email
        address: ops@example.com
      - type: sms
        address: "+14155550123"
  - name: Blog
    url: https://blog.example.com/
  - name: API
    url: https://api.example.com/health
    keyword: ok
    paused: true
maintenance:
  - name: Nightly backup
    monitors: [Shop, Blog]
    repeat: { every: day, from: "02:00", to: "02:30", tz: Europe/Paris }
  - name: Migration
    all: true
    start: 2026-06-01T22:00:00Z
    end: 2026-06-02T00:00:00Z
`;

/** The search engine makes each write visible (refresh) before it returns: a round trip takes seconds. */
const SLOW = 120_000;

const NOTHING = { monitors: { created: 0, updated: 0, deleted: 0 }, contacts: { added: 0, removed: 0 }, windows: { created: 0, updated: 0, deleted: 0 } };

/** Everything of the owner's that applying could change, timestamps included. */
async function snapshot(store: Store, ownerId: string) {
  const monitors = await store.listMonitors(ownerId);
  const contacts = await Promise.all(monitors.map((m) => store.listContacts(ownerId, m.id)));
  return { monitors, contacts, windows: await store.listMaintenanceWindows(ownerId) };
}

let dir: string;
let opened: OpenedBackend | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'monitors-file-'));
});
afterEach(async () => {
  await opened?.close();
  opened = null;
  rmSync(dir, { recursive: true, force: true });
});

describe.each(scenarioBackends())('MONITORS_FILE on $name', (backend) => {
  async function setUp() {
    opened = await backend.open();
    const { store } = opened;
    const alice = await store.createUser({ email: 'alice@example.com', password_hash: 'x' });
    const file = join(dir, 'monitors.yaml');
    const apply = (text: string) => {
      writeFileSync(file, text);
      return applyMonitorsFile({ store, file, options });
    };
    return { store, alice, file, apply };
  }

  it('creates what the file declares, marked; applying it again changes nothing, not even updated_at', async () => {
    const { store, alice, apply } = await setUp();
    expect(await apply(FILE)).toEqual({
      monitors: { created: 3, updated: 0, deleted: 0 },
      contacts: { added: 2, removed: 0 },
      windows: { created: 2, updated: 0, deleted: 0 },
    });
    const first = await snapshot(store, alice.id);
    expect(first.monitors.map((m) => [m.name, m.interval_seconds, m.paused, m.managed_by_file])).toEqual([
      ['Shop', 30, false, true],
      ['Blog', 60, false, true],
      ['API', 60, true, true],
    ]);
    expect(first.monitors[0]).toMatchObject({ tags: ['prod', 'eu'], headers: { Authorization: 'Bearer abc' } });
    expect(first.contacts[0]?.map((c) => c.address)).toEqual(['ops@example.com', '+14155550123']);
    const [shop, blog] = first.monitors;
    // Windows made in the same millisecond are listed in id order, which is random: compare by name.
    const windows = first.windows.map((w) => [w.name, w.all_monitors, w.monitor_ids, w.managed_by_file]).sort();
    expect(windows).toEqual([
      ['Migration', true, [], true],
      ['Nightly backup', false, [shop!.id, blog!.id], true],
    ]);

    expect(await apply(FILE)).toEqual(NOTHING);
    expect(await snapshot(store, alice.id)).toEqual(first);
  }, SLOW);

  it('an edit updates only the monitor it changed; one removed from the file is deleted; API-made ones stay', async () => {
    const { store, alice, apply } = await setUp();
    const manual = await store.createMonitor(alice.id, monitorInput({ name: 'Manual' }));
    // Same name as one of the file's: still the API's, never the file's.
    const apiBlog = await store.createMonitor(alice.id, monitorInput({ name: 'Blog' }));
    const apiWindow = await store.createMaintenanceWindow(alice.id, { name: 'Nightly backup', all_monitors: true, monitor_ids: [], start: 1, end: 2, repeat: null });
    await apply(FILE);
    const before = await snapshot(store, alice.id);
    const byName = (s: typeof before, name: string) => s.monitors.filter((m) => m.name === name && m.managed_by_file)[0]!;

    const edited = FILE.replace('interval_seconds: 30', 'interval_seconds: 45')
      .replace(/ {2}- name: API\n.*\n.*\n.*\n/, '')
      .replace('address: ops@example.com', 'address: oncall@example.com');
    expect(await apply(edited)).toEqual({ ...NOTHING, monitors: { created: 0, updated: 1, deleted: 1 }, contacts: { added: 1, removed: 1 } });

    const after = await snapshot(store, alice.id);
    expect(byName(after, 'Shop')).toMatchObject({ id: byName(before, 'Shop').id, interval_seconds: 45 });
    expect(byName(after, 'Blog')).toEqual(byName(before, 'Blog'));
    expect(after.monitors.some((m) => m.name === 'API')).toBe(false);
    expect(after.monitors.find((m) => m.id === manual.id)).toEqual(manual);
    expect(after.monitors.find((m) => m.id === apiBlog.id)).toEqual(apiBlog);
    expect(after.windows.find((w) => w.id === apiWindow.id)).toEqual(apiWindow);
    const shopContacts = await store.listContacts(alice.id, byName(after, 'Shop').id);
    expect(shopContacts.map((c) => c.address).sort()).toEqual(['+14155550123', 'oncall@example.com']);

    // Emptied: every monitor and window the file made goes; the API's stay.
    expect(await apply('owner: alice@example.com\n')).toMatchObject({ monitors: { deleted: 2 }, windows: { deleted: 2 } });
    const emptied = await snapshot(store, alice.id);
    expect(emptied.monitors).toEqual([manual, apiBlog]);
    expect(emptied.windows).toEqual([apiWindow]);
  }, SLOW);

  it('refuses a bad file whole, naming file, line and field; nothing changes', async () => {
    const { store, alice, file, apply } = await setUp();
    await apply(FILE);
    const before = await snapshot(store, alice.id);
    // A good change on line 5 and a bad field on line 15: neither is applied.
    const bad = FILE.replace('interval_seconds: 30', 'interval_seconds: 45').replace(
      '    url: https://blog.example.com/\n',
      '    url: https://blog.example.com/\n    timeout_ms: 20\n',
    );
    const refused = await apply(bad).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MonitorsFileError);
    expect((refused as Error).message).toContain(`${file}:16: monitors.1.timeout_ms: must be at least 100 ms`);
    expect(await snapshot(store, alice.id)).toEqual(before);

    const stranger = await apply(FILE.replace('alice@', 'nobody@')).catch((error: unknown) => error);
    expect((stranger as Error).message).toContain(`${file}:1: owner: no user with email "nobody@example.com"`);
    expect(await snapshot(store, alice.id)).toEqual(before);
  }, SLOW);

  it('round-trips every monitor type and their own fields', async () => {
    const { store, alice, apply } = await setUp();
    expect(await apply(TYPES_FILE)).toMatchObject({ monitors: { created: 3 } });
    const exported = await exportMonitorsFile(store, alice.id, options);
    expect(exported).toContain('type: tcp');
    expect(exported).toContain('record_type: MX');
    expect(exported).toContain('path: $.status');
    for (const monitor of await store.listMonitors(alice.id)) await store.deleteMonitor(alice.id, monitor.id);
    expect(await apply(exported)).toMatchObject({ monitors: { created: 3 } });
    expect(await exportMonitorsFile(store, alice.id, options)).toBe(exported);
    expect(await apply(exported)).toEqual(NOTHING);
  }, SLOW);

  it('round-trips: export, delete everything, apply the export, export again: the same text', async () => {
    const { store, alice, apply } = await setUp();
    await apply(FILE);
    // Monitors made through the API are exported too.
    const manual = await store.createMonitor(alice.id, monitorInput({ name: 'Manual', url: 'https://manual.example/', interval_seconds: 120, timeout_ms: 5_000 }));
    await store.addContact(alice.id, manual.id, { type: 'webhook', address: 'https://hooks.example.com/x' });
    await store.createMaintenanceWindow(alice.id, { name: 'Manual upgrade', all_monitors: false, monitor_ids: [manual.id], start: Date.UTC(2026, 6, 1), end: Date.UTC(2026, 6, 2), repeat: null });

    const exported = await exportMonitorsFile(store, alice.id, options);
    expect(exported).toContain('owner: alice@example.com\n');
    expect(exported).toContain('  - name: Manual\n    url: https://manual.example/\n    interval_seconds: 120\n    timeout_ms: 5000\n');
    // Defaults are left out: Blog is its name and URL.
    expect(exported).toContain('  - name: Blog\n    url: https://blog.example.com/\n  - name: API\n');

    for (const monitor of await store.listMonitors(alice.id)) await store.deleteMonitor(alice.id, monitor.id);
    for (const window of await store.listMaintenanceWindows(alice.id)) await store.deleteMaintenanceWindow(alice.id, window.id);
    expect(await exportMonitorsFile(store, alice.id, options)).toBe('owner: alice@example.com\nmonitors: []\n');

    expect(await apply(exported)).toMatchObject({ monitors: { created: 4 }, contacts: { added: 3 }, windows: { created: 3 } });
    expect(await exportMonitorsFile(store, alice.id, options)).toBe(exported);
  }, SLOW);
});

// One store is enough: the bound is counted by the applier, and 200 windows on the search engine
// take minutes to write.
describe('MONITORS_FILE and the bound on windows', () => {
  it("refuses windows that would pass the owner's limit with the API's, naming the line", async () => {
    opened = await sqliteBackend.open();
    const { store } = opened;
    const alice = await store.createUser({ email: 'alice@example.com', password_hash: 'x' });
    for (let i = 0; i < MAX_WINDOWS_PER_OWNER - 1; i += 1) {
      await store.createMaintenanceWindow(alice.id, { name: `api ${i}`, all_monitors: true, monitor_ids: [], start: 1, end: 2, repeat: null });
    }
    const file = join(dir, 'monitors.yaml');
    writeFileSync(file, FILE);
    const refused = await applyMonitorsFile({ store, file, options }).catch((error: unknown) => error);
    expect((refused as Error).message).toContain(`${file}:20: maintenance: 2 windows, with the 199 made through the API, pass the limit of 200 per user`);
    expect(await store.listMonitors(alice.id)).toEqual([]);
  });
});
