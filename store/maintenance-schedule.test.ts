import { describe, expect, it } from 'vitest';
import type { MaintenanceRepeat, MaintenanceWindow, Weekday } from './maintenance.ts';
import { inMaintenance, inWindow, minutesOf } from './maintenance-schedule.ts';

const at = (iso: string) => Date.parse(iso);
const repeat = (from: string, to: string, tz: string, days: Weekday[] = []): Pick<MaintenanceWindow, 'start' | 'end' | 'repeat'> => {
  const r: MaintenanceRepeat = { every: days.length > 0 ? 'week' : 'day', days, from, to, tz };
  return { start: null, end: null, repeat: r };
};
const once = (start: string, end: string) => ({ start: at(start), end: at(end), repeat: null });

// Europe/Paris 2026: spring forward on Sunday 29 March at 01:00 UTC (02:00 CET → 03:00 CEST),
// fall back on Sunday 25 October at 01:00 UTC (03:00 CEST → 02:00 CET).
describe('inWindow', () => {
  const cases: [string, Pick<MaintenanceWindow, 'start' | 'end' | 'repeat'>, string, boolean][] = [
    ['one-off: start is inside', once('2026-06-01T10:00:00Z', '2026-06-01T11:00:00Z'), '2026-06-01T10:00:00Z', true],
    ['one-off: last millisecond is inside', once('2026-06-01T10:00:00Z', '2026-06-01T11:00:00Z'), '2026-06-01T10:59:59.999Z', true],
    ['one-off: end is outside', once('2026-06-01T10:00:00Z', '2026-06-01T11:00:00Z'), '2026-06-01T11:00:00Z', false],
    ['one-off: before start is outside', once('2026-06-01T10:00:00Z', '2026-06-01T11:00:00Z'), '2026-06-01T09:59:59.999Z', false],

    ['daily UTC: inside', repeat('03:00', '04:00', 'UTC'), '2026-06-01T03:30:00Z', true],
    ['daily UTC: to is outside', repeat('03:00', '04:00', 'UTC'), '2026-06-01T04:00:00Z', false],
    ['daily Paris summer: local 03:00 is 01:00 UTC', repeat('03:00', '04:00', 'Europe/Paris'), '2026-06-01T01:00:00Z', true],
    ['daily Paris summer: 03:00 UTC is 05:00 local', repeat('03:00', '04:00', 'Europe/Paris'), '2026-06-01T03:00:00Z', false],
    ['daily Paris winter: local 03:00 is 02:00 UTC', repeat('03:00', '04:00', 'Europe/Paris'), '2026-01-15T02:00:00Z', true],
    ['half-hour zone: Kolkata 09:00 is 03:30 UTC', repeat('09:00', '09:30', 'Asia/Kolkata'), '2026-06-01T03:30:00Z', true],
    ['half-hour zone: 03:29 UTC is 08:59 Kolkata', repeat('09:00', '09:30', 'Asia/Kolkata'), '2026-06-01T03:29:00Z', false],

    ['spring forward: 01:59 CET is inside 01:30–03:30', repeat('01:30', '03:30', 'Europe/Paris'), '2026-03-29T00:59:00Z', true],
    ['spring forward: the next instant is 03:00 CEST, inside', repeat('01:30', '03:30', 'Europe/Paris'), '2026-03-29T01:00:00Z', true],
    ['spring forward: 03:30 CEST ends it (one real hour)', repeat('01:30', '03:30', 'Europe/Paris'), '2026-03-29T01:30:00Z', false],
    ['spring forward: 02:00–03:00 never happens (before)', repeat('02:00', '03:00', 'Europe/Paris'), '2026-03-29T00:59:59Z', false],
    ['spring forward: 02:00–03:00 never happens (after)', repeat('02:00', '03:00', 'Europe/Paris'), '2026-03-29T01:00:00Z', false],
    ['spring forward: the next day it happens again', repeat('02:00', '03:00', 'Europe/Paris'), '2026-03-30T00:30:00Z', true],

    ['fall back: first 02:00 (CEST) is inside 02:00–03:00', repeat('02:00', '03:00', 'Europe/Paris'), '2026-10-25T00:00:00Z', true],
    ['fall back: first 02:59 (CEST) is inside', repeat('02:00', '03:00', 'Europe/Paris'), '2026-10-25T00:59:00Z', true],
    ['fall back: second 02:00 (CET) is inside again', repeat('02:00', '03:00', 'Europe/Paris'), '2026-10-25T01:00:00Z', true],
    ['fall back: second 02:59 (CET) is inside', repeat('02:00', '03:00', 'Europe/Paris'), '2026-10-25T01:59:00Z', true],
    ['fall back: 03:00 CET ends it (two real hours)', repeat('02:00', '03:00', 'Europe/Paris'), '2026-10-25T02:00:00Z', false],
    ['fall back: 01:59 CEST is before it', repeat('02:00', '03:00', 'Europe/Paris'), '2026-10-24T23:59:00Z', false],

    ['crossing midnight: 22:00 is inside', repeat('22:00', '02:00', 'Europe/Paris'), '2026-06-10T20:00:00Z', true],
    ['crossing midnight: 21:59 is outside', repeat('22:00', '02:00', 'Europe/Paris'), '2026-06-10T19:59:00Z', false],
    ['crossing midnight: 00:30 next day is inside', repeat('22:00', '02:00', 'Europe/Paris'), '2026-06-10T22:30:00Z', true],
    ['crossing midnight: 01:59 next day is inside', repeat('22:00', '02:00', 'Europe/Paris'), '2026-06-10T23:59:00Z', true],
    ['crossing midnight: 02:00 next day is outside', repeat('22:00', '02:00', 'Europe/Paris'), '2026-06-11T00:00:00Z', false],
    ['crossing midnight on spring forward: 03:00 CEST is after 02:00', repeat('23:00', '02:30', 'Europe/Paris'), '2026-03-29T01:00:00Z', false],
    ['crossing midnight on spring forward: 01:59 CET is inside', repeat('23:00', '02:30', 'Europe/Paris'), '2026-03-29T00:59:00Z', true],

    // 2026-06-12 is a Friday.
    ['weekly fri 22:00–02:00: Friday 22:00', repeat('22:00', '02:00', 'Europe/Paris', ['fri']), '2026-06-12T20:00:00Z', true],
    ['weekly fri 22:00–02:00: Saturday 01:00 belongs to Friday', repeat('22:00', '02:00', 'Europe/Paris', ['fri']), '2026-06-12T23:00:00Z', true],
    ['weekly fri 22:00–02:00: Saturday 22:00 is not Friday', repeat('22:00', '02:00', 'Europe/Paris', ['fri']), '2026-06-13T20:00:00Z', false],
    ['weekly fri 22:00–02:00: Friday 01:00 belongs to Thursday', repeat('22:00', '02:00', 'Europe/Paris', ['fri']), '2026-06-11T23:00:00Z', false],
    ['weekly fri 22:00–02:00: Thursday 23:00', repeat('22:00', '02:00', 'Europe/Paris', ['fri']), '2026-06-11T21:00:00Z', false],
    ['weekly mon,wed 09:00–10:00: Wednesday', repeat('09:00', '10:00', 'UTC', ['mon', 'wed']), '2026-06-10T09:15:00Z', true],
    ['weekly mon,wed 09:00–10:00: Tuesday', repeat('09:00', '10:00', 'UTC', ['mon', 'wed']), '2026-06-09T09:15:00Z', false],
    ['weekly sun 01:00–04:00 on the fall-back Sunday, 03:30 CET', repeat('01:00', '04:00', 'Europe/Paris', ['sun']), '2026-10-25T02:30:00Z', true],
    ['weekly sun: the local day decides, not the UTC day (Sunday 00:30 Paris is Saturday in UTC)', repeat('00:00', '01:00', 'Europe/Paris', ['sun']), '2026-06-13T22:30:00Z', true],
    ['weekly sun: Monday 00:30 Paris (Sunday in UTC) is not Sunday', repeat('00:00', '01:00', 'Europe/Paris', ['sun']), '2026-06-14T22:30:00Z', false],
    ['from = to covers nothing', repeat('10:00', '10:00', 'UTC'), '2026-06-01T10:00:00Z', false],
  ];

  it.each(cases)('%s', (_name, window, instant, expected) => {
    expect(inWindow(window, at(instant))).toBe(expected);
  });
});

