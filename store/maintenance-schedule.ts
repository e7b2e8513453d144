// Is this instant inside a maintenance window? Pure: the evaluator asks it for each check and
// tick, and needs no I/O to answer.
//
// Repeating windows compare wall-clock times of their zone, as a person reading the clock on the
// wall would: "02:00–03:00 Europe/Paris" covers the instants whose local time is 02:00 to 02:59.
// On DST change days a window therefore lasts what the clock shows: on a spring-forward night an
// hour that does not exist is covered by no instant (02:00–03:00 vanishes, 01:30–03:30 lasts one
// real hour), and on a fall-back night the repeated hour is covered twice (02:00–03:00 lasts two
// real hours). A window whose `to` is before its `from` crosses midnight and belongs to the day it
// starts on: "fri 22:00–02:00" covers Friday night to Saturday 02:00.
//
// Example: inWindow({ ...w, repeat: { every: 'day', days: [], from: '22:00', to: '02:00', tz: 'Europe/Paris' } },
//   Date.parse('2026-06-10T23:30:00Z')) → true (01:30 in Paris)

import { type MaintenanceWindow, WEEKDAYS, type Weekday } from './maintenance.ts';
import { offsetFunction } from './time-buckets.ts';

export type WindowSchedule = Pick<MaintenanceWindow, 'start' | 'end' | 'repeat'>;
export type WindowScope = Pick<MaintenanceWindow, 'owner_id' | 'all_monitors' | 'monitor_ids'>;

/** Zones seen so far; bounded because a zone name comes from users. */
const OFFSETS_CACHE_SIZE = 500;
const offsets = new Map<string, (instant: number) => number>();

export function inWindow(window: WindowSchedule, instant: number): boolean {
  const { repeat } = window;
  if (!repeat) return window.start !== null && window.end !== null && window.start <= instant && instant < window.end;
  const from = minutesOf(repeat.from);
  const to = minutesOf(repeat.to);
  if (from === to) return false;
  const local = localTime(repeat.tz, instant);
  const onDay = (weekday: number) => repeat.every === 'day' || repeat.days.includes(WEEKDAYS[weekday] as Weekday);
  if (from < to) return from <= local.minutes && local.minutes < to && onDay(local.weekday);
  // Crosses midnight: the evening part belongs to today, the morning part to yesterday's window.
  if (local.minutes >= from) return onDay(local.weekday);
  return local.minutes < to && onDay((local.weekday + 6) % 7);
}

/** True when the window applies to this monitor of this owner. */
export function covers(window: WindowScope, monitor: { id: string; owner_id: string }): boolean {
  return window.owner_id === monitor.owner_id && (window.all_monitors || window.monitor_ids.includes(monitor.id));
}

/** True when any of `windows` covers the monitor at `instant`. */
export function inMaintenance(windows: readonly MaintenanceWindow[], monitor: { id: string; owner_id: string }, instant: number): boolean {
  return windows.some((w) => covers(w, monitor) && inWindow(w, instant));
}

/** "HH:MM" (00:00..23:59) as minutes since midnight; throws a RangeError naming the value otherwise. */
export function minutesOf(hhmm: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!match) throw new RangeError(`time of day ${JSON.stringify(hhmm)} is not HH:MM (00:00 to 23:59)`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Local minutes since midnight and weekday (0 = Monday) of `instant` in `tz`. */
function localTime(tz: string, instant: number): { minutes: number; weekday: number } {
  let offsetAt = offsets.get(tz);
  if (!offsetAt) {
    offsetAt = offsetFunction(tz);
    if (offsets.size >= OFFSETS_CACHE_SIZE) offsets.delete(offsets.keys().next().value ?? '');
    offsets.set(tz, offsetAt);
  }
  const wall = new Date(instant + offsetAt(instant));
  return {
    minutes: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
    weekday: (wall.getUTCDay() + 6) % 7,
  };
}
