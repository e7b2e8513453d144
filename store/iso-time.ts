// Epoch milliseconds to ISO 8601 UTC ("2026-12-01T17:43:03.250Z"), as Date#toISOString writes it.
// A summary renders three per check, 2,500 checks a call, and a Date each cost 6.3 ms of it: times
// of one minute share everything up to the seconds, so that part is kept for the last few minutes.

const MAX_DATE_MS = 8.64e15;
/** Minutes whose prefix is kept: a summary's checks fall within a few. */
const KEPT_MINUTES = 64;
const minutePrefixes = new Map<number, string>();

export function iso(ms: number): string {
  if (!Number.isSafeInteger(ms) || Math.abs(ms) > MAX_DATE_MS) return new Date(ms).toISOString();
  const minute = Math.floor(ms / 60_000);
  let prefix = minutePrefixes.get(minute);
  if (prefix === undefined) {
    if (minutePrefixes.size >= KEPT_MINUTES) minutePrefixes.clear();
    prefix = new Date(minute * 60_000).toISOString().slice(0, -'00.000Z'.length);
    minutePrefixes.set(minute, prefix);
  }
  const rest = ms - minute * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest % 1000;
  return `${prefix}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}
