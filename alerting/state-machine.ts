// The alert rule as a pure state machine: (state, check, rule, now) → { state, transition? }.
// No I/O here; the evaluator loads the state, folds new checks through `fold`, asks `tick` for
// reminders, and persists the results with compare-and-set.
//
// Rules (one test row each in state-machine.test.ts):
// - unknown → down after `confirm_failures` consecutive failing checks, and notifies;
//   unknown → up after `confirm_recoveries` consecutive good checks, silently.
// - up → down after `confirm_failures` consecutive failures: opens an incident whose start and cause
//   are those of the first failing check of the streak.
// - down → up after `confirm_recoveries` consecutive good checks: resolves the incident at the
//   first good check of that streak.
// - Ordering: checks are folded by timestamp (ties by id). A check whose timestamp is not newer than
//   `last_check_at` is ignored: the state has moved past it. So a late or replayed check never
//   rewrites history and re-folding a batch is a no-op, which is what makes a retry after a lost
//   compare-and-set safe. Checks from several observers are one sequence: a failure streak must
//   be consecutive across all of them, so one observer seeing the site up keeps it up.
// - Reminders come from `tick(now)`, not from checks: while down, every `remind_every_minutes` after
//   the last notification (0 = off).
// - Paused: checks are ignored (and any half-built streak forgotten, so that checks before and after
//   a pause never combine); no reminders. The status and an open incident stay as they were.
// - Edited rule: thresholds are read at each step, so a changed `confirm_*` applies to the streak
//   in progress from the next check on (a streak already longer than a lowered threshold confirms
//   at its next check), and a changed reminder interval counts from the last notification.
// - Maintenance (`quiet(instant)`, from store/maintenance-schedule.ts): a change confirmed by a check
//   inside a window still opens or resolves its incident, but is marked `quiet` (nothing is sent)
//   and `told_incident_id` stays what the contacts were last told. No reminder is due inside a
//   window. At the first tick outside a window, if what they were told differs from the state, a
//   `late` transition tells them once: the UP of the incident they last heard of (if it ended)
//   and the DOWN of the open one (if any). An outage that starts and ends inside a window is
//   never told.
// - Certificates (alerting/cert-expiry.ts): after a batch, its newest check is asked whether a
//   certificate threshold was crossed; a `cert` transition then comes last, with the final state.

import type { AlertState, Check, Incident, Monitor } from '../store/types.ts';
import { certStep, type CertTransition } from './cert-expiry.ts';
import { incidentId } from './ids.ts';

/** `tls_expiry_days` absent: no certificate rule. */
export type AlertRule = Pick<Monitor, 'confirm_failures' | 'confirm_recoveries' | 'remind_every_minutes' | 'paused'> & {
  tls_expiry_days?: readonly number[];
};

/** True when the monitor is in a maintenance window at this instant. */
export type Quiet = (instant: number) => boolean;
const NEVER_QUIET: Quiet = () => false;

export type Transition =
  | { kind: 'down'; incident: Incident; check: Check; quiet: boolean }
  | { kind: 'up'; incident_id: string; resolved_at: number; check: Check; quiet: boolean }
  | { kind: 'reminder'; incident_id: string; due_at: number }
  /** After a window: the UP and/or the DOWN that were not told while it lasted. */
  | { kind: 'late'; up_incident_id: string | null; down_incident_id: string | null }
  | CertTransition;

export type StepResult = { state: AlertState; transition?: Transition };

/** The state before a monitor's first check. */
export function initialState(monitorId: string, now: number): AlertState {
  return {
    monitor_id: monitorId,
    status: 'unknown',
    ...NO_STREAK,
    last_check_at: null,
    open_incident_id: null,
    told_incident_id: null,
    last_notified_at: null,
    cert_sha256: null,
    cert_told_days: null,
    updated_at: now,
  };
}

const NO_STREAK = {
  streak_status: null,
  streak_count: 0,
  streak_started_at: null,
  streak_check_id: null,
  streak_error_type: null,
  streak_error_message: null,
  streak_status_code: null,
} as const satisfies Partial<AlertState>;

/** Folds one check. */
export function step(state: AlertState, check: Check, rule: AlertRule, now: number, quiet: Quiet = NEVER_QUIET): StepResult {
  if (state.last_check_at !== null && check.timestamp <= state.last_check_at) return { state };
  if (rule.paused) return { state: { ...state, ...NO_STREAK, last_check_at: check.timestamp, updated_at: now } };

  const next = extendStreak(state, check, now);
  if (check.status === 'down' && state.status !== 'down' && next.streak_count >= rule.confirm_failures) {
    return goDown(next, check, now, quiet(check.timestamp));
  }
  if (check.status === 'up' && state.status !== 'up' && next.streak_count >= rule.confirm_recoveries) {
    return goUp(next, check, now, quiet(check.timestamp));
  }
  return { state: next };
}