describe('inMaintenance', () => {
  const window = (over: Partial<MaintenanceWindow>): MaintenanceWindow => ({
    id: 'w',
    owner_id: 'alice',
    name: 'deploy',
    all_monitors: false,
    monitor_ids: ['m1'],
    ...once('2026-06-01T10:00:00Z', '2026-06-01T11:00:00Z'),
    managed_by_file: false,
    created_at: 0,
    updated_at: 0,
    ...over,
  });
  const t = at('2026-06-01T10:30:00Z');

  it('covers the listed monitors only', () => {
    expect(inMaintenance([window({})], { id: 'm1', owner_id: 'alice' }, t)).toBe(true);
    expect(inMaintenance([window({})], { id: 'm2', owner_id: 'alice' }, t)).toBe(false);
  });

  it('covers every monitor of its owner with all_monitors, and no other owner', () => {
    const all = window({ all_monitors: true, monitor_ids: [] });
    expect(inMaintenance([all], { id: 'm9', owner_id: 'alice' }, t)).toBe(true);
    expect(inMaintenance([all], { id: 'm9', owner_id: 'bob' }, t)).toBe(false);
  });
});

describe('minutesOf', () => {
  it.each([['00:00', 0], ['09:05', 545], ['23:59', 1439]])('%s is %i minutes', (hhmm, minutes) => {
    expect(minutesOf(hhmm)).toBe(minutes);
  });
  it.each(['24:00', '9:05', '12:60', '12:00:00', ''])('refuses %j, naming it', (hhmm) => {
    expect(() => minutesOf(hhmm)).toThrow(new RegExp(`${JSON.stringify(hhmm)} is not HH:MM`));
  });
});
