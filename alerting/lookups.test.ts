// What a notification is about, found at send time: the incident by id (at once, on each store,
// by a process that did not write it), and the outage's causes read once for all contacts.

import { afterEach, describe, expect, it } from 'vitest';
import type { CheckReader } from '../store/contract.ts';
import { alertState, makeIncident } from '../store/conformance/harness.ts';
import { monitorInput } from '../store/testing/fixtures.ts';
import { scenarioBackends, sqliteBackend, type OpenedBackend } from '../test/support/backends.ts';
import { makeCheck } from './testing/world.ts';
import { createIncidentLookup } from './lookups.ts';
import { createOutageCauses } from './outage-causes.ts';

const T = Date.UTC(2026, 5, 1);
let opened: OpenedBackend | null = null;
afterEach(async () => {
  await opened?.close();
  opened = null;
});

describe.each(scenarioBackends())('incident lookup on $name', (backend) => {
  it('finds an incident written a moment ago by another process, and its resolution', async () => {
    opened = await backend.open();
    const { store } = opened;
    const owner = await store.createUser({ email: 'owner@example.com', password_hash: 'x' });
    const monitor = await store.createMonitor(owner.id, monitorInput());
    const incident = makeIncident(monitor, { started_at: T });
    // Written by "another process": this lookup has never seen it (no remember, no refresh).
    const version = await store.compareAndSetAlertState(monitor.id, null, alertState(monitor, { open_incident_id: incident.id }), { incident });
    const lookup = createIncidentLookup(store);
    expect(await lookup.find(owner.id, monitor.id, incident.id)).toEqual(incident);

    const resolved = { ...incident, resolved_at: T + 60_000 };
    await store.compareAndSetAlertState(monitor.id, version, alertState(monitor, { status: 'up' }), { incident: resolved });
    // The cached copy is still open: an UP message asks for the resolved one.
    expect(await lookup.find(owner.id, monitor.id, incident.id, { resolved: true })).toEqual(resolved);
    expect(await lookup.find(owner.id, monitor.id, 'no-such-incident')).toBeNull();
    const stranger = await store.createUser({ email: 'stranger@example.com', password_hash: 'x' });
    expect(await createIncidentLookup(store).find(stranger.id, monitor.id, incident.id)).toBeNull();
  });
});

describe('outage causes', () => {
  it('reads one outage once for every contact told at the same time, and again for another end', async () => {
    opened = await sqliteBackend.open();
    const { store } = opened;
    const owner = await store.createUser({ email: 'owner@example.com', password_hash: 'x' });
    const monitor = await store.createMonitor(owner.id, monitorInput());
    const incident = makeIncident(monitor, { started_at: T, cause_type: 'status', cause_status_code: 500, cause_message: 'status 500' });
    await store.appendChecks([
      makeCheck(monitor, 'down', T, { error_type: 'status', status_code: 500, error_message: 'status 500' }),
      makeCheck(monitor, 'down', T + 60_000, { error_type: 'timeout', status_code: null, error_message: 'timed out' }),
      makeCheck(monitor, 'down', T + 120_000, { error_type: 'connect', status_code: null, error_message: 'refused' }),
    ]);
    let reads = 0;
    const counted: Pick<CheckReader, 'listChecks'> = {
      listChecks: (...args) => {
        reads++;
        return store.listChecks(...args);
      },
    };
    const causes = createOutageCauses(counted);
    const answers = await Promise.all(Array.from({ length: 6 }, () => causes(incident, T + 180_000)));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]!.map((c) => c.cause_type)).toEqual(['status', 'timeout', 'connect']);
    expect(reads).toBe(1);
    expect((await causes(incident, T + 90_000)).map((c) => c.cause_type)).toEqual(['status', 'timeout']);
    expect(reads).toBe(2);
  });
});
