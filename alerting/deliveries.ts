// One delivery per (transition, contact), with the deterministic id that makes enqueueing
// idempotent: the same transition computed twice (crash and retry, two engines) yields the same
// rows, which the store inserts once.

import type { Contact, Delivery, DeliveryCert } from '../store/types.ts';
import { certDeliveryId, deliveryId } from './ids.ts';

export type DeliveryRequest = {
  incidentId: string;
  kind: 'down' | 'up' | 'reminder';
  /** Tells reminders of one incident apart (their due time); 0 for down and up. */
  ordinal: number;
  /** The confirming check (reminders: the incident's first check, and the due time). */
  checkId: string;
  checkAt: number;
  now: number;
};

export function buildDeliveries(contacts: readonly Contact[], req: DeliveryRequest): Delivery[] {
  return contacts.map((contact) => ({
    ...pending(contact, req),
    id: deliveryId(req.incidentId, req.kind, req.ordinal, contact.id),
    incident_id: req.incidentId,
    kind: req.kind,
    cert: null,
  }));
}

/** One `cert` delivery per contact: about no incident, named by (monitor, certificate, threshold, contact). */
export function buildCertDeliveries(
  contacts: readonly Contact[],
  req: { cert: DeliveryCert; checkId: string; checkAt: number; now: number },
): Delivery[] {
  return contacts.map((contact) => ({
    ...pending(contact, req),
    id: certDeliveryId(contact.monitor_id, req.cert.sha256, req.cert.threshold_days, contact.id),
    incident_id: null,
    kind: 'cert',
    cert: { ...req.cert },
  }));
}

/** What every new delivery to `contact` starts as: due now, never tried, free. */
function pending(contact: Contact, req: { checkId: string; checkAt: number; now: number }) {
  return {
    owner_id: contact.owner_id,
    monitor_id: contact.monitor_id,
    contact_id: contact.id,
    channel: contact.type,
    address: contact.address,
    check_id: req.checkId,
    check_at: req.checkAt,
    status: 'pending' as const,
    attempts: 0,
    next_attempt_at: req.now,
    last_error: null,
    created_at: req.now,
    sent_at: null,
    lease_owner: null,
    lease_expires_at: null,
  };
}
