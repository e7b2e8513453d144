// Gathers what a delivery's message is rendered from, at send time: the monitor as it is now
// (a renamed monitor is named by its new name), the incident, the confirming check, and for an
// up or a reminder the distinct causes seen during the outage (outage-causes.ts): up to the
// recovery for an UP, up to its due time for a reminder, so that every contact is told the same.
// A `cert` delivery needs none of these: it carries the certificate it tells about.

import type { CheckReader, MonitorStore } from '../store/contract.ts';
import type { Delivery } from '../store/types.ts';
import type { AlertMessage } from './channels/channel.ts';
import { findCheck, type IncidentLookup } from './lookups.ts';
import type { OutageCauses } from './outage-causes.ts';

export type MessageDeps = {
  store: Pick<MonitorStore, 'getMonitor'> & Pick<CheckReader, 'listChecks'>;
  incidents: IncidentLookup;
  causes: OutageCauses;
  publicUrl: string;
};

/**
 * `missing`, with the reason, when the monitor is gone: the delivery can never be sent. An
 * incident not found is not that: it is written with the delivery, but on a search engine the two
 * land in different indices and may become visible in either order, so it throws (retried with
 * backoff like any failed attempt). An incident really gone is purged with its deliveries.
 */
export async function assembleMessage(deps: MessageDeps, delivery: Delivery, now: number): Promise<AlertMessage | { missing: string }> {
  const monitor = await deps.store.getMonitor(delivery.owner_id, delivery.monitor_id);
  if (!monitor) return { missing: `monitor ${delivery.monitor_id} no longer exists` };
  const link = `${deps.publicUrl.replace(/\/+$/, '')}/monitors/${encodeURIComponent(monitor.id)}`;
  const about = { id: monitor.id, name: monitor.name, url: monitor.url, timezone: monitor.timezone };
  if (delivery.kind === 'cert' || delivery.incident_id === null) {
    // The delivery carries the certificate it tells about: no other record is needed.
    if (delivery.kind !== 'cert' || delivery.cert === null) return { missing: `delivery ${delivery.id} names neither an incident nor a certificate` };
    return { kind: 'cert', monitor: about, cert: delivery.cert, now, link };
  }
  const incident = await deps.incidents.find(delivery.owner_id, delivery.monitor_id, delivery.incident_id, { resolved: delivery.kind === 'up' });
  if (!incident) throw new Error(`incident ${delivery.incident_id} not found (yet)`);
  const check = delivery.kind === 'reminder' ? null : await findCheck(deps.store, delivery.owner_id, delivery.monitor_id, delivery.check_id, delivery.check_at);
  const causesUntil = delivery.kind === 'up' ? (incident.resolved_at ?? now) : Math.min(delivery.check_at, incident.resolved_at ?? delivery.check_at);
  const causes = delivery.kind === 'down' ? undefined : await deps.causes(incident, causesUntil);
  return {
    kind: delivery.kind,
    monitor: about,
    incident,
    ...(causes ? { causes } : {}),
    check,
    now,
    link,
  };
}
