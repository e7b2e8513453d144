// Contacts in the `contacts` index, one document per contact (id = contact id), fields 1:1 with
// the Contact type. Every call first reads the monitor by realtime GET with its owner checked, so
// another owner's monitor or contact behaves like a missing one, and contacts left behind by a
// monitor deleted mid-way (monitors.ts) stay invisible. Writes use `refresh: 'wait_for'`: a
// contact just added is listed by the next search.
//
// Deleting a contact then cancels its pending deliveries that no dispatcher holds, with an
// update by query (after a refresh, so that one enqueued a moment ago is found). A crash between
// the two writes, or a delivery enqueued by an evaluator that listed the contact just before,
// leaves a pending delivery to a deleted contact: the dispatcher cancels it when it claims it
// (alerting/dispatcher.ts), so nothing is sent either way.

import { setTimeout as sleep } from 'node:timers/promises';
import { CONTACT_DELETED, type ContactStore } from '../../store/contract.ts';
import { newId } from '../../store/ids.ts';
import type { Contact } from '../../store/types.ts';
import type { EsContext } from './context.ts';
import { backoffMs, getOwnedMonitor } from './monitors.ts';
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
      if (deleted.result !== 'deleted') return false;
      await cancelPendingDeliveries(ctx, monitorId, contactId);
      return true;
    },
  };
}

const CANCEL_ATTEMPTS = 4;

/**
 * Marks the contact's unleased pending deliveries cancelled. The script looks again at each
 * document as it is now: one leased or finished since the search is left alone. A document
 * changed while the query ran is a version conflict: the query runs again for those.
 */
async function cancelPendingDeliveries(ctx: EsContext, monitorId: string, contactId: string): Promise<void> {
  const index = ctx.names.outbox;
  await ctx.client.indices.refresh({ index });
  for (let attempt = 1; ; attempt += 1) {
    const response = await ctx.client.updateByQuery({
      index,
      query: { bool: { filter: [{ term: { contact_id: contactId } }, { term: { monitor_id: monitorId } }, { term: { status: 'pending' } }] } },
      script: {
        lang: 'painless',
        source: `
          def d = ctx._source;
          if (d.status != 'pending' || (d.lease_expires_at != null && d.lease_expires_at > params.now)) { ctx.op = 'noop'; }
          else { d.status = 'cancelled'; d.last_error = params.reason; d.lease_owner = null; d.lease_expires_at = null; }`,
        params: { now: ctx.clock(), reason: CONTACT_DELETED },
      },
      conflicts: 'proceed',
      refresh: true,
    });
    if ((response.failures ?? []).length > 0 || response.timed_out) {
      throw new Error(`cancelling the deliveries of contact ${contactId}: update_by_query failed: ${JSON.stringify(response.failures?.slice(0, 3))}`);
    }
    if (!response.version_conflicts) return;
    // Left pending after the last attempt, the dispatcher still cancels them before sending.
    if (attempt >= CANCEL_ATTEMPTS) return;
    await sleep(backoffMs(attempt));
  }
}
