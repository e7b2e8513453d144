// The evaluator, watcher style: on each pass, read the checks accepted since the shared cursor,
// fold them per monitor through the pure state machine, ask it for reminders, and persist every
// change with compare-and-set, the transition's incident and deliveries in the same step.
//
// Maintenance windows are read on every pass (a window just created silences the next one); the
// state machine is told, per monitor, whether an instant is inside one (store/maintenance-schedule.ts).
//
// A state is written only when the rule's view changes (a transition, a streak step, a reminder);
// checks that merely agree with the status move last_check_at in memory only (sameRuleState).
//
// Several engines may run at once. A lost compare-and-set (CasConflictError) means another engine
// wrote first: reload the state and fold again. The fold ignores checks at or before the state's
// last_check_at, so checks the winner already folded are not counted twice, and delivery ids are
// deterministic, so nothing is ever enqueued twice. A crash between the write and the cursor
// update is the same case: the checks are read again and fold to nothing.
//
// After MAX_CAS_RETRIES lost compare-and-sets in a row a monitor's fold gives up for this pass.
// The shared cursor then stays where it was and the pass stops: storing the page's cursor would
// skip that monitor's checks for good (a DOWN never told). The next pass reads the page again,
// which the feed's contract makes harmless for the monitors that were folded.
//
// First start (no stored cursor) on a store that already holds checks, e.g. after a collector ran
// alone: the evaluator catches up through the whole backlog before it is current. A DOWN confirmed
// more than OLD_NEWS_MS ago met on the way is old news: its state and incident are written, its
// messages are not, nor those of its reminders and of the UP that ends it, so that nobody is told
// today of an outage that ended last week. When the catch-up ends, each monitor still down on old
// news gets the DOWN message of its open incident, late but once. Fresh changes are told as usual
// (a null cursor also follows a crash before the first cursor write: those checks are recent). A
// restart in the middle of a catch-up resumes from the stored cursor as a normal pass.

