import { describe, expect, it } from 'vitest';
import type { AlertState, Check } from '../store/types.ts';
import { fold, initialState, step, tick, tickCanChange, type AlertRule, type Transition } from './state-machine.ts';
import { ruleCheck } from './testing/rule-checks.ts';

const RULE: AlertRule = { confirm_failures: 2, confirm_recoveries: 1, remind_every_minutes: 0, paused: false };
const MIN = 60_000;

/** "UUDD.U": one check a minute; U up, D down, "." a minute without a check. */
function checks(pattern: string, start = 0): Check[] {
  return [...pattern].flatMap((c, i) => (c === '.' ? [] : [ruleCheck(start + i * MIN, c === 'U' ? 'up' : 'down')]));
}

function play(state: AlertState, batch: Check[], rule: AlertRule = RULE) {
  const result = fold(state, batch, rule, 10_000 * MIN);
  return { state: result.state, kinds: result.segments.map((s) => s.transition.kind), segments: result.segments };
}

const fresh = () => initialState('m1', 0);
const upState = () => play(fresh(), checks('U')).state;
const downState = () => play(upState(), checks('DD', MIN)).state;

describe('streaks', () => {
  it.each([
    { rule: 'unknown → down after confirm_failures failures, notified', from: fresh, seq: 'DD', status: 'down', kinds: ['down'] },
    { rule: 'unknown → up after confirm_recoveries good checks, silent', from: fresh, seq: 'U', status: 'up', kinds: [] },
    { rule: 'one failure below confirm_failures keeps unknown', from: fresh, seq: 'D', status: 'unknown', kinds: [] },
    { rule: 'up → down after confirm_failures consecutive failures', from: upState, seq: 'DD', status: 'down', kinds: ['down'] },
    { rule: 'a good check breaks a failure streak', from: upState, seq: 'DUD', status: 'up', kinds: [] },
    { rule: 'flapping with confirm_failures=2 never alerts', from: upState, seq: 'DUDUDUDUDU', status: 'up', kinds: [] },
    { rule: 'down → up after confirm_recoveries good checks', from: downState, seq: 'U', status: 'up', kinds: ['up'] },
    { rule: 'further failures while down change nothing', from: downState, seq: 'DDDD', status: 'down', kinds: [] },
    { rule: 'down, up, down again in one batch gives three transitions', from: upState, seq: 'DDUDD', status: 'down', kinds: ['down', 'up', 'down'] },
  ])('$rule', ({ from, seq, status, kinds }) => {
    const start = from();
    const result = play(start, checks(seq, (start.last_check_at ?? -MIN) + MIN));
    expect(result.state.status).toBe(status);
    expect(result.kinds).toEqual(kinds);
  });

  it('waits for confirm_recoveries consecutive good checks before up', () => {
    const rule = { ...RULE, confirm_recoveries: 3 };
    const down = downState();
    expect(play(down, checks('UUDUU', 4 * MIN), rule).state.status).toBe('down');
    const { state, segments } = play(down, checks('UUDUUU', 4 * MIN), rule);
    expect(state.status).toBe('up');
    // Resolved at the first good check of the streak that confirmed recovery, not the last one.
    expect(segments[0]?.transition).toMatchObject({ kind: 'up', resolved_at: 7 * MIN });
  });

  it('opens the incident at the first failing check of the confirming streak, with its cause', () => {
    const { segments, state } = play(upState(), checks('DUDDD', MIN), { ...RULE, confirm_failures: 3 });
    const t = segments[0]?.transition as Extract<Transition, { kind: 'down' }>;
    expect(t.incident).toMatchObject({
      started_at: 3 * MIN,
      resolved_at: null,
      cause_type: 'status',
      cause_message: `unexpected status 503 at ${3 * MIN}`,
      cause_status_code: 503,
      check_id: `c${3 * MIN}`,
      owner_id: 'u1',
    });
    expect(t.check.timestamp).toBe(5 * MIN);
    expect(state.open_incident_id).toBe(t.incident.id);
  });

  it('names the incident the same way on every replay (deterministic id)', () => {
    const a = play(upState(), checks('DD', MIN)).segments[0]?.transition;
    const b = play(upState(), checks('DD', MIN)).segments[0]?.transition;
    expect(a?.kind === 'down' && b?.kind === 'down' && a.incident.id === b.incident.id).toBe(true);
  });
});

