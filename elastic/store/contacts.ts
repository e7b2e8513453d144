// Contacts in the `contacts` index, one document per contact (id = contact id), fields 1:1 with
// the Contact type. Every call first reads the monitor by realtime GET with its owner checked, so
// another owner's monitor or contact behaves like a missing one, and contacts left behind by a
// monitor deleted mid-way (monitors.ts) stay invisible. Writes use `refresh: 'wait_for'`: a
// contact just added is listed by the next search.

import type { ContactStore } from '../../store/contract.ts';
import { newId } from '../../store/ids.ts';
import type { Contact } from '../../store/types.ts';
import type { EsContext } from './context.ts';
import { getOwnedMonitor } from './monitors.ts';
import { getDoc, searchAll } from './documents.ts';

export function createContactStore(ctx: EsContext): ContactStore {
  const { client, names } = ctx;

  return {
    async addContact(ownerId, monitorId, { type, address }) {
      if (!(await getOwnedMonitor(ctx, ownerId, monitorId))) return null;
      const contact: Contact = { id: newId(), owner_id: ownerId, monitor_id: monitorId, type, address, created_at: ctx.clock() };
      // A plain index on a fresh id: a write retried by the client lands on the same document.
      await client.index({ index: names.contacts, id: contact.id, document: contact, refresh: 'wait_for' });
      return contact;
    },

    async listContacts(ownerId, monitorId) {
      if (!(await getOwnedMonitor(ctx, ownerId, monitorId))) return [];
      return searchAll<Contact>(
        ctx,
        names.contacts,
        { bool: { filter: [{ term: { monitor_id: monitorId } }, { term: { owner_id: ownerId } }] } },
        [{ created_at: 'asc' }, { id: 'asc' }],
      );
    },

    async deleteContact(ownerId, monitorId, contactId) {
      if (!(await getOwnedMonitor(ctx, ownerId, monitorId))) return false;
      const doc = await getDoc<Contact>(ctx, names.contacts, contactId);
      if (!doc || doc.source.monitor_id !== monitorId || doc.source.owner_id !== ownerId) return false;
      // Contacts are never updated, so the checks above still hold for an unconditional delete;
      // not found means a concurrent delete got there first.
      const deleted = await client.delete({ index: names.contacts, id: contactId, refresh: 'wait_for' }, { ignore: [404] });
      return deleted.result === 'deleted';
    },
  };
}
