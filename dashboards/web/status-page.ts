// Builds the public status page of one owner: its title (the slug when the owner set none) and
// description, their `public` monitors with current status, uptime, the kind of check with its
// 24-hour average time under the word that fits the type (publicKind: never the target itself)
// and 90 daily buckets (UTC days, the same for every visitor), and those monitors' incidents of the
// last 14 days (the kind of failure only: an error message may name internal addresses). Anyone may ask, so answers are kept
// for a few seconds per slug in a bounded cache: a busy page costs a handful of store queries per
// interval, however many people watch it.

import { inMaintenance } from '../../store/maintenance-schedule.ts';
import type { AlertStore, CheckReader, MaintenanceStore, MonitorStore } from '../../store/contract.ts';
import type { ErrorType, Incident, Monitor, MonitorSummary } from '../../store/types.ts';
import type { PublicIncident, PublicMonitor, PublicStatus } from './schemas.ts';

export const STATUS_DAYS = 90;
/** A page lists at most this many monitors, so one owner cannot make a public request expensive. */
export const MAX_PUBLIC_MONITORS = 100;
export const INCIDENT_DAYS = 14;
/** The history lists at most this many incidents (newest first), however often a monitor flapped. */
export const MAX_PUBLIC_INCIDENTS = 50;
const DAY_MS = 86_400_000;

export type StatusPageStore = Pick<MonitorStore, 'listMonitors'> &
  Pick<CheckReader, 'summary' | 'history'> &
  Pick<AlertStore, 'listIncidents'> &
  Pick<MaintenanceStore, 'listMaintenanceWindows'>;

const FAILURE_WORDS: Record<ErrorType, string> = {
  dns: 'DNS lookup failed',
  connect: 'Connection failed',
  timeout: 'Timed out',
  tls: 'TLS error',
  status: 'Unexpected HTTP status',
  keyword: 'Expected content missing',
  assertion: 'Unexpected response content',
  slow: 'Responding too slowly',
  missed: 'Heartbeat missed',
  reported: 'Scheduled job failed',
  redirects: 'Too many redirects',
  body: 'Response could not be read',
  blocked: 'Address not allowed',
  protocol: 'Invalid HTTP response',
};

function publicCause(incident: Incident): string {
  if (incident.cause_type === 'status' && incident.cause_status_code !== null) return `HTTP ${incident.cause_status_code}`;
  return incident.cause_type ? FAILURE_WORDS[incident.cause_type] : 'Down';
}

function publicIncident(name: string, incident: Incident, now: number): PublicIncident {
  return {
    monitor: name,
    started_at: new Date(incident.started_at).toISOString(),
    resolved_at: incident.resolved_at === null ? null : new Date(incident.resolved_at).toISOString(),
    duration_seconds: Math.round(((incident.resolved_at ?? now) - incident.started_at) / 1000),
    cause: publicCause(incident),
  };
}

/**
 * What a visitor may learn of a monitor's target: the kind of check and what its time measures.
 * The scheme and the DNS record type say nothing about where the target is; the host, port, path,
 * DNS name, resolver and push token may (DESIGN: the page never shows URLs), so none is used.
 */
export function publicKind(monitor: Pick<Monitor, 'type' | 'url' | 'dns'>): { kind: string; latencyLabel: NonNullable<PublicMonitor['latency']>['label'] | null } {
  switch (monitor.type) {
    case 'tcp':
      return monitor.url.startsWith('tls:')
        ? { kind: 'TLS port', latencyLabel: 'Connect and TLS handshake time' }
        : { kind: 'TCP port', latencyLabel: 'Connect time' };
    case 'dns':
      return { kind: monitor.dns ? `DNS ${monitor.dns.record_type} record` : 'DNS record', latencyLabel: 'Resolve time' };
    case 'push':
      return { kind: 'Heartbeat', latencyLabel: null };
    default:
      return { kind: monitor.url.startsWith('https:') ? 'HTTPS' : 'HTTP', latencyLabel: 'Response time' };
  }
}

