// Formatting shared by the pages: percentages, times and durations in the reader's locale.

/** @param {number | null | undefined} ratio 0..1 */
export function percent(ratio) {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '—';
  const p = ratio * 100;
  // 99.95% must not round up to a misleading 100%.
  if (p < 100 && p >= 99.99) return '99.99%';
  return (p === 100 ? '100' : p.toFixed(2)) + '%';
}

/** @param {number | null | undefined} ms */
export function millis(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms >= 1000 ? (ms / 1000).toFixed(2) + ' s' : Math.round(ms) + ' ms';
}

/**
 * "59 s", "1 min 59 s", "3 h 5 min", "2 d 4 h". Notifications word durations the same way
 * (alerting/channels/text.ts formatDuration; a test holds the two together).
 * @param {number} seconds
 */
export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** @param {string | number | null | undefined} time ISO string or epoch ms */
export function toMillis(time) {
  if (time === null || time === undefined) return null;
  const ms = typeof time === 'number' ? time : Date.parse(time);
  return Number.isNaN(ms) ? null : ms;
}

/** "12 s ago", "3 min ago"; "—" when unknown. */
export function ago(time, now = Date.now()) {
  const ms = toMillis(time);
  if (ms === null) return '—';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** Local date and time, e.g. "24 Nov 2025, 14:03:12". */
export function dateTime(time) {
  const ms = toMillis(time);
  if (ms === null) return '—';
  return new Date(ms).toLocaleString(undefined, {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

/** Day label for a bucket start, e.g. "Mon 24 Nov". */
export function dayLabel(time, timeZone) {
  const ms = toMillis(time);
  if (ms === null) return '—';
  return new Date(ms).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', timeZone });
}

/** The reader's IANA zone, so day cells follow their calendar. */
export function localZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/**
 * "certificate expires in 12 days", "… expires in 5 h" on its last day, "certificate expired
 * 2 d 3 h ago": the words of the [CERT] notifications (alerting/channels/text.ts certSentence; a
 * test holds the two together). null when the check saw no certificate.
 * @param {string | number | null | undefined} notAfter
 */
export function certificateExpiry(notAfter, now = Date.now()) {
  const ms = toMillis(notAfter);
  if (ms === null) return null;
  const left = ms - now;
  if (left <= 0) return `certificate expired ${duration(-left / 1000)} ago`;
  const days = Math.floor(left / 86_400_000);
  return `certificate expires in ${days >= 1 ? `${days} ${days === 1 ? 'day' : 'days'}` : duration(left / 1000)}`;
}