describe('late and out-of-order checks', () => {
  it('ignores a check older than the newest folded one', () => {
    const up = play(fresh(), checks('UUU')).state; // last_check_at = 2 min
    const late = [ruleCheck(1 * MIN + 1, 'down'), ruleCheck(1 * MIN + 2, 'down')];
    const result = play(up, late);
    expect(result.state).toBe(up);
    expect(result.kinds).toEqual([]);
  });

  it('re-folding an already folded batch is a no-op (retry after a lost compare-and-set)', () => {
    const batch = checks('UDD');
    const once = play(fresh(), batch);
    const twice = play(once.state, batch);
    expect(twice.state).toBe(once.state);
    expect(twice.kinds).toEqual([]);
  });

  it('sorts a batch by timestamp: interleaved late checks do not invent a streak', () => {
    // Arrival order D D U, true order D U D: never two consecutive failures.
    const batch = [ruleCheck(3 * MIN, 'down'), ruleCheck(1 * MIN, 'down'), ruleCheck(2 * MIN, 'up')];
    const result = play(upState(), batch);
    expect(result.kinds).toEqual([]);
    expect(result.state.status).toBe('up');
  });

  it('two observers: one still seeing the site up breaks the failure streak', () => {
    const batch = [
      ruleCheck(1 * MIN, 'down', { observer: 'paris' }),
      ruleCheck(1 * MIN + 500, 'up', { observer: 'tokyo' }),
      ruleCheck(2 * MIN, 'down', { observer: 'paris' }),
      ruleCheck(2 * MIN + 500, 'up', { observer: 'tokyo' }),
    ];
    expect(play(upState(), batch).kinds).toEqual([]);
  });

  it('two observers agreeing on failures confirm down across observers', () => {
    const batch = [ruleCheck(1 * MIN, 'down', { observer: 'paris' }), ruleCheck(1 * MIN + 500, 'down', { observer: 'tokyo' })];
    expect(play(upState(), batch).kinds).toEqual(['down']);
  });

  it("an observer's late batch arriving after the other's newer checks is ignored", () => {
    const afterTokyo = play(upState(), [ruleCheck(5 * MIN, 'up', { observer: 'tokyo' })]).state;
    const parisLate = [ruleCheck(2 * MIN, 'down', { observer: 'paris' }), ruleCheck(3 * MIN, 'down', { observer: 'paris' })];
    expect(play(afterTokyo, parisLate).kinds).toEqual([]);
  });
});

describe('reminders (tick)', () => {
  const remind = { ...RULE, remind_every_minutes: 30 };

  it('sends a reminder every remind_every_minutes while down', () => {
    const down = downState(); // notified at now = 10,000 min
    const notified = down.last_notified_at ?? 0;
    expect(tick(down, remind, notified + 29 * MIN).transition).toBeUndefined();
    const first = tick(down, remind, notified + 30 * MIN);
    expect(first.transition).toMatchObject({ kind: 'reminder', incident_id: down.open_incident_id, due_at: notified + 30 * MIN });
    const second = tick(first.state, remind, notified + 60 * MIN);
    expect(second.transition?.kind).toBe('reminder');
    expect(tick(second.state, remind, notified + 61 * MIN).transition).toBeUndefined();
  });

  it('sends one reminder, not a burst, after a long gap', () => {
    const down = downState();
    const late = tick(down, remind, (down.last_notified_at ?? 0) + 5 * 60 * MIN);
    expect(late.transition?.kind).toBe('reminder');
    expect(tick(late.state, remind, (down.last_notified_at ?? 0) + 5 * 60 * MIN + 1).transition).toBeUndefined();
  });

  it.each([
    { rule: 'no reminders when remind_every_minutes is 0', state: downState, r: RULE },
    { rule: 'no reminders while up', state: upState, r: remind },
    { rule: 'no reminders while paused', state: downState, r: { ...remind, paused: true } },
  ])('$rule', ({ state, r }) => {
    const s = state();
    const result = tick(s, r, 100_000 * MIN);
    expect(result.transition).toBeUndefined();
    expect(result.state).toBe(s);
  });

  it('a changed reminder interval counts from the last notification', () => {
    const down = downState();
    const at = (down.last_notified_at ?? 0) + 10 * MIN;
    expect(tick(down, remind, at).transition).toBeUndefined();
    expect(tick(down, { ...remind, remind_every_minutes: 10 }, at).transition?.kind).toBe('reminder');
  });
});

