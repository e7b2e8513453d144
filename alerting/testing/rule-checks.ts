// Checks for the table tests of the alert rules (state-machine.test.ts, cert-expiry.test.ts): one
// monitor (m1), the next probe a minute later, up with a 200 or down with a 503, no certificate
// unless `extra` gives one. Only what the rules read varies; the rest is plausible and fixed.

import type { Check } from '../../store/types.ts';

export function ruleCheck(timestamp: number, status: 'up' | 'down', extra: Partial<Check> = {}): Check {
  return {
    id: `c${timestamp}${extra.observer ?? ''}`,
    monitor_id: 'm1',
    owner_id: 'u1',
    monitor_name: 'Shop',
    monitor_type: 'http',
    url: 'https://shop.example',
    method: 'GET',
    observer: 'paris',
    timestamp,
    next_at: timestamp + 60_000,
    status,
    duration_us: 1000,
    status_code: status === 'up' ? 200 : 503,
    body_bytes: 10,
    resolved_ip: '192.0.2.1',
    dns_us: 1,
    connect_us: 1,
    tls_us: 1,
    first_byte_us: 1,
    total_us: 1,
    tls_version: null,
    cert_not_after: null,
    cert_issuer: null,
    cert_sha256: null,
    error_type: status === 'up' ? null : 'status',
    error_message: status === 'up' ? null : `unexpected status 503 at ${timestamp}`,
    ...extra,
  };
}
