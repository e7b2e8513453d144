// The outbox. Claiming is one UPDATE ... RETURNING inside BEGIN IMMEDIATE: the rows it picks are
// leased in the same statement, under the database's single write lock, so two claimers (two
// connections, two processes) never receive the same delivery. Completing or failing checks the
// lease owner in the UPDATE itself; no row changed means the lease was lost. The API reads pages
// (keyset on created_at, id) and the dispatcher asks only for one contact's pending messages of
// one incident, so no read grows with the outbox.

import { LeaseLostError, type OutboxStore } from '../contract.ts';
import { decodePageCursor, encodePageCursor } from '../page-cursor.ts';
import { ownedMonitorKey } from './contacts.ts';
import { type Db, writeTransactionYielding } from './db.ts';
import { DELIVERY_COLUMNS, insertDeliveries, toDelivery } from './deliveries.ts';

/** A delivery a worker may lease now (bind `now` twice): pending, due, and not leased or its lease run out. */
const CLAIMABLE = `status = 'pending' AND next_attempt_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at <= ?)`;

export function createOutboxStore(db: Db): OutboxStore {
  return {
    async enqueueDeliveries(deliveries) {
      if (deliveries.length === 0) return;
      await writeTransactionYielding(db, () => insertDeliveries(db, deliveries));
    },

    async claimDueDeliveries(worker, now, leaseMs, limit) {
      // Nearly every poll finds nothing due: asking first, without the write lock, keeps the
      // poll from waiting for another connection's write (a fold on the writer thread).
      if (!db.sql(`SELECT 1 FROM deliveries WHERE ${CLAIMABLE} LIMIT 1`).get(now, now)) return [];
      const rows = await writeTransactionYielding(db, () =>
        db
          .sql(
            `UPDATE deliveries SET lease_owner = ?, lease_expires_at = ?
             WHERE id IN (
               SELECT id FROM deliveries WHERE ${CLAIMABLE}
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

    async cancelDelivery(id, worker, reason) {
      const changed = db
        .sql(
          `UPDATE deliveries SET status = 'cancelled', last_error = ?, lease_owner = NULL, lease_expires_at = NULL
           WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
        )
        .run(reason, id, worker).changes;
      if (changed === 0) throw new LeaseLostError(`delivery ${id} is not leased to ${worker}`);
    },

    async listPendingDeliveries(incidentId, contactId, limit) {
      return db
        .sql(
          `SELECT ${DELIVERY_COLUMNS} FROM deliveries
           WHERE contact_id = ? AND incident_id = ? AND status = 'pending'
           ORDER BY check_at, id LIMIT ?`,
        )
        .all(contactId, incidentId, limit)
        .map(toDelivery);
    },

    async listDeliveriesPage(ownerId, monitorId, query) {
      const after = query.cursor === undefined ? null : decodePageCursor(query.cursor);
      if (ownedMonitorKey(db, ownerId, monitorId) === null) return null;
      // One row more than asked tells whether another page follows.
      const select = `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE monitor_id = ? AND owner_id = ?`;
      const newestFirst = 'ORDER BY created_at DESC, id DESC LIMIT ?';
      const rows = (
        after === null
          ? db.sql(`${select} ${newestFirst}`).all(monitorId, ownerId, query.limit + 1)
          : db.sql(`${select} AND (created_at, id) < (?, ?) ${newestFirst}`).all(monitorId, ownerId, after.createdAt, after.id, query.limit + 1)
      ).map(toDelivery);
      const items = rows.slice(0, query.limit);
      const last = items.at(-1);
      return { items, next_cursor: rows.length > query.limit && last ? encodePageCursor(last) : null };
    },
  };
}
