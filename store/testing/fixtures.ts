// Test fixtures shared by every part's tests and benchmarks: a complete MonitorInput and a
// plausible Check, with defaults overridden per test.

import { newCheckId } from '../ids.ts';
import type { Check, Monitor, MonitorInput, StatusPageSetting } from '../types.ts';

export function monitorInput(overrides: Partial<MonitorInput> = {}): MonitorInput & Pick<Monitor, 'managed_by_file' | 'push_token_hash'> {
  return {
    name: 'Example',
    type: 'http',
    url: 'https://example.com/health',
    method: 'GET',
    body: null,
    interval_seconds: 300,
    timeout_ms: 10_000,
    expect_status: '200-399',
    keyword: null,
    keyword_absent: false,
    json_assertions: [],
    max_response_ms: null,
    headers: {},
    dns: null,
    tls_expiry_days: [14, 7, 1],
    grace_seconds: 0,
    confirm_failures: 2,
    confirm_recoveries: 1,
    remind_every_minutes: 0,
    paused: false,
    tags: [],
    timezone: null,
    public: false,
    managed_by_file: false,
    ...overrides,
    push_token_hash: overrides.push_token_hash ?? null,
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
    monitor_type: 'http',
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
    cert_sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    error_type: up ? null : 'status',
    error_message: up ? null : 'status 503 not in 200-399',
    ...overrides,
  };
}


/** A status page published with its slug only (no title, no description). */
export function slugOnly(slug: string): StatusPageSetting {
  return { slug, title: null, description: null };
}
