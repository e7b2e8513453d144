// planMonitors and planWindows: one row per situation, the plan each must give.

import { describe, expect, it } from 'vitest';
import { monitorInput } from '../store/testing/fixtures.ts';
import type { MaintenanceWindow } from '../store/maintenance.ts';
import type { Contact } from '../store/types.ts';
import type { DeclaredMonitor, DeclaredWindow } from './parse.ts';
import { planMonitors, planWindows, type CurrentMonitor } from './plan.ts';

const stored = (name: string, over: Partial<CurrentMonitor> = {}): CurrentMonitor => ({
  ...monitorInput({ name, url: `https://${name.toLowerCase()}.example/` }),
  id: `id-${name}`,
  owner_id: 'alice',
  managed_by_file: true,
  created_at: 0,
  updated_at: 0,
  contacts: [],
  ...over,
});

const declared = (name: string, over: Partial<DeclaredMonitor['input']> = {}, contacts: DeclaredMonitor['contacts'] = []): DeclaredMonitor => {
  const { managed_by_file: _, ...input } = monitorInput({ name, url: `https://${name.toLowerCase()}.example/`, ...over });
  return { input, contacts };
};

const contact = (id: string, address: string): Contact => ({ id, owner_id: 'alice', monitor_id: 'id-Shop', type: 'email', address, created_at: 0 });

describe('planMonitors', () => {
  it.each([
    {
      row: 'an empty store: every declared monitor is created, in file order',
      current: [],
      wanted: [declared('Shop'), declared('Blog')],
      plan: { create: ['Shop', 'Blog'], update: [], remove: [] },
    },
    {
      row: 'the same monitor: nothing to do',
      current: [stored('Shop')],
      wanted: [declared('Shop')],
      plan: { create: [], update: [], remove: [] },
    },
    {
      row: 'a changed field: only that field is patched',
      current: [stored('Shop'), stored('Blog')],
      wanted: [declared('Shop', { interval_seconds: 45 }), declared('Blog')],
      plan: { create: [], update: [['Shop', { interval_seconds: 45 }]], remove: [] },
    },
    {
      row: 'a monitor the file no longer lists: deleted',
      current: [stored('Shop'), stored('Blog')],
      wanted: [declared('Shop')],
      plan: { create: [], update: [], remove: ['Blog'] },
    },
    {
      row: 'an API monitor of the same name: untouched; the file gets its own',
      current: [stored('Shop', { managed_by_file: false, interval_seconds: 999 })],
      wanted: [declared('Shop')],
      plan: { create: ['Shop'], update: [], remove: [] },
    },
    {
      row: 'an API monitor the file does not list: never deleted',
      current: [stored('Manual', { managed_by_file: false })],
      wanted: [],
      plan: { create: [], update: [], remove: [] },
    },
    {
      row: 'a renamed entry: the old one goes, the new one comes',
      current: [stored('Shop')],
      wanted: [declared('Store')],
      plan: { create: ['Store'], update: [], remove: ['Shop'] },
    },
  ])('$row', ({ current, wanted, plan }) => {
    const got = planMonitors(current, wanted);
    expect({
      create: got.create.map((m) => m.input.name),
      update: got.update.map((u) => [u.name, u.patch]),
      remove: got.remove.map((r) => r.name),
    }).toEqual(plan);
  });

  it('adds the contacts the file lists and removes the others', () => {
    const current = [stored('Shop', { contacts: [contact('c1', 'a@example.com'), contact('c2', 'b@example.com')] })];
    const wanted = [declared('Shop', {}, [{ type: 'email', address: 'b@example.com' }, { type: 'email', address: 'c@example.com' }])];
    const plan = planMonitors(current, wanted);
    expect(plan.addContacts).toEqual([{ monitorId: 'id-Shop', contact: { type: 'email', address: 'c@example.com' } }]);
    expect(plan.removeContacts).toEqual([{ monitorId: 'id-Shop', contactId: 'c1' }]);
    expect(plan.update).toEqual([]);
  });
});

const window = (name: string, over: Partial<MaintenanceWindow> = {}): MaintenanceWindow => ({
  id: `w-${name}`,
  owner_id: 'alice',
  name,
  all_monitors: false,
  monitor_ids: ['id-Shop'],
  start: null,
  end: null,
  repeat: { every: 'day', days: [], from: '02:00', to: '02:30', tz: 'UTC' },
  managed_by_file: true,
  created_at: 0,
  updated_at: 0,
  ...over,
});

const nightly = (from = '02:00', monitorNames: string[] | null = ['Shop']): DeclaredWindow => ({
  body: { name: 'Nightly', ...(monitorNames ? {} : { all: true as const }), repeat: { every: 'day', from, to: '02:30', tz: 'UTC' } },
  monitorNames,
});

describe('planWindows', () => {
  const ids = new Map([['Shop', 'id-Shop'], ['Blog', 'id-Blog']]);

  it.each([
    { row: 'a new window: created, marked', current: [], wanted: [nightly()], plan: { create: ['Nightly'], update: [], remove: [] } },
    { row: 'the same window: nothing to do', current: [window('Nightly')], wanted: [nightly()], plan: { create: [], update: [], remove: [] } },
    { row: 'another time: updated', current: [window('Nightly')], wanted: [nightly('01:00')], plan: { create: [], update: ['Nightly'], remove: [] } },
    { row: 'other monitors: updated', current: [window('Nightly')], wanted: [nightly('02:00', ['Shop', 'Blog'])], plan: { create: [], update: ['Nightly'], remove: [] } },
    { row: 'all monitors instead: updated', current: [window('Nightly')], wanted: [nightly('02:00', null)], plan: { create: [], update: ['Nightly'], remove: [] } },
    { row: 'gone from the file: deleted', current: [window('Nightly')], wanted: [], plan: { create: [], update: [], remove: ['Nightly'] } },
    { row: "an API window: untouched", current: [window('Nightly', { managed_by_file: false })], wanted: [], plan: { create: [], update: [], remove: [] } },
  ])('$row', ({ current, wanted, plan }) => {
    const got = planWindows(current, wanted, ids);
    expect({ create: got.create.map((w) => w.name), update: got.update.map((u) => u.name), remove: got.remove.map((r) => r.name) }).toEqual(plan);
    for (const created of got.create) expect(created.managed_by_file).toBe(true);
  });

  it('gives the ids of the monitors a window names, or all', () => {
    expect(planWindows([], [nightly('02:00', ['Blog', 'Shop'])], ids).create[0]).toMatchObject({ all_monitors: false, monitor_ids: ['id-Blog', 'id-Shop'] });
    expect(planWindows([], [nightly('02:00', null)], ids).create[0]).toMatchObject({ all_monitors: true, monitor_ids: [] });
  });
});
