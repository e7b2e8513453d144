// Elasticsearch only: a crash between an alert state write and the materialisation of its effects
// (elastic/store/alerts.ts). The crash is simulated by writing the state document with its effects
// and `effects_applied: false` directly, as a writer that died right after its state write leaves
// it. The next reader (getAlertState) or writer (compareAndSetAlertState) must then write the
// incident, the deliveries and the audit events exactly once, however often that is repeated.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertEffects } from '../../store/contract.ts';
import { CasConflictError } from '../../store/contract.ts';
import { alertState, makeDelivery, makeIncident, monitorInput } from '../../store/conformance/harness.ts';
import type { AlertState, Monitor, User } from '../../store/types.ts';
import { detectEngine } from '../engine.ts';
import { indexNames } from '../templates/index.ts';
import type { EsContext } from './context.ts';
import { materialiseEffects } from './effects.ts';
import { openTestStore, refreshNamespace, testEsUrl, type TestStore } from './testing.ts';
import { allDeliveries } from '../../store/testing/deliveries.ts';

const url = testEsUrl();
const T = Date.UTC(2026, 5, 1);

describe.skipIf(!url)('elasticsearch alert state: effects after a crash', () => {
  let store: TestStore;
  let ctx: EsContext;
  let owner: User;
  let monitor: Monitor;

  beforeEach(async () => {
    store = await openTestStore(url ?? '');
    ctx = { client: store.client, names: indexNames(store.namespace), engine: await detectEngine(store.client), clock: Date.now };
    owner = await store.createUser({ email: `crash-${store.namespace}@example.com`, password_hash: 'scrypt$hash' });
    monitor = await store.createMonitor(owner.id, monitorInput());
  });

  afterEach(async () => {
    await store?.close();
  });

  /** The state document as a writer leaves it when it dies right after writing it. */
  const crashAfterStateWrite = async (version: number, state: AlertState, effects: AlertEffects) => {
    await store.client.index({
      index: ctx.names['alert-state'],
      id: monitor.id,
      document: { ...state, version, effects, effects_applied: false },
    });
  };

  const refresh = () => refreshNamespace(store.client, store.namespace);

  const eventActions = async (incidentId: string) => {
    const response = await store.client.search<{ event: { action: string } }>({
      index: ctx.names.events,
      query: { term: { 'incident.id': incidentId } },
      size: 100,
    });
    return response.hits.hits.map((hit) => hit._source?.event.action).sort();
  };

  const effectsApplied = async () => {
    const doc = await store.client.get<{ effects_applied: boolean }>({ index: ctx.names['alert-state'], id: monitor.id });
    return doc._source?.effects_applied;
  };

  it('getAlertState materialises the incident and deliveries once, keeping a delivery already sent', async () => {
    const incident = makeIncident(monitor, { started_at: T });
    const sent = makeDelivery(monitor, { incident_id: incident.id, contact_id: 'c1' });
    const pending = makeDelivery(monitor, { incident_id: incident.id, contact_id: 'c2' });
    const state = alertState(monitor, { open_incident_id: incident.id });
    // An earlier, partial materialisation got the first delivery out, and it was sent.
    const alreadySent = { ...sent, status: 'sent' as const, attempts: 1, sent_at: T + 1_000 };
    await store.enqueueDeliveries([alreadySent]);
    await crashAfterStateWrite(1, state, { incident, deliveries: [sent, pending] });

    expect(await store.getAlertState(monitor.id)).toEqual({ state, version: 1 });
    expect(await effectsApplied()).toBe(true);

    // Repeated: as if the marking write had been lost too, twice over.
    for (let i = 0; i < 2; i += 1) {
      await crashAfterStateWrite(1, state, { incident, deliveries: [sent, pending] });
      expect(await store.getAlertState(monitor.id)).toEqual({ state, version: 1 });
    }

    await refresh();
    expect(await store.listIncidents(owner.id, monitor.id, {})).toEqual([incident]);
    const deliveries = await allDeliveries(store, owner.id, monitor.id);
    expect(deliveries?.map((d) => d.id).sort()).toEqual([sent.id, pending.id].sort());
    expect(deliveries?.find((d) => d.id === sent.id)).toEqual(alreadySent);
    expect(deliveries?.find((d) => d.id === pending.id)).toEqual(pending);
    expect(await eventActions(incident.id)).toEqual(['incident-opened']);
  });

  it('the next compare-and-set finishes the crashed change before writing its own', async () => {
    const incident = makeIncident(monitor, { started_at: T });
    const down = makeDelivery(monitor, { incident_id: incident.id, kind: 'down' });
    await crashAfterStateWrite(1, alertState(monitor, { open_incident_id: incident.id }), { incident, deliveries: [down] });

    // A writer with a stale version loses, but still finishes the pending change.
    await expect(store.compareAndSetAlertState(monitor.id, null, alertState(monitor), {})).rejects.toBeInstanceOf(CasConflictError);
    await refresh();
    expect(await store.listIncidents(owner.id, monitor.id, {})).toEqual([incident]);

    await crashAfterStateWrite(1, alertState(monitor, { open_incident_id: incident.id }), { incident, deliveries: [down] });
    const resolved = { ...incident, resolved_at: T + 3_600_000 };
    const up = makeDelivery(monitor, { incident_id: incident.id, kind: 'up', created_at: T + 3_600_000 });
    const next = alertState(monitor, { status: 'up' });
    expect(await store.compareAndSetAlertState(monitor.id, 1, next, { incident: resolved, deliveries: [up] })).toBe(2);
    expect(await effectsApplied()).toBe(true);

    await refresh();
    expect(await store.listIncidents(owner.id, monitor.id, {})).toEqual([resolved]);
    expect(await allDeliveries(store, owner.id, monitor.id)).toEqual([up, down]);
    expect(await eventActions(incident.id)).toEqual(['incident-opened', 'incident-resolved']);
    expect(await store.getAlertState(monitor.id)).toEqual({ state: next, version: 2 });
  });

  it('a late repeat of an older change does not roll back a newer incident', async () => {
    const incident = makeIncident(monitor, { started_at: T });
    const v1 = await store.compareAndSetAlertState(monitor.id, null, alertState(monitor), { incident });
    const resolved = { ...incident, resolved_at: T + 60_000 };
    await store.compareAndSetAlertState(monitor.id, v1, alertState(monitor, { status: 'up' }), { incident: resolved });
    // A reader that loaded version 1 before it was marked applied, and writes its effects only now.
    await materialiseEffects(ctx, { incident }, v1);
    await refresh();
    expect(await store.listIncidents(owner.id, monitor.id, {})).toEqual([resolved]);
  });
});
