// Contacts of a monitor. A contact belongs to its monitor's owner; the owner is checked through
// the monitor on every call, so another owner's monitor or contact behaves like a missing one.
// Deleting a contact cancels its unleased pending deliveries in the same transaction, so that no
// message goes to an address the user removed (a leased one is left to its dispatcher, which
// checks the contact before sending: alerting/dispatcher.ts).

import { CONTACT_DELETED, type ContactStore } from '../contract.ts';
import { newId } from '../ids.ts';
import { CONTACT_TYPES, type Contact } from '../types.ts';
import { type Db, type Row, int, oneOf, text, writeTransactionYielding } from './db.ts';

/** The monitor's key when it exists, is live and belongs to `ownerId`. */
export function ownedMonitorKey(db: Db, ownerId: string, monitorId: string): number | null {
  const row = db.sql('SELECT mkey FROM monitors WHERE id = ? AND owner_id = ? AND deleted_at IS NULL').get(monitorId, ownerId);
  return row ? int(row, 'mkey') : null;
}

export function createContactStore(db: Db): ContactStore {
  return {
    async addContact(ownerId, monitorId, { type, address }) {
      const mkey = ownedMonitorKey(db, ownerId, monitorId);
      if (mkey === null) return null;
      const contact: Contact = {
        id: newId(),
        owner_id: ownerId,
        monitor_id: monitorId,
        type,
        address,
        created_at: db.clock(),
      };
      db.sql('INSERT INTO contacts (id, mkey, type, address, created_at) VALUES (?, ?, ?, ?, ?)').run(
        contact.id,
        mkey,
        type,
        address,
        contact.created_at,
      );
      return contact;
    },

    async listContacts(ownerId, monitorId) {
      const mkey = ownedMonitorKey(db, ownerId, monitorId);
      if (mkey === null) return [];
      const rows = db.sql('SELECT id, type, address, created_at FROM contacts WHERE mkey = ? ORDER BY created_at, rowid').all(mkey);
      return rows.map((row) => toContact(row, ownerId, monitorId));
    },

    async deleteContact(ownerId, monitorId, contactId) {
      return writeTransactionYielding(db, () => {
        const mkey = ownedMonitorKey(db, ownerId, monitorId);
        if (mkey === null) return false;
        if (db.sql('DELETE FROM contacts WHERE id = ? AND mkey = ?').run(contactId, mkey).changes === 0) return false;
        db.sql(
          `UPDATE deliveries SET status = 'cancelled', last_error = ?, lease_owner = NULL, lease_expires_at = NULL
           WHERE contact_id = ? AND monitor_id = ? AND status = 'pending' AND (lease_expires_at IS NULL OR lease_expires_at <= ?)`,
        ).run(CONTACT_DELETED, contactId, monitorId, db.clock());
        return true;
      });
    },
  };
}

function toContact(row: Row, ownerId: string, monitorId: string): Contact {
  return {
    id: text(row, 'id'),
    owner_id: ownerId,
    monitor_id: monitorId,
    type: oneOf(row, 'type', CONTACT_TYPES),
    address: text(row, 'address'),
    created_at: int(row, 'created_at'),
  };
}
