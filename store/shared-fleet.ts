// One read of the whole fleet per change, shared by the roles of a process. The collector's fleet
// feed, its push deadlines and the alerting evaluator each poll the store's change token and read
// every monitor when it moved: three full reads of the same change, on the thread the API shares
// (at 50,000 monitors one read is a few hundred ms of CPU and tens of MB of garbage). Here
// listAllMonitors answers the read made for the current token, until the token moves.
//
// The list and its monitors are shared between callers: none may change them (none does). Only
// callers that follow the change token get this store; the API reads through the plain one.
// The list is let go KEPT_MS after its read, by when every caller has had it (they poll the token
// every few seconds): each keeps only what it needs, and 50,000 whole monitors are tens of MB.
//
// Example: startCollector({ store: shareFleetReads(store), ... })

import type { Store } from './contract.ts';
import type { Monitor } from './types.ts';

/** Longer than the longest poll period of a caller (the fleet feed's stretched one, 30 s). */
const KEPT_MS = 40_000;

export function shareFleetReads(store: Store): Store {
  let last: { token: string; monitors: Promise<Monitor[]> } | null = null;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'listAllMonitors') return Reflect.get(target, property, receiver);
      return async (): Promise<Monitor[]> => {
        const token = await target.monitorsChangeToken();
        if (last?.token === token) return last.monitors;
        const monitors = target.listAllMonitors();
        last = { token, monitors };
        // Names the read by its token only: a timer holding the list would keep every list read
        // during a bulk import alive for KEPT_MS.
        const forget = () => {
          if (last?.token === token) last = null;
        };
        setTimeout(forget, KEPT_MS).unref();
        // A failed read is not kept: the next caller tries again.
        monitors.catch(forget);
        return monitors;
      };
    },
  });
}
