// What a transition writes besides the state: the incident (opened on down, resolved on up) and
// one delivery per contact. Built here, written by the evaluator in one compare-and-set.

import type { AlertEffects, ContactStore } from '../store/contract.ts';
import type { Monitor } from '../store/types.ts';
import { buildDeliveries } from './deliveries.ts';
import type { IncidentLookup } from './lookups.ts';
import type { Transition } from './state-machine.ts';

export type EffectsDeps = {
  store: Pick<ContactStore, 'listContacts'>;
  incidents: IncidentLookup;
};

/** Effects of one transition; `null` incident lookups (a deleted record) write the state alone. */
export async function effectsOf(deps: EffectsDeps, monitor: Monitor, transition: Transition, now: number): Promise<AlertEffects> {
  const contacts = await deps.store.listContacts(monitor.owner_id, monitor.id);
  switch (transition.kind) {
    case 'down': {
      const { incident, check } = transition;
      const deliveries = buildDeliveries(contacts, { incidentId: incident.id, kind: 'down', ordinal: 0, checkId: check.id, checkAt: check.timestamp, now });
      return { incident, deliveries };
    }
    case 'up': {
      const open = await deps.incidents.find(monitor.owner_id, monitor.id, transition.incident_id);
      if (!open) return {};
      const incident = { ...open, resolved_at: transition.resolved_at };
      const { check } = transition;
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
  }
}
