// Shared plumbing of the conformance suite: a fresh store per case, the skip list, and
// fixtures (users, monitors, checks) built the same way for every backend.

import { afterEach, beforeEach, it } from 'vitest';
import type { Store } from '../contract.ts';
import { newCheckId } from '../ids.ts';
import type { AlertState, Check, Delivery, Incident, Monitor, MonitorInput, User } from '../types.ts';

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

export function monitorInput(overrides: Partial<MonitorInput> = {}): MonitorInput {
  return {
    name: 'Example',
    url: 'https://example.com/health',
    method: 'GET',
    interval_seconds: 300,
    timeout_ms: 10_000,
    expect_status: '200-399',
    keyword: null,
    headers: {},
    confirm_failures: 2,
    confirm_recoveries: 1,
    remind_every_minutes: 0,
    paused: false,
    tags: [],
    timezone: null,
    public: false,
    ...overrides,
  };
}

/** A check of `monitor` at `timestamp`: up with 100 ms total unless overridden. */
export function makeCheck(monitor: Monitor, timestamp: number, overrides: Partial<Check> = {}): Check {
  const up = (overrides.status ?? 'up') === 'up';
  return {
    id: newCheckId(timestamp),
    monitor_id: monitor.id,
    owner_id: monitor.owner_id,
    monitor_name: monitor.name,
    url: monitor.url,
    method: monitor.method,
    observer: 'test-observer',
    timestamp,
    next_at: timestamp + monitor.interval_seconds * 1000,
    status: 'up',
    duration_us: 120_000,
    status_code: up ? 200 : 503,
    body_bytes: 512,
    resolved_ip: '192.0.2.10',
    dns_us: 1_000,
    connect_us: 2_000,
    tls_us: 3_000,
    first_byte_us: 50_000,
    total_us: 100_000,
    tls_version: 'TLSv1.3',
    cert_not_after: Date.UTC(2027, 0, 1),
    cert_issuer: 'Test CA',
    error_type: up ? null : 'status',
    error_message: up ? null : 'status 503 not in 200-399',
    ...overrides,
  };
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
    last_notified_at: null,
    updated_at: Date.UTC(2026, 5, 1),
    ...overrides,
  };
}