function statusOf(row: MonitorSummary | undefined, paused: boolean, maintenance: boolean): PublicMonitor['status'] {
  if (paused) return 'paused';
  if (maintenance) return 'maintenance';
  return row?.status ?? 'unknown';
}

/** Midnight UTC of the day `STATUS_DAYS - 1` days before `now`'s day. */
export function firstDay(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS - (STATUS_DAYS - 1) * DAY_MS;
}

export async function buildPublicStatus(
  store: StatusPageStore,
  owner: { id: string; slug: string; title: string | null; description: string | null },
  now: number,
): Promise<PublicStatus> {
  const monitors = (await store.listMonitors(owner.id)).filter((m) => m.public).slice(0, MAX_PUBLIC_MONITORS);
  const summary = monitors.length > 0 ? await store.summary(owner.id, now) : [];
  const windows = monitors.length > 0 ? await store.listMaintenanceWindows(owner.id) : [];
  const byId = new Map(summary.map((row) => [row.monitor_id, row]));
  const from = firstDay(now);
  const incidentsFrom = now - INCIDENT_DAYS * DAY_MS;
  const incidents = (
    await Promise.all(
      monitors.map(async (monitor) =>
        ((await store.listIncidents(owner.id, monitor.id, { from: incidentsFrom, to: now })) ?? []).map((incident) => ({
          at: incident.started_at,
          json: publicIncident(monitor.name, incident, now),
        })),
      ),
    )
  )
    .flat()
    .sort((a, b) => b.at - a.at)
    .slice(0, MAX_PUBLIC_INCIDENTS)
    .map((entry) => entry.json);
  const items = await Promise.all(
    monitors.map(async (monitor): Promise<PublicMonitor> => {
      const row = byId.get(monitor.id);
      const history = await store.history(owner.id, monitor.id, { from, to: now, bucket: 'day', tz: 'UTC' });
      const { kind, latencyLabel } = publicKind(monitor);
      const avg = row?.avg_response_ms_24h ?? null;
      return {
        name: monitor.name,
        status: statusOf(row, monitor.paused, inMaintenance(windows, monitor, now)),
        last_check_at: row?.last_check ? new Date(row.last_check.timestamp).toISOString() : null,
        kind,
        latency: latencyLabel === null ? null : { label: latencyLabel, avg_ms_24h: avg === null ? null : Math.round(avg * 10) / 10 },
        uptime: { '24h': row?.uptime['24h'] ?? null, '30d': row?.uptime['30d'] ?? null, '90d': row?.uptime['90d'] ?? null },
        days: (history?.buckets ?? []).map((b) => ({
          date: new Date(b.start).toISOString().slice(0, 10),
          checks: b.checks,
          uptime: b.uptime,
        })),
      };
    }),
  );
  const statuses = items.map((m) => m.status);
  const overall = statuses.includes('down') ? 'down' : statuses.includes('up') ? 'up' : 'unknown';
  return {
    slug: owner.slug,
    title: owner.title ?? owner.slug,
    description: owner.description,
    generated_at: new Date(now).toISOString(), status: overall, monitors: items, incidents };
}

type Entry = { expires: number; value: Promise<PublicStatus> };

/**
 * Remembers each slug's page for `ttlMs`, at most `maxEntries` slugs (oldest dropped first).
 * Concurrent requests for the same slug share one build; a failed build is not kept.
 */
export function createStatusCache(options: { ttlMs: number; maxEntries: number; clock: () => number }) {
  const entries = new Map<string, Entry>();
  return {
    get(slug: string, build: () => Promise<PublicStatus>): Promise<PublicStatus> {
      const now = options.clock();
      const hit = entries.get(slug);
      if (hit && hit.expires > now) return hit.value;
      entries.delete(slug);
      while (entries.size >= options.maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      const value = build();
      entries.set(slug, { expires: now + options.ttlMs, value });
      value.catch(() => {
        if (entries.get(slug)?.value === value) entries.delete(slug);
      });
      return value;
    },
    /** Forgets a slug at once, e.g. when its owner turns the page off. */
    forget(slug: string): void {
      entries.delete(slug);
    },
  };
}

export type StatusCache = ReturnType<typeof createStatusCache>;
