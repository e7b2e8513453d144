// Delivery rows: inserted idempotently by id (by the alert compare-and-set and by the outbox),
// read back whole.

import { CONTACT_TYPES, DELIVERY_STATUSES, NOTIFICATION_KINDS, type Delivery, type DeliveryCert } from '../types.ts';
import { type Db, type Row, int, intOrNull, oneOf, text, textOrNull } from './db.ts';

export const DELIVERY_COLUMNS = `id, owner_id, monitor_id, incident_id, contact_id, channel, address, kind, check_id,
  check_at, status, attempts, next_attempt_at, last_error, created_at, sent_at, lease_owner, lease_expires_at,
  cert_sha256, cert_not_after, cert_issuer, cert_threshold_days`;

/** Inserts the deliveries whose id is new; existing ones are left exactly as they are. */
export function insertDeliveries(db: Db, deliveries: Delivery[]): void {
  const insert = db.sql(
    `INSERT INTO deliveries (${DELIVERY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO NOTHING`,
  );
  for (const d of deliveries) {
    insert.run(
      d.id,
      d.owner_id,
      d.monitor_id,
      d.incident_id,
      d.contact_id,
      d.channel,
      d.address,
      d.kind,
      d.check_id,
      d.check_at,
      d.status,
      d.attempts,
      d.next_attempt_at,
      d.last_error,
      d.created_at,
      d.sent_at,
      d.lease_owner,
      d.lease_expires_at,
      d.cert?.sha256 ?? null,
      d.cert?.not_after ?? null,
      d.cert?.issuer ?? null,
      d.cert?.threshold_days ?? null,
    );
  }
}

export function toDelivery(row: Row): Delivery {
  return {
    id: text(row, 'id'),
    owner_id: text(row, 'owner_id'),
    monitor_id: text(row, 'monitor_id'),
    incident_id: textOrNull(row, 'incident_id'),
    contact_id: text(row, 'contact_id'),
    channel: oneOf(row, 'channel', CONTACT_TYPES),
    address: text(row, 'address'),
    kind: oneOf(row, 'kind', NOTIFICATION_KINDS),
    check_id: text(row, 'check_id'),
    check_at: int(row, 'check_at'),
    status: oneOf(row, 'status', DELIVERY_STATUSES),
    attempts: int(row, 'attempts'),
    next_attempt_at: int(row, 'next_attempt_at'),
    last_error: textOrNull(row, 'last_error'),
    created_at: int(row, 'created_at'),
    sent_at: intOrNull(row, 'sent_at'),
    lease_owner: textOrNull(row, 'lease_owner'),
    lease_expires_at: intOrNull(row, 'lease_expires_at'),
    cert: certOf(row),
  };
}

function certOf(row: Row): DeliveryCert | null {
  const sha256 = textOrNull(row, 'cert_sha256');
  if (sha256 === null) return null;
  return {
    sha256,
    not_after: int(row, 'cert_not_after'),
    issuer: textOrNull(row, 'cert_issuer'),
    threshold_days: int(row, 'cert_threshold_days'),
  };
}
