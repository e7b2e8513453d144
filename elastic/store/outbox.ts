// The outbox (store/contract.ts OutboxStore) in the outbox index, one document per delivery
// (id = delivery id). Nothing here is a transaction; every change of a delivery is a write
// conditional on the sequence number it was read at (if_seq_no/if_primary_term), so of two
// dispatchers changing the same delivery exactly one succeeds and the other sees a 409:
//
//   claim     search (near-real-time) for due, unleased deliveries, then lease each hit with a
//             conditional update. A stale hit (already leased, sent, or changed since the last
//             refresh) fails that update; it is then read again by id (realtime) and leased if
//             it still qualifies, else skipped. So two claimers never get the same delivery.
//   complete  realtime GET, the lease owner checked, conditional update; a 409 = lease lost.
//   fail      the same; pending again at the next attempt time, or dead.
//   cancel    the same; cancelled (its contact is gone: the dispatcher does not send it).
//
// A delivery reaching sent or dead appends an event (store/ecs.ts deliveryToEcsEvent) with a
// deterministic id. That append follows the state change: a crash between the two loses the event
// (an audit record), never the delivery. A cancelled one appends none (nothing was sent or tried).
//
// Reads are bounded: the API pages with search_after on (created_at, id), and the dispatcher asks
// only for one contact's pending messages of one incident.

import type { estypes } from '@elastic/elasticsearch';
import { LeaseLostError, type OutboxStore } from '../../store/contract.ts';
import { decodePageCursor, encodePageCursor } from '../../store/page-cursor.ts';
import { deliveryToEcsEvent } from '../../store/ecs.ts';
import type { Delivery } from '../../store/types.ts';
import { assertComplete } from './checks-read.ts';
import { type EsContext, MAX_PAGE, isConflict } from './context.ts';
import { DELIVERY_FIELDS, bulkIgnoringConflicts, pick } from './effects.ts';
import { getOwnedMonitor } from './monitors.ts';
import { getDoc } from './documents.ts';

type Versioned = { delivery: Delivery; seqNo: number; primaryTerm: number };

/** Hits asked of the claim search per slot: spare candidates for hits that turn out stale. */
const CANDIDATES_PER_SLOT = 2;

const claimable = (delivery: Delivery, now: number): boolean =>
  delivery.status === 'pending' &&
  delivery.next_attempt_at <= now &&
  (delivery.lease_expires_at === null || delivery.lease_expires_at <= now);

