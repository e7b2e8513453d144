// Maintenance windows as plain data (DESIGN "Monitor types, rules and operations"): one-off
// (`start`..`end`) or repeating daily or weekly between two wall-clock times of a time zone.
// Which instants a window covers is decided by maintenance-schedule.ts (pure; used by the collector, the API and alerting).

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
/** In calendar order from Monday; index 0..6. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const satisfies readonly Weekday[];

export type RepeatEvery = 'day' | 'week';
export const REPEAT_EVERY = ['day', 'week'] as const satisfies readonly RepeatEvery[];

/**
 * Every day (`days` empty) or on the given weekdays, from `from` to `to` ("HH:MM", 24 h) on the
 * wall clock of `tz`. `to` earlier than `from` crosses midnight: the window belongs to the day it
 * starts on.
 */
export type MaintenanceRepeat = { every: RepeatEvery; days: Weekday[]; from: string; to: string; tz: string };

export type MaintenanceWindow = {
  id: string;
  owner_id: string;
  name: string;
  /** Every monitor of the owner, present and future; `monitor_ids` is then empty. */
  all_monitors: boolean;
  monitor_ids: string[];
  /** A one-off window [start, end), epoch ms; both null when `repeat` is set. */
  start: number | null;
  end: number | null;
  repeat: MaintenanceRepeat | null;
  /** Created by the owner's MONITORS_FILE (monitors-file/), which updates and deletes it; false for the API's. */
  managed_by_file: boolean;
  created_at: number;
  updated_at: number;
};

/** managed_by_file defaults to false at creation and is kept by an update that does not name it. */
export type MaintenanceInput = Omit<MaintenanceWindow, 'id' | 'owner_id' | 'created_at' | 'updated_at' | 'managed_by_file'> & {
  managed_by_file?: boolean;
};
