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
    id: deliveryId(req.incidentId, req.kind, req.ordinal, contact.id),
    owner_id: contact.owner_id,
    monitor_id: contact.monitor_id,
    incident_id: req.incidentId,
    contact_id: contact.id,
    channel: contact.type,
    address: contact.address,
    kind: req.kind,
    check_id: req.checkId,
    check_at: req.checkAt,
    status: 'pending',
    attempts: 0,
    next_attempt_at: req.now,
    last_error: null,
    created_at: req.now,
    sent_at: null,
    lease_owner: null,
    lease_expires_at: null,
    cert: null,
  }));
}

/** One `cert` delivery per contact: about no incident, named by (monitor, certificate, threshold, contact). */
export function buildCertDeliveries(
  contacts: readonly Contact[],
  req: { cert: DeliveryCert; checkId: string; checkAt: number; now: number },
): Delivery[] {
  return contacts.map((contact) => ({
    id: certDeliveryId(contact.monitor_id, req.cert.sha256, req.cert.threshold_days, contact.id),
    owner_id: contact.owner_id,
    monitor_id: contact.monitor_id,
    incident_id: null,
    contact_id: contact.id,
    channel: contact.type,
    address: contact.address,
    kind: 'cert',
    check_id: req.checkId,
    check_at: req.checkAt,
    status: 'pending',
    attempts: 0,
    next_attempt_at: req.now,
    last_error: null,
    created_at: req.now,
    sent_at: null,
    lease_owner: null,
    lease_expires_at: null,
    cert: { ...req.cert },
  }));
}
