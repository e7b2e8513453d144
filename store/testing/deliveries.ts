// Test support: every delivery of a monitor, newest first, read through the paged list the
// product uses (the contract has no read-everything method: lists grow with the outbox).

import type { OutboxStore } from '../contract.ts';
import type { Delivery } from '../types.ts';

const PAGE = 100;

/** null when the monitor does not exist for this owner, like listDeliveriesPage. */
export async function allDeliveries(
  store: Pick<OutboxStore, 'listDeliveriesPage'>,
  ownerId: string,
  monitorId: string,
): Promise<Delivery[] | null> {
  const all: Delivery[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listDeliveriesPage(ownerId, monitorId, { limit: PAGE, ...(cursor ? { cursor } : {}) });
    if (page === null) return null;
    all.push(...page.items);
    if (page.next_cursor === null) return all;
    cursor = page.next_cursor;
  }
}
