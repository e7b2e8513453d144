// Sample checks and events for the ECS mapping tests (store/ecs.test.ts and the template tests):
// one with every optional field set, one with none.

import { noNetworkMeasurements } from './network-measurements.ts';
import type { Check, Delivery, Incident } from './types.ts';

const t0 = Date.parse('2025-03-30T00:59:30.125Z');

export function fullCheck(overrides: Partial<Check> = {}): Check {
  return {
    id: '01JQ4Z8K6V3S9W0D2E5F7G8H9J',
    monitor_id: 'mon_42',
    owner_id: 'usr_7',
    monitor_name: 'Shop front page',
    monitor_type: 'http',
    url: 'https://shop.example.com:8443/health?full=1',
    method: 'GET',
    observer: 'eu-west',
    timestamp: t0,
    next_at: t0 + 60_000,
    status: 'up',
    duration_us: 183_412,
    status_code: 200,
    body_bytes: 5120,
    resolved_ip: '93.184.216.34',
    dns_us: 1_204,
    connect_us: 20_331,
    tls_us: 41_998,
    first_byte_us: 101_010,
    total_us: 160_220,
    tls_version: 'TLSv1.3',
    cert_not_after: Date.parse('2025-06-01T12:00:00.000Z'),
    cert_issuer: "Let's Encrypt R11",
    cert_sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    error_type: 'keyword',
    error_message: 'keyword "OK" not found in the first 64 KiB',
    // Not what an http probe writes: here so that every mapped field is written once.
    dns: { question_name: 'shop.example.com', question_type: 'A', answers: ['93.184.216.34', '93.184.216.35'], response_code: 'NOERROR' },
    maintenance: true,
    ...overrides,
  };
}

/** A connection failure: no response, no TLS, nothing optional. */
export function bareCheck(overrides: Partial<Check> = {}): Check {
  return {
    id: 'chk_bare',
    monitor_id: 'mon_1',
    owner_id: 'usr_1',
    monitor_name: 'API',
    monitor_type: 'http',
    url: 'http://api.example.org/',
    ...noNetworkMeasurements(),
    method: 'HEAD',
    observer: 'local',
    timestamp: t0,
    next_at: t0 + 20_000,
    status: 'down',
    duration_us: 3_000_000,
    error_type: 'dns',
    error_message: null,
    ...overrides,
  };
}

export function resolvedIncident(): Incident {
  return {
    id: 'inc_1',
    owner_id: 'usr_7',
    monitor_id: 'mon_42',
    started_at: t0,
    resolved_at: t0 + 90_000,
    cause_type: 'status',
    cause_message: 'HTTP 503',
    cause_status_code: 503,
    check_id: 'chk_first_down',
  };
}

export function deadDelivery(): Delivery {
  return {
    id: 'dlv_1',
    owner_id: 'usr_7',
    monitor_id: 'mon_42',
    incident_id: 'inc_1',
    contact_id: 'ct_1',
    channel: 'sms',
    address: '+15550100',
    kind: 'down',
    check_id: 'chk_confirming',
    check_at: t0 + 60_000,
    status: 'dead',
    attempts: 9,
    next_attempt_at: t0 + 120_000,
    last_error: 'Twilio 400: invalid To number',
    created_at: t0 + 60_500,
    sent_at: null,
    lease_owner: null,
    lease_expires_at: null,
    cert: null,
  };
}