describe('tickCanChange', () => {
  const quietNow = () => true;
  const rules: AlertRule[] = [RULE, { ...RULE, remind_every_minutes: 30 }, { ...RULE, paused: true }, { ...RULE, remind_every_minutes: 30, paused: true }];
  const states: [string, () => AlertState][] = [
    ['fresh', fresh],
    ['up', upState],
    ['one failure', () => play(upState(), checks('D', MIN)).state],
    ['down', downState],
    ['down, then up while paused', () => play(downState(), checks('UUU', 3 * MIN), { ...RULE, paused: true }).state],
    ['down and not told', () => ({ ...downState(), told_incident_id: null })],
    ['up and the UP not told', () => ({ ...play(downState(), checks('U', 3 * MIN)).state, told_incident_id: downState().open_incident_id })],
  ];
  const instants = [0, 29 * MIN, 10_030 * MIN, 100_000 * MIN];

  it.each(states)('%s: false only when no instant, quiet or not, makes tick change the state', (_name, make) => {
    for (const rule of rules) {
      const state = make();
      const changes = instants.some((now) => tick(state, rule, now).state !== state || tick(state, rule, now, quietNow).state !== state);
      expect({ rule, canChange: tickCanChange(state, rule) }).toEqual({ rule, canChange: changes });
    }
  });
});

describe('pause and resume', () => {
  it('ignores checks while paused and keeps the status', () => {
    const paused = { ...RULE, paused: true };
    const result = play(upState(), checks('DDDD', MIN), paused);
    expect(result.kinds).toEqual([]);
    expect(result.state.status).toBe('up');
    expect(result.state.last_check_at).toBe(4 * MIN);
  });

  it('a failure before a pause and one after it do not combine into a streak', () => {
    const one = play(upState(), checks('D', MIN)).state;
    const paused = tick(one, { ...RULE, paused: true }, 2 * MIN).state;
    expect(paused.streak_count).toBe(0);
    expect(play(paused, checks('D', 3 * MIN)).kinds).toEqual([]);
    expect(play(paused, checks('DD', 3 * MIN)).kinds).toEqual(['down']);
  });

  it('keeps an open incident through a pause and resolves it on the first good check after', () => {
    const down = downState();
    const paused = play(down, checks('UUU', 3 * MIN), { ...RULE, paused: true });
    expect(paused.state.status).toBe('down');
    const resumed = play(paused.state, checks('U', 10 * MIN));
    expect(resumed.segments[0]?.transition).toMatchObject({ kind: 'up', incident_id: down.open_incident_id, resolved_at: 10 * MIN });
  });
});

describe('rule edited mid-incident', () => {
  it('a lowered confirm_failures confirms the streak in progress at its next failure', () => {
    const three = play(upState(), checks('DDD', MIN), { ...RULE, confirm_failures: 5 }).state;
    expect(three.status).toBe('up');
    const result = play(three, checks('D', 4 * MIN), { ...RULE, confirm_failures: 2 });
    expect(result.kinds).toEqual(['down']);
    expect(result.segments[0]?.transition).toMatchObject({ incident: { started_at: MIN } });
  });

  it('a raised confirm_recoveries while down needs the longer good streak', () => {
    const down = downState();
    const rule = { ...RULE, confirm_recoveries: 2 };
    expect(play(down, checks('U', 3 * MIN), rule).kinds).toEqual([]);
    expect(play(down, checks('UU', 3 * MIN), rule).kinds).toEqual(['up']);
  });
});

describe('step', () => {
  it('records the newest folded check time and leaves the input state untouched', () => {
    const s = fresh();
    const result = step(s, ruleCheck(5, 'down'), RULE, 7);
    expect(result.state.last_check_at).toBe(5);
    expect(result.state.updated_at).toBe(7);
    expect(s.last_check_at).toBeNull();
  });
});

