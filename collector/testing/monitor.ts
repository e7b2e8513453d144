// Test support: a complete Monitor with sensible defaults, overridden per test.

import { monitorInput } from '../../store/testing/fixtures.ts';
import type { Monitor } from '../../store/types.ts';

export function testMonitor(overrides: Partial<Monitor> = {}): Monitor {
  return {
    ...monitorInput({ name: 'Test site', url: 'http://127.0.0.1:1/', interval_seconds: 60, timeout_ms: 3000 }),
    id: 'mon-1',
    owner_id: 'owner-1',
    created_at: 0,
    updated_at: 0,
    ...overrides,
  };
}
