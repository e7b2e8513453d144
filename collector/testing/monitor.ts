// Test support: a complete Monitor with sensible defaults, overridden per test.

import type { Monitor } from '../../store/types.ts';

export function testMonitor(overrides: Partial<Monitor> = {}): Monitor {
  return {
    id: 'mon-1',
    owner_id: 'owner-1',
    name: 'Test site',
    url: 'http://127.0.0.1:1/',
    method: 'GET',
    interval_seconds: 60,
    timeout_ms: 3000,
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
    created_at: 0,
    updated_at: 0,
    ...overrides,
  };
}
