// Shared plumbing of the conformance suite: a fresh store per case, the skip list, and
// fixtures (users, monitors, checks) built the same way for every backend.

import { afterEach, beforeEach, it } from 'vitest';
import type { Store } from '../contract.ts';
import { makeCheck } from '../testing/fixtures.ts';
import type { AlertState, Check, Delivery, Incident, Monitor, User } from '../types.ts';

export { makeCheck, monitorInput } from '../testing/fixtures.ts';

export type ConformanceOptions = {
  name: string;
  open: () => Promise<Store>;
  /** Makes every write so far visible to searches (near-real-time backends). */
  refresh?: (store: Store) => Promise<void>;
  /** Case name → reason it does not apply to this backend. */
  skip?: Record<string, string>;
};

export type Context = {
  /** The store opened for the running case. */
  store(): Store;
  refresh(): Promise<void>;
  /** Declares a case, honouring the backend's skip list. */
  test(name: string, body: () => Promise<void>): void;
};

/** Call inside a describe block: opens a fresh store before each case and closes it after. */
export function useStore(options: ConformanceOptions): Context {
  let current: Store | null = null;
  beforeEach(async () => {
    current = await options.open();
  });
  afterEach(async () => {
    await current?.close();
    current = null;
  });
  const store = () => {
    if (!current) throw new Error('no store open: call store() inside a case');
    return current;
  };
  return {
    store,
    refresh: async () => {
      await options.refresh?.(store());
    },
    test(name, body) {
      const reason = options.skip?.[name];
      if (reason !== undefined) it.skip(`${name} (skipped: ${reason})`, body);
      else it(name, body);
    },
  };
}

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const MINUTE = 60_000;

let emailCounter = 0;

export async function newUser(store: Store, email?: string): Promise<User> {
  emailCounter += 1;
  return store.createUser({ email: email ?? `user${emailCounter}-${Date.now()}@example.com`, password_hash: 'scrypt$hash' });
}

/** Checks every `stepMs` from `from` (inclusive) to `to` (exclusive). */
export function checksEvery(monitor: Monitor, from: number, to: number, stepMs: number, overrides: Partial<Check> = {}): Check[] {
  const checks: Check[] = [];
  for (let at = from; at < to; at += stepMs) checks.push(makeCheck(monitor, at, overrides));
  return checks;
}

let deliveryCounter = 0;

export function makeDelivery(monitor: Monitor, overrides: Partial<Delivery> = {}): Delivery {
  deliveryCounter += 1;
  return {
    id: `delivery-${deliveryCounter}-${Math.random().toString(36).slice(2, 8)}`,
    owner_id: monitor.owner_id,
    monitor_id: monitor.id,
    incident_id: 'incident-1',
    contact_id: 'contact-1',
    channel: 'email',
    address: 'ops@example.com',
    kind: 'down',
    check_id: 'check-1',
    check_at: Date.UTC(2026, 5, 1),
    status: 'pending',
    attempts: 0,
    next_attempt_at: Date.UTC(2026, 5, 1),
    last_error: null,
    created_at: Date.UTC(2026, 5, 1),
    sent_at: null,
    lease_owner: null,
    lease_expires_at: null,
    cert: null,
    ...overrides,
  };
}

export function makeIncident(monitor: Monitor, overrides: Partial<Incident> = {}): Incident {
  return {
    id: `incident-${Math.random().toString(36).slice(2, 10)}`,
    owner_id: monitor.owner_id,
    monitor_id: monitor.id,
    started_at: Date.UTC(2026, 5, 1),
    resolved_at: null,
    cause_type: 'timeout',
    cause_message: 'no response within 10000 ms',
    cause_status_code: null,
    check_id: 'check-1',
    ...overrides,
  };
}

export function alertState(monitor: Monitor, overrides: Partial<AlertState> = {}): AlertState {
  return {
    monitor_id: monitor.id,
    status: 'down',
    streak_status: null,
    streak_count: 0,
    streak_started_at: Date.UTC(2026, 5, 1),
    streak_check_id: 'check-1',
    streak_error_type: 'timeout',
    streak_error_message: 'no response within 10000 ms',
    streak_status_code: null,
    last_check_at: Date.UTC(2026, 5, 1),
    open_incident_id: null,
    told_incident_id: null,
    last_notified_at: null,
    cert_sha256: null,
    cert_told_days: null,
    updated_at: Date.UTC(2026, 5, 1),
    ...overrides,
  };
}
