// History, summary, incidents and notifications: the read side built on the store's aggregates
// and on what the alerting wrote (incidents and deliveries written here through the store, as
// the evaluator would).

import { beforeAll, describe, expect, it } from 'vitest';
import type { AlertState, Delivery, Incident, Monitor } from '../../store/types.ts';
import type { Problem } from '../problem.ts';
import { checkOf, useSignedInApi } from '../testing.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Bucket = { start: string; checks: number; up: number; down: number; uptime: number | null; response_ms: Record<string, number | null> };
type HistoryJson = { bucket: string; tz: string; from: string; to: string; buckets: Bucket[]; totals: Record<string, number | null> };

describe('history, summary, incidents, notifications', () => {
  const now = Date.UTC(2025, 5, 15, 12, 30);
  const api = useSignedInApi({ scope: 'describe', clock: () => now });
  let monitor: Monitor;
  let incident: Incident;

  beforeAll(async () => {
    const created = await api.call<{ id: string }>('POST', '/api/monitors', {
      token: api.token,
      json: { name: 'Site', url: 'https://example.com/', timezone: 'Asia/Kolkata' },
    });
    monitor = (await api.store.getMonitor(api.userId, created.body.id))!;
    const contact = (await api.store.addContact(api.userId, monitor.id, { type: 'email', address: 'ops@example.com' }))!;

    // Four checks in each of the last three hours; one down in the newest hour.
    const checks = [3, 2, 1].flatMap((hoursAgo) =>
      [5, 20, 35, 50].map((minute) => {
        const at = now - hoursAgo * HOUR + minute * 60_000;
        const down = hoursAgo === 1 && minute === 50;
        return checkOf(monitor, at, down ? { status: 'down', error_type: 'connect', error_message: 'ECONNREFUSED', status_code: null } : {});
      }),
    );
    await api.store.appendChecks(checks);

    incident = {
      id: 'inc-1',
      owner_id: api.userId,
      monitor_id: monitor.id,
      started_at: now - 10 * 60_000,
      resolved_at: null,
      cause_type: 'connect',
      cause_message: 'ECONNREFUSED',
      cause_status_code: null,
      check_id: 'check-1',
    };
    const state: AlertState = {
      monitor_id: monitor.id,
      status: 'down',
      streak_status: null,
      streak_count: 0,
      streak_started_at: null,
      streak_check_id: null,
      streak_error_type: null,
      streak_error_message: null,
      streak_status_code: null,
      last_check_at: now - 60_000,
      open_incident_id: incident.id,
      told_incident_id: incident.id,
      last_notified_at: now - 60_000,
      cert_sha256: null,
      cert_told_days: null,
      updated_at: now - 60_000,
    };
    const delivery: Delivery = {
      id: 'delivery-1',
      owner_id: api.userId,
      monitor_id: monitor.id,
      incident_id: incident.id,
      contact_id: contact.id,
      channel: 'email',
      address: 'ops@example.com',
      kind: 'down',
      check_id: 'check-1',
      check_at: now - 60_000,
      status: 'pending',
      attempts: 0,
      next_attempt_at: now - 60_000,
      last_error: null,
      created_at: now - 60_000,
      sent_at: null,
      lease_owner: null,
      lease_expires_at: null,
      cert: null,
    };
    await api.store.compareAndSetAlertState(monitor.id, null, state, { incident, deliveries: [delivery] });
  });

  const get = <T = Problem>(path: string) => api.call<T>('GET', path, { token: api.token });

  it('answers hourly history for the last 24 h in the monitor time zone by default', async () => {
    const res = await get<HistoryJson>(`/api/monitors/${monitor.id}/history`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ bucket: 'hour', tz: 'Asia/Kolkata', to: new Date(now).toISOString(), from: new Date(now - DAY).toISOString() });
    // Kolkata is UTC+5:30, so its hours start at :30 UTC.
    expect(res.body.buckets.every((b) => b.start.slice(14) === '30:00.000Z')).toBe(true);
    const filled = res.body.buckets.filter((b) => b.checks > 0);
    expect(filled.map((b) => [b.checks, b.up, b.down])).toEqual([
      [4, 4, 0],
      [4, 4, 0],
      [4, 3, 1],
    ]);
    expect(filled.at(-1)!.uptime).toBe(0.75);
    expect(filled[0]!.response_ms.avg).toBeCloseTo(100, 0);
    expect(res.body.buckets.find((b) => b.checks === 0)?.uptime).toBeNull();
    expect(res.body.totals).toEqual({ checks: 12, up: 11, down: 1, maintenance: 0, uptime: 11 / 12 });
  });

  it('answers daily history in a requested zone', async () => {
    const res = await get<HistoryJson>(`/api/monitors/${monitor.id}/history?bucket=day&tz=UTC`);
    expect(res.status).toBe(200);
    expect(res.body.tz).toBe('UTC');
    expect(res.body.from).toBe(new Date(now - 30 * DAY).toISOString());
    expect(res.body.buckets.every((b) => b.start.endsWith('T00:00:00.000Z'))).toBe(true);
    expect(res.body.buckets.at(-1)).toMatchObject({ start: '2025-06-15T00:00:00.000Z', checks: 12 });
  });

  it.each([
    ['?bucket=minute', 'bucket', /hour or day/],
    ['?tz=Nowhere/Land', 'tz', /IANA/],
    ['?from=2025-01-01T00:00:00Z', 'from', /at most 2000 are allowed/],
    ['?from=2025-07-01T00:00:00Z', 'from', /earlier than to/],
  ])('refuses history%s naming the parameter', async (query, path, message) => {
    const res = await get(`/api/monitors/${monitor.id}/history${query}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('summarises each monitor with status, last check, uptime windows and the open incident', async () => {
    const res = await get<{ items: Array<Record<string, unknown>> }>('/api/summary');
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    const row = res.body.items[0]!;
    expect(row).toMatchObject({
      monitor_id: monitor.id,
      name: 'Site',
      url: 'https://example.com/',
      paused: false,
      status: 'down',
      uptime: { '24h': 11 / 12, '7d': 11 / 12, '30d': 11 / 12, '90d': 11 / 12 },
      open_incident: { id: 'inc-1', resolved_at: null, duration_seconds: 600, cause: { type: 'connect', message: 'ECONNREFUSED', status_code: null } },
    });
    expect(row.last_check).toMatchObject({ 'monitor.status': 'down', 'error.type': 'connect' });
    expect(row.avg_response_ms_24h).toBeCloseTo(100, 0);
  });

  it('lists incidents with ISO times, duration so far and cause', async () => {
    const res = await get<{ items: unknown[] }>(`/api/monitors/${monitor.id}/incidents`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        id: 'inc-1',
        monitor_id: monitor.id,
        started_at: new Date(now - 10 * 60_000).toISOString(),
        resolved_at: null,
        duration_seconds: 600,
        cause: { type: 'connect', message: 'ECONNREFUSED', status_code: null },
        check_id: 'check-1',
      },
    ]);
  });

  it('lists notifications with status and attempts', async () => {
    const res = await get<{ items: unknown[] }>(`/api/monitors/${monitor.id}/notifications`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        id: 'delivery-1',
        incident_id: 'inc-1',
        contact_id: expect.any(String),
        channel: 'email',
        address: 'ops@example.com',
        kind: 'down',
        status: 'pending',
        attempts: 0,
        last_error: null,
        check_id: 'check-1',
        check_at: new Date(now - 60_000).toISOString(),
        created_at: new Date(now - 60_000).toISOString(),
        next_attempt_at: new Date(now - 60_000).toISOString(),
        sent_at: null,
      },
    ]);
  });
});
