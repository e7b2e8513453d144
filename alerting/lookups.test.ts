// What a notification is about, found at send time: the incident by id, at once, on each store,
// by a process that did not write it.

import { afterEach, describe, expect, it } from 'vitest';
import { alertState, makeIncident } from '../store/conformance/harness.ts';
import { monitorInput } from '../store/testing/fixtures.ts';
import { scenarioBackends, type OpenedBackend } from '../test/support/backends.ts';
import { createIncidentLookup } from './lookups.ts';

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