/** A check that agrees with a settled status ends any streak; otherwise it starts or extends one. */
function extendStreak(state: AlertState, check: Check, now: number): AlertState {
  const base = { ...state, last_check_at: check.timestamp, updated_at: now };
  if (check.status === state.status) return { ...base, ...NO_STREAK };
  if (state.streak_status === check.status) return { ...base, streak_count: state.streak_count + 1 };
  return {
    ...base,
    streak_status: check.status,
    streak_count: 1,
    streak_started_at: check.timestamp,
    streak_check_id: check.id,
    streak_error_type: check.error_type,
    streak_error_message: check.error_message,
    streak_status_code: check.status_code,
  };
}

function goDown(state: AlertState, check: Check, now: number, quiet: boolean): StepResult {
  const firstCheckId = state.streak_check_id ?? check.id;
  const incident: Incident = {
    id: incidentId(state.monitor_id, firstCheckId),
    owner_id: check.owner_id,
    monitor_id: state.monitor_id,
    started_at: state.streak_started_at ?? check.timestamp,
    resolved_at: null,
    cause_type: state.streak_error_type,
    cause_message: state.streak_error_message,
    cause_status_code: state.streak_status_code,
    check_id: firstCheckId,
  };
  const told = quiet ? { last_notified_at: state.last_notified_at } : { told_incident_id: incident.id, last_notified_at: now };
  return {
    state: { ...state, ...NO_STREAK, status: 'down', open_incident_id: incident.id, ...told },
    transition: { kind: 'down', incident, check, quiet },
  };
}

function goUp(state: AlertState, check: Check, now: number, quiet: boolean): StepResult {
  const resolvedAt = state.streak_started_at ?? check.timestamp;
  const told = quiet ? {} : { told_incident_id: null };
  const next: AlertState = { ...state, ...NO_STREAK, status: 'up', open_incident_id: null, last_notified_at: null, ...told };
  // unknown → up is the normal start of a healthy monitor: nobody needs to hear about it.
  if (state.status === 'unknown' || state.open_incident_id === null) return { state: next };
  return { state: next, transition: { kind: 'up', incident_id: state.open_incident_id, resolved_at: resolvedAt, check, quiet } };
}

/**
 * Time-driven part of the rule, called on every evaluator tick. Returns the same state object
 * when nothing changes, so the caller can skip the write.
 */
export function tick(state: AlertState, rule: AlertRule, now: number, quiet: Quiet = NEVER_QUIET): StepResult {
  if (rule.paused) {
    return state.streak_count === 0 ? { state } : { state: { ...state, ...NO_STREAK, updated_at: now } };
  }
  if (quiet(now)) return { state };
  if (state.told_incident_id !== state.open_incident_id) {
    const down = state.open_incident_id;
    return {
      state: { ...state, told_incident_id: down, last_notified_at: down === null ? null : now, updated_at: now },
      transition: { kind: 'late', up_incident_id: state.told_incident_id, down_incident_id: down },
    };
  }
  if (state.status !== 'down' || state.open_incident_id === null || rule.remind_every_minutes <= 0) return { state };
  const dueAt = (state.last_notified_at ?? state.updated_at) + rule.remind_every_minutes * 60_000;
  if (now < dueAt) return { state };
  return {
    // One reminder even after a long gap (evaluator down for hours): a burst would only be noise.
    state: { ...state, last_notified_at: now, updated_at: now },
    transition: { kind: 'reminder', incident_id: state.open_incident_id, due_at: dueAt },
  };
}

/**
 * False when `tick` returns this very state at every instant, in or out of a window: up and told,
 * down without reminders, or paused with no streak. The evaluator ticks only the other monitors
 * instead of all of them on every pass.
 */
export function tickCanChange(state: AlertState, rule: AlertRule): boolean {
  if (rule.paused) return state.streak_count !== 0;
  if (state.told_incident_id !== state.open_incident_id) return true;
  return state.status === 'down' && state.open_incident_id !== null && rule.remind_every_minutes > 0;
}

/** A state to persist, with the transition that produced it. */
export type FoldSegment = { state: AlertState; transition: Transition };

/**
 * Folds a batch: sorted by timestamp then id; each transition is returned with the state right
 * after it, so that the evaluator can persist one incident per write. `state` is the final one;
 * it is the input object itself when no check was folded.
 */
export function fold(
  state: AlertState,
  checks: readonly Check[],
  rule: AlertRule,
  now: number,
  quiet: Quiet = NEVER_QUIET,
): { state: AlertState; segments: FoldSegment[] } {
  const ordered = [...checks].sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const segments: FoldSegment[] = [];
  let current = state;
  let newest: Check | null = null;
  for (const check of ordered) {
    if (current.last_check_at === null || check.timestamp > current.last_check_at) newest = check;
    const result = step(current, check, rule, now, quiet);
    current = result.state;
    if (result.transition) segments.push({ state: current, transition: result.transition });
  }
  if (newest !== null) {
    const cert = certStep(current, newest, rule, now);
    current = cert.state;
    if (cert.transition) segments.push({ state: current, transition: cert.transition });
  }
  return { state: current, segments };
}
