// The totals of a history, summed from its buckets the same way by every backend: maintenance
// checks are counted apart and left out of uptime (DESIGN "Maintenance windows").

import type { History, HistoryBucket } from './types.ts';

export function historyTotals(buckets: readonly HistoryBucket[]): History['totals'] {
  const sum = { checks: 0, up: 0, down: 0, maintenance: 0 };
  for (const b of buckets) {
    sum.checks += b.checks;
    sum.up += b.up;
    sum.down += b.down;
    sum.maintenance += b.maintenance;
  }
  return { ...sum, uptime: sum.up + sum.down === 0 ? null : sum.up / (sum.up + sum.down) };
}
