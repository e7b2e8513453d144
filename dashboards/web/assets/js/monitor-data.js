// Reading the API's monitor data in the shapes the pages draw: status of a summary row, the time of
// a check, daily buckets for the uptime bar.

import { api } from './api.js';

/** @returns {'up' | 'down' | 'unknown' | 'paused' | 'maintenance'} */
export function statusOf(row) {
  if (row.paused) return 'paused';
  if (row.maintenance) return 'maintenance';
  return row.status === 'up' || row.status === 'down' ? row.status : 'unknown';
}

/** Changes when a summary row's status changes or its first check arrives: time to refetch bars. */
export function stateKey(row) {
  return `${statusOf(row)}|${row.last_check ? 'checked' : 'new'}`;
}

/** The check's start time (ISO string). */
export function checkTime(check) {
  return check.timestamp ?? check['@timestamp'] ?? null;
}

/** Midnight (local) `count - 1` days ago, so `count` day buckets end with today. */
export function daysFrom(count, now = new Date()) {
  const start = new Date(now);
  start.setHours(0, 0, 0, 0);
  start.setDate(start.getDate() - (count - 1));
  return start;
}

/**
 * Daily buckets from `from` to now in `tz`, oldest first.
 * @param {string} monitorId @param {Date} from @param {string} tz
 */
export async function fetchDailyHistory(monitorId, from, tz) {
  const query = new URLSearchParams({ bucket: 'day', from: from.toISOString(), to: new Date().toISOString(), tz });
  const history = await api(`/api/monitors/${encodeURIComponent(monitorId)}/history?${query}`);
  return history.buckets;
}

/**
 * Hourly buckets from `from` to now.
 * @param {string} monitorId @param {Date} from @param {string} tz
 */
export async function fetchHourlyHistory(monitorId, from, tz) {
  const query = new URLSearchParams({ bucket: 'hour', from: from.toISOString(), to: new Date().toISOString(), tz });
  const history = await api(`/api/monitors/${encodeURIComponent(monitorId)}/history?${query}`);
  return history.buckets;
}
