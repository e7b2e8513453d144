// Test support: plain values for channel tests (a monitor's incident, the confirming check, a
// delivery). Real shapes, no behaviour.

import type { Check, Delivery, Incident } from '../../store/types.ts';
import type { CertMessage, IncidentMessage } from '../channels/channel.ts';

export const T0 = Date.UTC(2025, 2, 1, 14, 3, 7); // 2025-03-01 14:03:07 UTC

export function sampleCheck(overrides: Partial<Check> = {}): Check {
  return {
    id: 'chk_2',
    monitor_id: 'mon_1',
    owner_id: 'usr_1',
    monitor_name: 'Shop',
    monitor_type: 'http',
    url: 'https://shop.example/health',
    method: 'GET',
    observer: 'paris',
    timestamp: T0 + 60_000,
    next_at: T0 + 120_000,
    status: 'down',
    duration_us: 120_000,
    status_code: 503,
    body_bytes: 12,
    resolved_ip: '192.0.2.10',
    dns_us: 1000,
    connect_us: 2000,
    tls_us: 3000,
    first_byte_us: 100_000,
    total_us: 110_000,
    tls_version: '1.3',
    cert_not_after: null,
    cert_issuer: null,
    cert_sha256: null,
    error_type: 'status',
    error_message: 'status 503 is not in 200-399',
    ...overrides,
  };
}

export function sampleIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'inc_1',
    owner_id: 'usr_1',
    monitor_id: 'mon_1',
    started_at: T0,
    resolved_at: null,
    cause_type: 'status',
    cause_message: 'status 503 is not in 200-399',
    cause_status_code: 503,
    check_id: 'chk_1',
    ...overrides,
  };
}

/** A certificate of shop.example expiring 12 days and 6 hours after `now`. */
export function sampleCertMessage(overrides: Partial<CertMessage> = {}): CertMessage {
  const now = T0 + 95 * 60_000;
  return {
    kind: 'cert',
    monitor: { id: 'mon_1', name: 'Shop', url: 'https://shop.example/health', timezone: 'Europe/Paris' },
    cert: {
      sha256: '5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef',
      not_after: now + 12 * 86_400_000 + 6 * 3_600_000,
      issuer: "Let's Encrypt R11",
      threshold_days: 14,
    },
    now,
    link: 'https://uptime.example/monitors/mon_1',
    ...overrides,
  };
}

export function sampleMessage(kind: IncidentMessage['kind'], overrides: Partial<IncidentMessage> = {}): IncidentMessage {
  const resolved = kind === 'up' ? { resolved_at: T0 + 12 * 60_000 } : {};
  return {
    kind,
    monitor: { id: 'mon_1', name: 'Shop', url: 'https://shop.example/health', timezone: 'Europe/Paris' },
    incident: sampleIncident(resolved),
    check: kind === 'reminder' ? null : sampleCheck(kind === 'up' ? { status: 'up', status_code: 200, error_type: null, error_message: null } : {}),
    now: T0 + 95 * 60_000,
    link: 'https://uptime.example/monitors/mon_1',
    ...overrides,
  };
}

export function sampleDelivery(overrides: Partial<Delivery> = {}): Delivery {
  return {
    id: 'dlv_abc',
    owner_id: 'usr_1',
    monitor_id: 'mon_1',
    incident_id: 'inc_1',
    contact_id: 'con_1',
    channel: 'email',
    address: 'ops@example.com',
    kind: 'down',
    check_id: 'chk_2',
    check_at: T0 + 60_000,
    status: 'pending',
    attempts: 0,
    next_attempt_at: T0 + 60_000,
    last_error: null,
    created_at: T0 + 60_000,
    sent_at: null,
    lease_owner: 'w1',
    lease_expires_at: T0 + 90_000,
    cert: null,
    ...overrides,
  };
}
