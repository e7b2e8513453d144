// What a transition writes besides the state: the incident (opened on down, resolved on up) and
// one delivery per contact. Built here, written by the evaluator in one compare-and-set. A quiet
// change (inside a maintenance window) writes its incident and no delivery; the `late` transition
// after the window enqueues the deliveries that change would have had, with the same ids (kind,
// incident and contact), so a message is never sent twice however often this runs. A `cert`
// transition writes one delivery per contact and no incident.

import type { AlertEffects, ContactStore } from '../store/contract.ts';
import type { Monitor } from '../store/types.ts';
import { buildCertDeliveries, buildDeliveries } from './deliveries.ts';
import type { IncidentLookup } from './lookups.ts';
import type { Transition } from './state-machine.ts';

export type EffectsDeps = {
  store: Pick<ContactStore, 'listContacts'>;
  incidents: IncidentLookup;
};

/** Effects of one transition; `null` incident lookups (a deleted record) write the state alone. */
export async function effectsOf(deps: EffectsDeps, monitor: Pick<Monitor, 'id' | 'owner_id'>, transition: Transition, now: number): Promise<AlertEffects> {
  const contacts = await deps.store.listContacts(monitor.owner_id, monitor.id);
  switch (transition.kind) {
    case 'down': {
      const { incident, check } = transition;
      if (transition.quiet) return { incident };
      const deliveries = buildDeliveries(contacts, { incidentId: incident.id, kind: 'down', ordinal: 0, checkId: check.id, checkAt: check.timestamp, now });
      return { incident, deliveries };
    }
    case 'up': {
      const open = await deps.incidents.find(monitor.owner_id, monitor.id, transition.incident_id);
      if (!open) return {};
      const incident = { ...open, resolved_at: transition.resolved_at };
      const { check } = transition;
      if (transition.quiet) return { incident };
      const deliveries = buildDeliveries(contacts, { incidentId: incident.id, kind: 'up', ordinal: 0, checkId: check.id, checkAt: check.timestamp, now });
      return { incident, deliveries };
    }
    case 'reminder': {
      const open = await deps.incidents.find(monitor.owner_id, monitor.id, transition.incident_id);
      if (!open) return {};
      const deliveries = buildDeliveries(contacts, {
        incidentId: open.id,
        kind: 'reminder',
        ordinal: transition.due_at,
        checkId: open.check_id,
        checkAt: transition.due_at,
        now,
      });
      return { deliveries };
    }
    case 'late': {
      const deliveries = [];
      if (transition.up_incident_id !== null) {
        const ended = await deps.incidents.find(monitor.owner_id, monitor.id, transition.up_incident_id, { resolved: true });
        // The confirming check is not kept: check_at is the recovery time, so the message names no check.
        if (ended) {
          const checkAt = ended.resolved_at ?? now;
          deliveries.push(...buildDeliveries(contacts, { incidentId: ended.id, kind: 'up', ordinal: 0, checkId: ended.check_id, checkAt, now }));
        }
      }
      if (transition.down_incident_id !== null) {
        const open = await deps.incidents.find(monitor.owner_id, monitor.id, transition.down_incident_id);
        // The DOWN names the first failing check of the streak, which the incident keeps.
        if (open) deliveries.push(...buildDeliveries(contacts, { incidentId: open.id, kind: 'down', ordinal: 0, checkId: open.check_id, checkAt: open.started_at, now }));
      }
      return { deliveries };
    }
    case 'cert': {
      const { check } = transition;
      const cert = { sha256: transition.sha256, not_after: transition.not_after, issuer: transition.issuer, threshold_days: transition.threshold_days };
      return { deliveries: buildCertDeliveries(contacts, { cert, checkId: check.id, checkAt: check.timestamp, now }) };
    }
  }
}
