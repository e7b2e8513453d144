// The outbox. Claiming is one UPDATE ... RETURNING inside BEGIN IMMEDIATE: the rows it picks are
// leased in the same statement, under the database's single write lock, so two claimers (two
// connections, two processes) never receive the same delivery. Completing or failing checks the
// lease owner in the UPDATE itself; no row changed means the lease was lost.

import { LeaseLostError, type OutboxStore } from '../contract.ts';
import { ownedMonitorKey } from './contacts.ts';
import { type Db, writeTransaction } from './db.ts';
import { DELIVERY_COLUMNS, insertDeliveries, toDelivery } from './deliveries.ts';

export function createOutboxStore(db: Db): OutboxStore {
  return {
    async enqueueDeliveries(deliveries) {
      if (deliveries.length === 0) return;
      writeTransaction(db, () => insertDeliveries(db, deliveries));
    },

    async claimDueDeliveries(worker, now, leaseMs, limit) {
      const rows = writeTransaction(db, () =>
        db
          .sql(
            `UPDATE deliveries SET lease_owner = ?, lease_expires_at = ?
             WHERE id IN (
               SELECT id FROM deliveries
               WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at <= ?)
               ORDER BY next_attempt_at, id LIMIT ?)
             RETURNING ${DELIVERY_COLUMNS}`,
          )
          .all(worker, now + leaseMs, now, now, limit),
      );
      return rows.map(toDelivery).sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id.localeCompare(b.id));
    },

    async completeDelivery(id, worker, now) {
      const changed = db
        .sql(
          `UPDATE deliveries SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL,
             lease_owner = NULL, lease_expires_at = NULL
           WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
        )
        .run(now, id, worker).changes;
      if (changed === 0) throw new LeaseLostError(`delivery ${id} is not leased to ${worker}`);
    },

    async failDelivery(id, worker, error, nextAttemptAt) {
      const changed = db
        .sql(
          `UPDATE deliveries SET status = ?, next_attempt_at = coalesce(?, next_attempt_at), attempts = attempts + 1,
             last_error = ?, lease_owner = NULL, lease_expires_at = NULL
           WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
        )
        .run(nextAttemptAt === null ? 'dead' : 'pending', nextAttemptAt, error, id, worker).changes;
      if (changed === 0) throw new LeaseLostError(`delivery ${id} is not leased to ${worker}`);
    },

    async listDeliveries(ownerId, monitorId) {
      if (ownedMonitorKey(db, ownerId, monitorId) === null) return null;
      return db
        .sql(`SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE monitor_id = ? AND owner_id = ? ORDER BY created_at DESC, id DESC`)
        .all(monitorId, ownerId)
        .map(toDelivery);
    },
  };
}
