// Elasticsearch only: the audit events (uptime-events-<namespace>) age out with the checks. On
// OpenSearch the data stream has no lifecycle, and on Elasticsearch the lifecycle runs on its own
// schedule, so purgeChecksBefore deletes old events itself; the conformance suite cannot see
// events (they are not in the contract), so this looks at the data stream directly.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertState, makeDelivery, makeIncident, monitorInput } from '../../store/conformance/harness.ts';
import { indexNames } from '../templates/index.ts';
import { openTestStore, refreshNamespace, testEsUrl, type TestStore } from './testing.ts';

const url = testEsUrl();
const DAY = 86_400_000;
const T = Date.UTC(2026, 0, 10);

describe.skipIf(!url)('elasticsearch retention of events', () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await openTestStore(url ?? '');
  });
  afterEach(async () => {
    await store?.close();
  });

  const events = async () => {
    await refreshNamespace(store.client, store.namespace);
    const response = await store.client.search<{ event: { id: string } }>({
      index: indexNames(store.namespace).events,
      query: { match_all: {} },
      size: 100,
    });
    return response.hits.hits.map((hit) => hit._source?.event.id).sort();
  };

  it('purges incident and notification events older than the cutoff and keeps the newer ones', async () => {
    const owner = await store.createUser({ email: `events-${store.namespace}@example.com`, password_hash: 'scrypt$hash' });
    const monitor = await store.createMonitor(owner.id, monitorInput());
    const cutoff = T + 10 * DAY;
    const old = makeIncident(monitor, { started_at: T, resolved_at: T + 3_600_000 });
    const recent = makeIncident(monitor, { started_at: cutoff + DAY, resolved_at: null });
    await store.compareAndSetAlertState(monitor.id, null, alertState(monitor), { incident: old });
    await store.compareAndSetAlertState(monitor.id, 1, alertState(monitor), { incident: recent });
    const oldSend = makeDelivery(monitor, { incident_id: old.id, created_at: T, next_attempt_at: T });
    const recentSend = makeDelivery(monitor, { incident_id: recent.id, created_at: cutoff + DAY, next_attempt_at: cutoff + DAY });
    await store.enqueueDeliveries([oldSend, recentSend]);
    await refreshNamespace(store.client, store.namespace);
    // Sent at their creation time: the event is stamped with it.
    for (const [delivery, at] of [[oldSend, T], [recentSend, cutoff + DAY]] as const) {
      expect(await store.claimDueDeliveries('w1', at, 60_000, 1)).toHaveLength(1);
      await store.completeDelivery(delivery.id, 'w1', at);
      await refreshNamespace(store.client, store.namespace);
    }
    expect(await events()).toEqual(
      [`${old.id}:incident-resolved`, `${recent.id}:incident-opened`, `${oldSend.id}:notification-sent`, `${recentSend.id}:notification-sent`].sort(),
    );

    await store.purgeChecksBefore(cutoff);
    expect(await events()).toEqual([`${recent.id}:incident-opened`, `${recentSend.id}:notification-sent`].sort());
  });
});