describe('maintenance windows (quiet)', () => {
  // A window from minute 20 to minute 40; checks one a minute from `start`.
  const quiet = (t: number) => t >= 20 * MIN && t < 40 * MIN;
  const AFTER = 45 * MIN;
  const foldQuiet = (state: AlertState, pattern: string, start: number) => fold(state, checks(pattern, start), RULE, 10_000 * MIN, quiet);
  const upBefore = () => play(fresh(), checks('U', 10 * MIN)).state;
  const downBefore = () => play(upBefore(), checks('DD', 11 * MIN)).state;

  it.each([
    { rule: 'a DOWN confirmed inside the window is quiet', from: upBefore, seq: 'DD', start: 25 * MIN, kinds: [['down', true]] },
    { rule: 'the confirming check decides: first failure before the window, second inside', from: upBefore, seq: 'DD', start: 19 * MIN, kinds: [['down', true]] },
    { rule: 'a DOWN confirmed after the window is told', from: upBefore, seq: 'DD', start: 39 * MIN, kinds: [['down', false]] },
    { rule: 'an outage inside the window: both changes quiet', from: upBefore, seq: 'DDU', start: 25 * MIN, kinds: [['down', true], ['up', true]] },
    { rule: 'an UP inside the window after a DOWN told before it is quiet', from: downBefore, seq: 'U', start: 25 * MIN, kinds: [['up', true]] },
  ])('$rule', ({ from, seq, start, kinds }) => {
    const result = foldQuiet(from(), seq, start);
    expect(result.segments.map((s) => [s.transition.kind, 'quiet' in s.transition && s.transition.quiet])).toEqual(kinds);
  });

  it('tells a DOWN that outlasts the window once, at the first tick after it', () => {
    const { state } = foldQuiet(upBefore(), 'DD', 25 * MIN);
    expect(state).toMatchObject({ status: 'down', told_incident_id: null });
    expect(tick(state, RULE, 39 * MIN, quiet)).toEqual({ state });
    const after = tick(state, RULE, AFTER, quiet);
    expect(after.transition).toEqual({ kind: 'late', up_incident_id: null, down_incident_id: state.open_incident_id });
    expect(after.state).toMatchObject({ told_incident_id: state.open_incident_id, last_notified_at: AFTER });
    expect(tick(after.state, RULE, AFTER + MIN, quiet).state).toBe(after.state);
  });

  it('tells nothing of an outage that starts and ends inside the window', () => {
    const { state } = foldQuiet(upBefore(), 'DDU', 25 * MIN);
    expect(state).toMatchObject({ status: 'up', open_incident_id: null, told_incident_id: null });
    expect(tick(state, RULE, AFTER, quiet).state).toBe(state);
  });

  it('tells the UP of an outage that was told before the window and ended inside it', () => {
    const down = downBefore();
    const { state } = foldQuiet(down, 'U', 25 * MIN);
    expect(state).toMatchObject({ status: 'up', told_incident_id: down.open_incident_id });
    const after = tick(state, RULE, AFTER, quiet);
    expect(after.transition).toEqual({ kind: 'late', up_incident_id: down.open_incident_id, down_incident_id: null });
    expect(after.state).toMatchObject({ told_incident_id: null, last_notified_at: null });
  });

  it('tells both the UP of the old outage and the DOWN of a new one begun inside the window', () => {
    const down = downBefore();
    const { state } = foldQuiet(down, 'UDD', 25 * MIN);
    expect(state.open_incident_id).not.toBe(down.open_incident_id);
    expect(tick(state, RULE, AFTER, quiet).transition).toEqual({ kind: 'late', up_incident_id: down.open_incident_id, down_incident_id: state.open_incident_id });
  });

  it('sends no reminder inside the window, and reminds again after it', () => {
    const remind = { ...RULE, remind_every_minutes: 5 };
    const down = fold(upBefore(), checks('DD', 11 * MIN), remind, 12 * MIN, quiet).state;
    expect(down.last_notified_at).toBe(12 * MIN);
    expect(tick(down, remind, 30 * MIN, quiet).transition).toBeUndefined();
    expect(tick(down, remind, AFTER, quiet).transition).toMatchObject({ kind: 'reminder' });
  });
});
