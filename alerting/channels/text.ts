// Wording shared by every channel: the cause of an incident, durations and times. Pure functions,
// so that an email, an SMS and a webhook describe the same incident the same way.

import type { Incident } from '../../store/types.ts';
import type { AlertMessage, CertMessage, IncidentMessage } from './channel.ts';

/** "HTTP 503", "connect: ECONNREFUSED 127.0.0.1:80", "timeout: no response after 10 s". */
export function describeCause(incident: Pick<Incident, 'cause_type' | 'cause_message' | 'cause_status_code'>): string {
  const { cause_type: type, cause_message: message, cause_status_code: code } = incident;
  if (type === 'status' && code !== null) return `HTTP ${code}`;
  const parts = [type ?? 'unknown error', message].filter((p): p is string => Boolean(p));
  const text = parts.length === 2 ? `${parts[0]}: ${parts[1]}` : (parts[0] ?? 'unknown error');
  return code !== null ? `${text} (HTTP ${code})` : text;
}

/**
 * "59 s", "1 min 59 s", "3 h 5 min", "2 d 4 h": the dashboard's wording (dashboards/web/assets/js/
 * format.js `duration`), rounded to the second like the API's duration_seconds, so an email and
 * the incident table tell the same length (119 s is "1 min 59 s", not "1 min").
 */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return s % 60 === 0 ? `${min} min` : `${min} min ${s % 60} s`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** An outage that cycled through many failures names the first few; the rest is on the monitor page. */
const MAX_CAUSES_SHOWN = 4;

/** The causes of the outage in words, in the order they first appeared: "HTTP 500, then timeout: …". */
export function describeCauses(message: Pick<IncidentMessage, 'incident' | 'causes'>): string {
  const texts = [...new Set((message.causes?.length ? message.causes : [message.incident]).map(describeCause))];
  const shown = texts.slice(0, MAX_CAUSES_SHOWN);
  const more = texts.length - shown.length;
  return shown.join(', then ') + (more > 0 ? ` (and ${more} more)` : '');
}

function isoParts(ms: number, timeZone: string): { date: string; time: string; zone: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
  }).formatToParts(ms);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}:${get('second')}`, zone: get('timeZoneName') };
}

/**
 * "2025-03-01 14:03:07 UTC", plus the monitor's own zone when it has one:
 * "2025-03-01 14:03:07 UTC (15:03:07 GMT+1, Europe/Paris)". An unknown zone falls back to UTC only.
 */
export function formatTime(ms: number, timeZone: string | null): string {
  const utc = isoParts(ms, 'UTC');
  const base = `${utc.date} ${utc.time} UTC`;
  if (!timeZone || timeZone === 'UTC') return base;
  try {
    const local = isoParts(ms, timeZone);
    const day = local.date === utc.date ? '' : `${local.date} `;
    return `${base} (${day}${local.time} ${local.zone}, ${timeZone})`;
  } catch {
    return base;
  }
}

/** How long the incident lasted (up) or has lasted so far (down, reminder). */
export function downtime(message: IncidentMessage): number {
  const end = message.incident.resolved_at ?? message.now;
  return end - message.incident.started_at;
}

/** One-line headline, also the email subject. */
export function headline(message: AlertMessage): string {
  const { name, url } = message.monitor;
  switch (message.kind) {
    case 'down':
      return `[DOWN] ${name} (${url})`;
    case 'up':
      return `[UP] ${name} (${url}) is back after ${formatDuration(downtime(message))}`;
    case 'reminder':
      return `[STILL DOWN] ${name} (${url}) for ${formatDuration(downtime(message))}`;
    case 'cert':
      return `[CERT] ${name}: ${certSentence(message)}${message.cert.issuer === null ? '' : `, issued by ${message.cert.issuer}`}`;
  }
}

const DAY_MS = 86_400_000;

/** The host (and port) a certificate was presented for: https://shop.example:8443/x → shop.example:8443. */
export function certHost(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/** Whole days left at `now` (rounded down); negative once expired. */
export function certDaysLeft(message: Pick<CertMessage, 'cert' | 'now'>): number {
  return Math.floor((message.cert.not_after - message.now) / DAY_MS);
}

/**
 * "certificate for shop.example expires in 12 days (2026-12-12)", "… expires in 5 h (…)" on its
 * last day, "… expired 2 d 3 h ago (…)" after: counted at render time, not when it was decided.
 */
export function certSentence(message: CertMessage): string {
  const host = certHost(message.monitor.url);
  const date = new Date(message.cert.not_after).toISOString().slice(0, 10);
  const left = message.cert.not_after - message.now;
  if (left <= 0) return `certificate for ${host} expired ${formatDuration(-left)} ago (${date})`;
  const days = certDaysLeft(message);
  const span = days >= 1 ? `${days} ${days === 1 ? 'day' : 'days'}` : formatDuration(left);
  return `certificate for ${host} expires in ${span} (${date})`;
}
