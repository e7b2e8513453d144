import { beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../problem.ts';
import { checkOf, startTestApi, useSignedInApi } from '../testing.ts';

type WindowJson = {
  id: string;
  name: string;
  all: boolean;
  monitor_ids: string[];
  start: string | null;
  end: string | null;
  repeat: { every: string; days?: string[]; from: string; to: string; tz: string } | null;
  active: boolean;
  created_at: string;
  updated_at: string;
};

// Monday 1 June 2026, 12:00 UTC (14:00 in Paris).
const NOW = Date.parse('2026-06-01T12:00:00Z');

describe('maintenance windows API', () => {
  const api = useSignedInApi({ scope: 'describe', clock: () => NOW, email: 'ops@example.com' });
  let other: string;
  let web: string;
  let db: string;
  let foreign: string;
  beforeAll(async () => {
    other = (await api.user('mallory@example.com')).token;
    const create = async (t: string, name: string) =>
      (await api.call<{ id: string }>('POST', '/api/monitors', { token: t, json: { name, url: 'https://example.com/' } })).body.id;
    web = await create(api.token, 'web');
    db = await create(api.token, 'db');
    foreign = await create(other, 'theirs');
  });

  const post = <T = WindowJson>(json: unknown, t = api.token) => api.call<T>('POST', '/api/maintenance', { token: t, json });

  it('creates a one-off window for chosen monitors, and says whether it is on now', async () => {
    const res = await post({ name: 'Database upgrade', monitor_ids: [db, web, db], start: '2026-06-01T11:00:00Z', end: '2026-06-01T13:00:00+00:00' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Database upgrade',
      all: false,
      monitor_ids: [db, web],
      start: '2026-06-01T11:00:00.000Z',
      end: '2026-06-01T13:00:00.000Z',
      repeat: null,
      active: true,
      // Stamped by the store's own clock.
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const read = await api.call<WindowJson>('GET', `/api/maintenance/${res.body.id}`, { token: api.token });
    expect(read.body).toEqual(res.body);
  });

  it('creates a weekly window for every monitor in a time zone', async () => {
    const res = await post({ name: 'Weekend deploys', all: true, repeat: { every: 'week', days: ['sat', 'sun'], from: '22:00', to: '02:00', tz: 'Europe/Paris' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      all: true,
      monitor_ids: [],
      start: null,
      end: null,
      repeat: { every: 'week', days: ['sat', 'sun'], from: '22:00', to: '02:00', tz: 'Europe/Paris' },
      active: false,
    });
    const daily = await post({ name: 'Nightly backup', monitor_ids: [db], repeat: { every: 'day', from: '13:30', to: '14:30', tz: 'Europe/Paris' } });
    // 12:00 UTC is 14:00 in Paris.
    expect(daily.body).toMatchObject({ repeat: { every: 'day', from: '13:30', to: '14:30', tz: 'Europe/Paris' }, active: true });
    expect(daily.body.repeat).not.toHaveProperty('days');
  });

  it('lists only the caller’s windows, and hides another owner’s behind 404', async () => {
    const mine = await post({ name: 'mine', all: true, start: '2026-06-02T00:00:00Z', end: '2026-06-02T01:00:00Z' });
    const theirs = await post({ name: 'theirs', all: true, start: '2026-06-02T00:00:00Z', end: '2026-06-02T01:00:00Z' }, other);
    const list = await api.call<{ items: WindowJson[] }>('GET', '/api/maintenance', { token: api.token });
    expect(list.body.items.map((w) => w.id)).toContain(mine.body.id);
    expect(list.body.items.map((w) => w.id)).not.toContain(theirs.body.id);
    for (const [method, json] of [['GET', undefined], ['PATCH', { name: 'x' }], ['DELETE', undefined]] as const) {
      const res = await api.call(method, `/api/maintenance/${theirs.body.id}`, { token: api.token, ...(json ? { json } : {}) });
      expect(res.status).toBe(404);
    }
    expect((await api.call<WindowJson>('GET', `/api/maintenance/${theirs.body.id}`, { token: other })).body.name).toBe('theirs');
  });

  it('changes some fields: repeat replaces start and end, monitor_ids replaces all', async () => {
    const created = await post({ name: 'once', all: true, start: '2026-06-03T00:00:00Z', end: '2026-06-03T01:00:00Z' });
    const patched = await api.call<WindowJson>('PATCH', `/api/maintenance/${created.body.id}`, {
      token: api.token,
      json: { monitor_ids: [web], repeat: { every: 'week', days: ['mon'], from: '11:00', to: '15:00', tz: 'UTC' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'once', all: false, monitor_ids: [web], start: null, end: null, active: true });
    const back = await api.call<WindowJson>('PATCH', `/api/maintenance/${created.body.id}`, {
      token: api.token,
      json: { all: true, start: '2026-06-04T00:00:00Z', end: '2026-06-04T02:00:00Z' },
    });
    expect(back.body).toMatchObject({ all: true, monitor_ids: [], start: '2026-06-04T00:00:00.000Z', repeat: null, active: false });
    // A bad merge is refused whole: the window stays as it was.
    const bad = await api.call<Problem>('PATCH', `/api/maintenance/${created.body.id}`, { token: api.token, json: { end: '2026-06-03T23:00:00Z' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'end', message: 'must be after start' }]);
    expect((await api.call<WindowJson>('GET', `/api/maintenance/${created.body.id}`, { token: api.token })).body).toEqual(back.body);
  });

  it('deletes a window', async () => {
    const created = await post({ name: 'gone', all: true, start: '2026-06-03T00:00:00Z', end: '2026-06-03T01:00:00Z' });
    expect((await api.call('DELETE', `/api/maintenance/${created.body.id}`, { token: api.token })).status).toBe(204);
    expect((await api.call('DELETE', `/api/maintenance/${created.body.id}`, { token: api.token })).status).toBe(404);
    expect((await api.call('GET', `/api/maintenance/${created.body.id}`, { token: api.token })).status).toBe(404);
  });

  const once = { start: '2026-06-01T10:00:00Z', end: '2026-06-01T11:00:00Z' };
  const weekly = { every: 'week', days: ['mon'], from: '01:00', to: '02:00', tz: 'Europe/Paris' };
  it.each([
    [{ name: 'x', all: true, start: '2026-06-01T10:00:00Z', end: '2026-06-01T10:00:00Z' }, 'end', /must be after start/],
    [{ name: 'x', all: true, start: '2026-06-01T10:00:00Z', end: '2026-06-01T09:00:00Z' }, 'end', /must be after start/],
    [{ name: 'x', all: true, start: '2026-06-01 10:00', end: '2026-06-01T11:00:00Z' }, 'start', /ISO 8601 date-time with a zone/],
    [{ name: 'x', all: true, start: '2026-06-01T10:00:00', end: '2026-06-01T11:00:00Z' }, 'start', /with a zone/],
    [{ name: 'x', all: true }, 'start', /is required \(or give repeat\)/],
    [{ name: 'x', all: true, ...once, repeat: weekly }, 'start', /must not be given with repeat/],
    [{ name: 'x', ...once }, 'monitor_ids', /is required \(or give all: true\)/],
    [{ name: 'x', all: true, monitor_ids: ['a'], ...once }, 'all', /must not be given with monitor_ids/],
    [{ name: 'x', all: false, ...once }, 'all', /must be true/],
    [{ name: 'x', monitor_ids: [], ...once }, 'monitor_ids', /at least one monitor/],
    [{ name: '', all: true, ...once }, 'name', /must not be empty/],
    [{ name: 'x', all: true, repeat: { ...weekly, from: '24:00' } }, 'repeat.from', /HH:MM, 00:00 to 23:59/],
    [{ name: 'x', all: true, repeat: { ...weekly, to: '7:30' } }, 'repeat.to', /HH:MM/],
    [{ name: 'x', all: true, repeat: { ...weekly, to: '01:00' } }, 'repeat.to', /must differ from from/],
    [{ name: 'x', all: true, repeat: { ...weekly, tz: 'Mars/Olympus' } }, 'repeat.tz', /IANA time zone/],
    [{ name: 'x', all: true, repeat: { ...weekly, tz: '+01:00' } }, 'repeat.tz', /IANA time zone/],
    [{ name: 'x', all: true, repeat: { ...weekly, days: ['monday'] } }, 'repeat.days.0', /one of mon, tue, wed, thu, fri, sat, sun/],
    [{ name: 'x', all: true, repeat: { ...weekly, days: undefined } }, 'repeat.days', /is required when every is week/],
    [{ name: 'x', all: true, repeat: { ...weekly, every: 'day' } }, 'repeat.days', /must not be given when every is day/],
    [{ name: 'x', all: true, repeat: { ...weekly, every: 'month' } }, 'repeat.every', /one of day, week/],
    [{ name: 'x', all: true, ...once, paused: true }, 'paused', /unknown field/],
  ])('refuses %j naming the field', async (json, path, message) => {
    const res = await post<Problem>(json);
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('refuses monitor ids that are not the caller’s, naming each entry, and stores nothing', async () => {
    const before = (await api.call<{ items: WindowJson[] }>('GET', '/api/maintenance', { token: api.token })).body.items.length;
    const res = await post<Problem>({ name: 'x', monitor_ids: [web, foreign, 'no-such-monitor'], ...once });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'monitor_ids.1', message: `no monitor with id ${JSON.stringify(foreign)}` },
      { path: 'monitor_ids.2', message: 'no monitor with id "no-such-monitor"' },
    ]);
    expect((await api.call<{ items: WindowJson[] }>('GET', '/api/maintenance', { token: api.token })).body.items).toHaveLength(before);
    const created = await post({ name: 'ok', monitor_ids: [web], ...once });
    const patch = await api.call<Problem>('PATCH', `/api/maintenance/${created.body.id}`, { token: api.token, json: { monitor_ids: [foreign] } });
    expect(patch.body.errors).toEqual([{ path: 'monitor_ids.0', message: `no monitor with id ${JSON.stringify(foreign)}` }]);
  });

  it('shows on each raw check whether it was probed during maintenance', async () => {
    const owner = (await api.store.getUserByEmail('ops@example.com'))!;
    const monitor = (await api.store.getMonitor(owner.id, web))!;
    await api.store.appendChecks([checkOf(monitor, NOW - 120_000), checkOf(monitor, NOW - 60_000, { maintenance: true })]);
    const res = await api.call<{ items: Record<string, unknown>[] }>('GET', `/api/monitors/${web}/checks?limit=10`, { token: api.token });
    expect(res.body.items.map((c) => c['monitor.maintenance'])).toEqual([true, false]);
  });

  it('needs a token', async () => {
    expect((await api.call('GET', '/api/maintenance')).status).toBe(401);
  });

  it('documents the routes with their schemas in the OpenAPI document', async () => {
    const doc = await api.call<{ paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } }>('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths['/api/maintenance'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.body.paths['/api/maintenance/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
    expect(doc.body.components.schemas).toHaveProperty('MaintenanceCreate');
    expect(doc.body.components.schemas).toHaveProperty('MaintenanceRepeat');
  });
});

describe('the summary during maintenance', () => {
  it('says which monitors a window covers now; paused or not, the status stays the checks’ own', async () => {
    const api = await startTestApi({ clock: () => NOW });
    try {
      const { token } = await api.user('summary@example.com');
      const create = async (name: string) =>
        (await api.call<{ id: string }>('POST', '/api/monitors', { token, json: { name, url: 'https://example.com/' } })).body.id;
      const covered = await create('covered');
      const free = await create('free');
      const later = await create('later');
      await api.call('POST', '/api/maintenance', { token, json: { name: 'now', monitor_ids: [covered], start: '2026-06-01T11:00:00Z', end: '2026-06-01T13:00:00Z' } });
      await api.call('POST', '/api/maintenance', { token, json: { name: 'tonight', monitor_ids: [later], start: '2026-06-01T22:00:00Z', end: '2026-06-01T23:00:00Z' } });
      const summary = await api.call<{ items: { monitor_id: string; maintenance: boolean }[] }>('GET', '/api/summary', { token });
      expect(summary.status).toBe(200);
      expect(Object.fromEntries(summary.body.items.map((r) => [r.monitor_id, r.maintenance]))).toEqual({ [covered]: true, [free]: false, [later]: false });
    } finally {
      await api.close();
    }
  });
});
