// Test support: a real SQLite store in a temp directory with one user, and helpers to add
// monitors, contacts and checks. Also used by the child process of the crash scenario, so it
// does not import vitest.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Store } from '../../store/contract.ts';
import { openSqliteStore } from '../../store/sqlite/open.ts';
import { makeCheck as fixtureCheck, monitorInput } from '../../store/testing/fixtures.ts';
import { allDeliveries } from '../../store/testing/deliveries.ts';
import type { Check, ContactType, Delivery, Monitor, MonitorInput, User } from '../../store/types.ts';

export const silentLog = pino({ level: 'silent' });

/**
 * The store, plus every delivery of a monitor read through its pages (store/testing/deliveries.ts),
 * under the name the store contract once had for it, for scenarios written against that name.
 */
export type WorldStore = Store & { listDeliveries(ownerId: string, monitorId: string): Promise<Delivery[] | null> };

export type World = {
  dir: string;
  store: WorldStore;
  /** Variables that make a child process open the same storage (DATA_DIR, or the search engine's). */
  env: Record<string, string>;
  user: User;
  addMonitor(overrides?: Partial<MonitorInput>): Promise<Monitor>;
  addContact(monitor: Monitor, type: ContactType, address: string): Promise<void>;
  /** A check of `monitor` at `at` (default now), written with appendChecks. */
  writeCheck(monitor: Monitor, status: 'up' | 'down', at?: number, overrides?: Partial<Check>): Promise<Check>;
  close(): Promise<void>;
};

export function makeCheck(monitor: Monitor, status: 'up' | 'down', at: number, overrides: Partial<Check> = {}): Check {
  const up = status === 'up';
  // A plain-HTTP local target: no DNS or TLS phases.
  return fixtureCheck(monitor, at, {
    status,
    duration_us: 20_000,
    body_bytes: 100,
    resolved_ip: '127.0.0.1',
    dns_us: null,
    connect_us: 1_000,
    tls_us: null,
    first_byte_us: 10_000,
    total_us: 15_000,
    tls_version: null,
    cert_not_after: null,
    cert_issuer: null,
    cert_sha256: null,
    error_message: up ? null : 'status 503 is not in 200-399',
    ...overrides,
  });
}

/** Storage opened by the caller (test/support/backends.ts), instead of a SQLite file here. */
export type WorldStorage = { store: Store; env: Record<string, string>; close(): Promise<void> };

export async function createWorld(opts: { dir?: string; clock?: () => number; storage?: WorldStorage } = {}): Promise<World> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'alerting-'));
  const store = opts.storage?.store ?? (await openSqliteStore({ dataDir: dir, ...(opts.clock ? { clock: opts.clock } : {}) }));
  const env = opts.storage?.env ?? { DATA_DIR: dir };
  const user = (await store.getUserByEmail('owner@example.com')) ?? (await store.createUser({ email: 'owner@example.com', password_hash: 'x' }));
  let counter = 0;
  return {
    dir,
    store: { ...store, listDeliveries: (ownerId, monitorId) => allDeliveries(store, ownerId, monitorId) },
    env,
    user,
    async addMonitor(overrides = {}) {
      counter++;
      return store.createMonitor(
        user.id,
        monitorInput({ name: `Site ${counter}`, url: `https://site${counter}.example/`, interval_seconds: 60, timeout_ms: 5_000, ...overrides }),
      );
    },
    async addContact(monitor, type, address) {
      const contact = await store.addContact(user.id, monitor.id, { type, address });
      if (!contact) throw new Error(`could not add ${type} contact to ${monitor.id}`);
    },
    async writeCheck(monitor, status, at = Date.now(), overrides = {}) {
      const check = makeCheck(monitor, status, at, overrides);
      await store.appendChecks([check]);
      return check;
    },
    async close() {
      if (opts.storage) await opts.storage.close();
      else await store.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