import { trace, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { CasConflictError, type Store } from '../store/contract.ts';
import type { AlertState, Check, Delivery, Monitor } from '../store/types.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { withSpan } from '../telemetry/otel.ts';
import { effectsOf } from './effects.ts';
import type { IncidentLookup } from './lookups.ts';
import { inMaintenance } from '../store/maintenance-schedule.ts';
import { type Interner, createInterner } from '../store/interner.ts';
import { timeSlices } from '../store/time-slices.ts';
import { fold, initialState, tick, tickCanChange, type AlertRule, type FoldSegment, type Quiet, type Transition } from './state-machine.ts';
import type { MaintenanceWindow } from '../store/maintenance.ts';

export type EvaluatorStore = Pick<
  Store,
  | 'listAllMonitors'
  | 'monitorsChangeToken'
  | 'readChecksAfter'
  | 'getEvaluatorCursor'
  | 'setEvaluatorCursor'
  | 'getAlertState'
  | 'compareAndSetAlertState'
  | 'listContacts'
  | 'listAllMaintenanceWindows'
>;

export type EvaluatorDeps = {
  store: EvaluatorStore;
  incidents: IncidentLookup;
  log: Logger;
  metrics: Metrics;
  /** Each pass is a `rule.evaluate` span; no-op when absent. */
  tracer?: Tracer;
  clock: () => number;
  /** Called after deliveries were enqueued, to wake the dispatcher. */
  onEnqueued?: (deliveries: readonly Delivery[]) => void;
  /** Checks per read, and reads per pass (bounds one pass; the rest waits for the next). */
  batchSize?: number;
  maxBatchesPerPass?: number;
  /** Cached states are reloaded this often, to see what other engines wrote. */
  refreshStatesMs?: number;
  /** Told after each fleet read how many monitors it added or removed (main.ts: the heap release). */
  onFleetChanged?: (monitorsAddedOrRemoved: number) => void;
};

type Entry = { state: AlertState; version: number | null };

function addedOrRemoved(before: ReadonlyMap<string, unknown>, after: ReadonlyMap<string, unknown>): number {
  let count = 0;
  for (const id of after.keys()) if (!before.has(id)) count += 1;
  for (const id of before.keys()) if (!after.has(id)) count += 1;
  return count;
}

/**
 * What the rules and their effects read of a monitor, kept per monitor between passes. Messages
 * read the whole monitor when they are rendered (message.ts), so the full list read on a fleet
 * change is garbage once this is taken from it: at 50,000 monitors that is ~40 MB less of the
 * heap the API shares.
 */
type RuledMonitor = Pick<Monitor, 'id' | 'owner_id'> & AlertRule;

/** The owner's id and the thresholds are shared between monitors (store/interner.ts). */
function ruledMonitor(monitor: Monitor, shared: Interner): RuledMonitor {
  return {
    id: monitor.id,
    owner_id: shared.text(monitor.owner_id),
    confirm_failures: monitor.confirm_failures,
    confirm_recoveries: monitor.confirm_recoveries,
    remind_every_minutes: monitor.remind_every_minutes,
    paused: monitor.paused,
    tls_expiry_days: shared.numbers(monitor.tls_expiry_days),
  };
}

/**
 * True when two states differ only in how far the fold has read (last_check_at, updated_at). Such
 * a change is kept in memory, not written: a healthy fleet then costs no state write per check,
 * and re-folding those checks from the stored state after a restart gives the same state again.
 */
function sameRuleState(a: AlertState, b: AlertState): boolean {
  for (const key of Object.keys(a) as (keyof AlertState)[]) {
    if (key !== 'last_check_at' && key !== 'updated_at' && a[key] !== b[key]) return false;
  }
  return true;
}
type DownTransition = Extract<Transition, { kind: 'down' }>;
const MAX_CAS_RETRIES = 5;
const OLD_NEWS_MS = 10 * 60_000;
/** How long a pass runs before the API and the probes' results get a turn (time-slices.ts). */
const SLICE_MS = 10;

export function createEvaluator(deps: EvaluatorDeps): { evaluateOnce(): Promise<void> } {
  const { store, log, metrics, clock } = deps;
  const tracer = deps.tracer ?? trace.getTracer('downtime-monitor');
  const batchSize = deps.batchSize ?? 2_000;
  const maxBatches = deps.maxBatchesPerPass ?? 10;
  const refreshStatesMs = deps.refreshStatesMs ?? 30_000;
  let monitors = new Map<string, RuledMonitor>();
  let windows: MaintenanceWindow[] = [];
  const quietFor = (monitor: RuledMonitor): Quiet => (instant) => inMaintenance(windows, monitor, instant);
  let monitorsToken: string | null = null;
  const states = new Map<string, Entry>();
  /** Monitors whose state a tick may change (tickCanChange): the only ones a pass ticks. */
  const ticking = new Set<string>();
  function keep(monitorId: string, entry: Entry): void {
    states.set(monitorId, entry);
    const monitor = monitors.get(monitorId);
    if (monitor && tickCanChange(entry.state, monitor)) ticking.add(monitorId);
    else ticking.delete(monitorId);
  }
  function forget(monitorId: string): void {
    states.delete(monitorId);
    ticking.delete(monitorId);
  }
  /** Monitors whose state is read again in the passes to come, and when the last slice was read. */
  let toRefresh: string[] = [];
  let refreshedAt = -Infinity;
  /** Set while catching up on a first start: monitors whose latest change, a DOWN, was not told. */
  let catchUp: Map<string, DownTransition> | null = null;
  let cursorSeen = false;
  let silenced = 0;
  /** Late DOWNs of a finished catch-up whose write gave up; retried each pass until written. */
  const lateDowns = new Map<string, DownTransition>();
  /** The current pass's turn-taking; a new one per pass. */
  let slice = timeSlices(SLICE_MS);

  async function refreshMonitors(force = false): Promise<void> {
    const token = await store.monitorsChangeToken();
    if (!force && token === monitorsToken) return;
    const shared = createInterner();
    const previous = monitors;
    monitors = new Map((await store.listAllMonitors()).map((m) => [m.id, ruledMonitor(m, shared)]));
    monitorsToken = token;
    deps.onFleetChanged?.(addedOrRemoved(previous, monitors));
    // A pause or a reminder interval may have changed: which states can tick is asked again.
    for (const [id, entry] of states) {
      if (monitors.has(id)) keep(id, entry);
      else forget(id);
    }
  }

  /**
   * Reads every cached state again within refreshStatesMs, to see what other engines wrote (a
   * stale state costs a lost compare-and-set, never a wrong message). The first pass reads them
   * all; later passes read a slice each, in proportion to the time since the last, so that 50,000
   * monitors are not 50,000 reads in one go on the thread the API shares.
   */
  async function refreshStates(): Promise<void> {
    const now = clock();
    const first = refreshedAt === -Infinity;
    const share = first ? 1 : Math.min(1, (now - refreshedAt) / refreshStatesMs);
    refreshedAt = now;
    let budget = Math.ceil(monitors.size * share);
    while (budget > 0) {
      if (toRefresh.length === 0) {
        toRefresh = [...monitors.keys()];
        if (toRefresh.length === 0) return;
      }
      const id = toRefresh.pop()!;
      budget--;
      if (monitors.has(id)) await load(id);
      await slice();
    }
  }

  async function load(monitorId: string): Promise<Entry> {
    const stored = await store.getAlertState(monitorId);
    const entry = stored ?? { state: initialState(monitorId, clock()), version: null };
    keep(monitorId, entry);
    return entry;
  }

  async function write(monitor: RuledMonitor, version: number | null, segment: FoldSegment | { state: AlertState; transition?: undefined }): Promise<number> {
    const now = clock();
    const { transition } = segment;
    const effects = transition ? await effectsOf(deps, monitor, transition, now) : {};
    const oldNews =
      catchUp !== null &&
      transition !== undefined &&
      // A certificate is told from fresh checks only (cert-expiry.ts): never old news.
      transition.kind !== 'cert' &&
      (transition.kind === 'down' ? transition.check.timestamp < now - OLD_NEWS_MS : catchUp.has(monitor.id));
    if (oldNews) {
      delete effects.deliveries;
      silenced++;
    }
    const next = await store.compareAndSetAlertState(monitor.id, version, segment.state, effects);
    if (effects.incident) deps.incidents.remember(effects.incident);
    // A quiet DOWN is told when its window ends (the `late` transition), not by the catch-up.
    if (oldNews && transition?.kind === 'down' && !transition.quiet) catchUp?.set(monitor.id, transition);
    if (transition?.kind === 'up') catchUp?.delete(monitor.id);
    if (transition) {
      metrics.transitions.add(1, { to: transition.kind });
      log.info({ monitor_id: monitor.id, transition: transition.kind, deliveries: effects.deliveries?.length ?? 0, catching_up: oldNews }, 'alert transition');
    }
    if (effects.deliveries?.length) deps.onEnqueued?.(effects.deliveries);
    return next;
  }

  /**
   * Runs `step` on the monitor's current entry until its writes win: a lost compare-and-set
   * reloads the state and runs it again. `step` returns the entry it leaves. False when it gave
   * up: the caller must make sure the work is tried again.
   */
  async function untilWritten(monitorId: string, step: (entry: Entry) => Promise<Entry>): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
      const entry = states.get(monitorId) ?? (await load(monitorId));
      try {
        keep(monitorId, await step(entry));
        return true;
      } catch (error) {
        forget(monitorId);
        if (!(error instanceof CasConflictError)) throw error;
      }
    }
    log.warn({ monitor_id: monitorId }, 'alert state kept changing under us; will retry next pass');
    return false;
  }

  /** Folds (checks) or ticks (no checks) one monitor; false when it gave up (see untilWritten). */
  function advance(monitor: RuledMonitor, checks: readonly Check[]): Promise<boolean> {
    return untilWritten(monitor.id, async (entry) => {
      const now = clock();
      const quiet = quietFor(monitor);
      const folded = fold(entry.state, checks, monitor, now, quiet);
      const ticked = tick(folded.state, monitor, now, quiet);
      const segments = ticked.transition ? [...folded.segments, { state: ticked.state, transition: ticked.transition }] : folded.segments;
      let version = entry.version;
      for (const segment of segments) version = await write(monitor, version, segment);
      const lastWritten = segments.at(-1)?.state ?? entry.state;
      if (!sameRuleState(ticked.state, lastWritten)) version = await write(monitor, version, { state: ticked.state });
      return { state: ticked.state, version };
    });
  }

  async function foldNewChecks(): Promise<Set<string>> {
    const touched = new Set<string>();
    let cursor = await store.getEvaluatorCursor();
    if (!cursorSeen) {
      cursorSeen = true;
      if (cursor === null) catchUp = new Map();
    }
    let caughtUp = false;
    for (let i = 0; i < maxBatches; i++) {
      const page = await store.readChecksAfter(cursor, batchSize);
      const byMonitor = Map.groupBy(page.checks, (c) => c.monitor_id);
      if ([...byMonitor.keys()].some((id) => !monitors.has(id))) await refreshMonitors(true);
      let unfolded = false;
      for (const [id, checks] of byMonitor) {
        const monitor = monitors.get(id);
        if (!monitor) continue; // deleted since: its checks no longer matter
        if (!(await advance(monitor, checks))) unfolded = true;
        touched.add(id);
        await slice();
      }
      // Keep the cursor before this page: the next pass reads it again (see the header).
      if (unfolded) return touched;
      if (page.cursor !== cursor) await store.setEvaluatorCursor(page.cursor);
      cursor = page.cursor;
      if (page.checks.length < batchSize) {
        caughtUp = true;
        break;
      }
    }
    if (catchUp !== null && caughtUp) await endCatchUp(catchUp);
    return touched;
  }

  /** Tells the contacts of monitors still down after a catch-up, once (delivery ids are fixed). */
  async function endCatchUp(stillDown: Map<string, DownTransition>): Promise<void> {
    catchUp = null;
    for (const [id, down] of stillDown) lateDowns.set(id, down);
    await tellLateDowns();
    if (silenced > 0) {
      log.info({ old_changes_not_told: silenced, still_down_told_late: stillDown.size }, 'alerting caught up with checks stored before its first start');
    }
  }

  async function tellLateDowns(): Promise<void> {
    for (const [id, down] of lateDowns) {
      const monitor = monitors.get(id);
      if (!monitor) {
        lateDowns.delete(id);
        continue;
      }
      const written = await untilWritten(id, async (entry) => {
        if (entry.state.status !== 'down' || entry.state.open_incident_id !== down.incident.id) return entry;
        const { deliveries } = await effectsOf(deps, monitor, down, clock());
        const version = await store.compareAndSetAlertState(id, entry.version, entry.state, { deliveries });
        if (deliveries?.length) deps.onEnqueued?.(deliveries);
        return { state: entry.state, version };
      });
      if (written) lateDowns.delete(id);
    }
  }

  return {
    evaluateOnce: () => withSpan(tracer, 'rule.evaluate', {}, evaluatePass),
  };

  async function evaluatePass(): Promise<void> {
    slice = timeSlices(SLICE_MS);
    await refreshMonitors();
    windows = await store.listAllMaintenanceWindows();
    await refreshStates();
    if (lateDowns.size > 0) await tellLateDowns();
    const touched = await foldNewChecks();
    // Reminders, changes told after a window, and forgetting streaks of paused monitors need no new check.
    for (const id of [...ticking]) {
      const monitor = monitors.get(id);
      const entry = states.get(id);
      if (!monitor || !entry || touched.has(id)) continue;
      if (tick(entry.state, monitor, clock(), quietFor(monitor)).state !== entry.state) await advance(monitor, []);
      await slice();
    }
    metrics.evaluations.add(1);
  }
}