export function createOutboxStore(ctx: EsContext): OutboxStore {
  const index = ctx.names.outbox;

  async function read(id: string): Promise<Versioned | null> {
    const doc = await getDoc<Delivery>(ctx, index, id);
    return doc && { delivery: pick(DELIVERY_FIELDS, doc.source), seqNo: doc.seq_no, primaryTerm: doc.primary_term };
  }

  /** Writes `changes` if the delivery is still at `seen`'s sequence number; false on a 409. */
  async function changeIfUnchanged(seen: Versioned, changes: Partial<Delivery>): Promise<boolean> {
    try {
      await ctx.client.update({
        index,
        id: seen.delivery.id,
        if_seq_no: seen.seqNo,
        if_primary_term: seen.primaryTerm,
        doc: changes,
      });
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  /** Leases one candidate to `worker`, re-reading it once when the search hit was stale. */
  async function claimOne(hit: Versioned, worker: string, now: number, leaseMs: number): Promise<Delivery | null> {
    const lease = { lease_owner: worker, lease_expires_at: now + leaseMs };
    let seen: Versioned | null = hit;
    for (let round = 0; round < 2 && seen; round += 1) {
      if (!claimable(seen.delivery, now)) return null;
      if (await changeIfUnchanged(seen, lease)) return { ...seen.delivery, ...lease };
      if (round === 0) seen = await read(hit.delivery.id);
    }
    // Changed again between the realtime read and the update: another dispatcher has it.
    return null;
  }

  /** Records the end of a leased attempt; throws LeaseLostError unless `worker` holds the lease. */
  async function finish(id: string, worker: string, change: (d: Delivery) => Partial<Delivery>, at: number): Promise<void> {
    const current = await read(id);
    if (!current || current.delivery.status !== 'pending' || current.delivery.lease_owner !== worker) {
      throw new LeaseLostError(`delivery ${id} is not leased to ${worker}`);
    }
    const changes = change(current.delivery);
    if (!(await changeIfUnchanged(current, changes))) {
      throw new LeaseLostError(`delivery ${id} changed while ${worker} held its lease`);
    }
    const after = { ...current.delivery, ...changes };
    if (after.status === 'sent' || after.status === 'dead') {
      const event = deliveryToEcsEvent(after, at);
      await bulkIgnoringConflicts(
        ctx,
        [{ create: { _index: ctx.names.events, _id: event.event.id } }, event],
        `appending the ${event.event.action} event of delivery ${id}`,
      );
    }
  }

  return {
    async enqueueDeliveries(deliveries) {
      await bulkIgnoringConflicts(
        ctx,
        deliveries.flatMap((d) => [{ create: { _index: index, _id: d.id } }, pick(DELIVERY_FIELDS, d)]),
        'enqueueing deliveries',
      );
    },

    async claimDueDeliveries(worker, now, leaseMs, limit) {
      if (limit <= 0) return [];
      const response = await ctx.client.search<Delivery>({
        index,
        query: {
          bool: {
            filter: [
              { term: { status: 'pending' } },
              { range: { next_attempt_at: { lte: now } } },
              {
                bool: {
                  should: [
                    { bool: { must_not: [{ exists: { field: 'lease_expires_at' } }] } },
                    { range: { lease_expires_at: { lte: now } } },
                  ],
                  minimum_should_match: 1,
                },
              },
            ],
          },
        },
        sort: [{ next_attempt_at: 'asc' }, { id: 'asc' }] satisfies estypes.SortCombinations[],
        size: Math.min(MAX_PAGE, limit * CANDIDATES_PER_SLOT),
        seq_no_primary_term: true,
        track_total_hits: false,
      });
      assertComplete(response, 'claiming deliveries');
      const candidates: Versioned[] = response.hits.hits.map((hit) => {
        if (!hit._source || hit._seq_no === undefined || hit._primary_term === undefined) {
          throw new Error(`claiming deliveries: hit ${hit._id ?? '?'} has no _source or sequence number`);
        }
        return { delivery: pick(DELIVERY_FIELDS, hit._source), seqNo: hit._seq_no, primaryTerm: hit._primary_term };
      });
      const claimed: Delivery[] = [];
      // In order, as many at a time as slots are left, so a lost race frees its slot for the next candidate.
      for (let next = 0; claimed.length < limit && next < candidates.length; ) {
        const batch = candidates.slice(next, next + limit - claimed.length);
        next += batch.length;
        for (const delivery of await Promise.all(batch.map((hit) => claimOne(hit, worker, now, leaseMs)))) {
          if (delivery) claimed.push(delivery);
        }
      }
      return claimed.sort((a, b) => a.next_attempt_at - b.next_attempt_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    async completeDelivery(id, worker, now) {
      await finish(
        id,
        worker,
        (d) => ({ status: 'sent', sent_at: now, attempts: d.attempts + 1, last_error: null, lease_owner: null, lease_expires_at: null }),
        now,
      );
    },

    async failDelivery(id, worker, error, nextAttemptAt) {
      await finish(
        id,
        worker,
        (d) => ({
          status: nextAttemptAt === null ? 'dead' : 'pending',
          next_attempt_at: nextAttemptAt ?? d.next_attempt_at,
          attempts: d.attempts + 1,
          last_error: error,
          lease_owner: null,
          lease_expires_at: null,
        }),
        ctx.clock(),
      );
    },

    async cancelDelivery(id, worker, reason) {
      await finish(id, worker, () => ({ status: 'cancelled', last_error: reason, lease_owner: null, lease_expires_at: null }), ctx.clock());
    },

    async listPendingDeliveries(incidentId, contactId, limit) {
      const response = await ctx.client.search<Delivery>({
        index,
        query: {
          bool: { filter: [{ term: { contact_id: contactId } }, { term: { incident_id: incidentId } }, { term: { status: 'pending' } }] },
        },
        sort: [{ check_at: 'asc' }, { id: 'asc' }] satisfies estypes.SortCombinations[],
        size: Math.min(MAX_PAGE, limit),
        track_total_hits: false,
      });
      assertComplete(response, 'listing pending deliveries');
      return response.hits.hits.map((hit) => sourceOf(hit, 'listing pending deliveries'));
    },

    async listDeliveriesPage(ownerId, monitorId, query) {
      const after = query.cursor === undefined ? undefined : decodePageCursor(query.cursor);
      if ((await getOwnedMonitor(ctx, ownerId, monitorId)) === null) return null;
      const limit = Math.min(query.limit, MAX_PAGE - 1);
      const response = await ctx.client.search<Delivery>({
        index,
        query: { bool: { filter: [{ term: { owner_id: ownerId } }, { term: { monitor_id: monitorId } }] } },
        sort: [{ created_at: 'desc' }, { id: 'desc' }] satisfies estypes.SortCombinations[],
        // One hit more than asked tells whether another page follows.
        size: limit + 1,
        track_total_hits: false,
        ...(after ? { search_after: [after.createdAt, after.id] } : {}),
      });
      assertComplete(response, 'listing deliveries');
      const hits = response.hits.hits.map((hit) => sourceOf(hit, 'listing deliveries'));
      const items = hits.slice(0, limit);
      const last = items.at(-1);
      return { items, next_cursor: hits.length > limit && last ? encodePageCursor(last) : null };
    },
  };
}

function sourceOf(hit: estypes.SearchHit<Delivery>, what: string): Delivery {
  if (!hit._source) throw new Error(`${what}: hit ${hit._id ?? '?'} has no _source`);
  return pick(DELIVERY_FIELDS, hit._source);
}
