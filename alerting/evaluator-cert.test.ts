// Certificate expiry through the evaluator, on each store: two engines racing over the same
// checks enqueue one [CERT] delivery per contact and threshold; a later, more urgent threshold
// is told once more; engines started afresh (a restart, the feed read again from the start)
// tell nothing again; a renewed certificate starts over.

import { afterEach, describe, expect, it } from 'vitest';
import { newTestClient } from '../elastic/store/testing.ts';
import { openElasticsearchStore } from '../elastic/store/open.ts';
import type { Store } from '../store/contract.ts';
import { openSqliteStore } from '../store/sqlite/open.ts';
import { allDeliveries } from '../store/testing/deliveries.ts';
import { monitorInput } from '../store/testing/fixtures.ts';
import type { Delivery, Monitor } from '../store/types.ts';
import { createMetrics } from '../telemetry/metrics.ts';
import { scenarioBackends, type OpenedBackend } from '../test/support/backends.ts';
import { createEvaluator } from './evaluator.ts';
import { createIncidentLookup } from './lookups.ts';
import { makeCheck, silentLog } from './testing/world.ts';

const DAY = 86_400_000;
const OLD = 'a1'.repeat(32);
const NEW = 'b2'.repeat(32);

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

/** A second connection to the same storage: another alerting process. */
async function secondStore(backend: OpenedBackend): Promise<Store> {
  const env = backend.env;
  const store =
    env.STORE === 'elasticsearch'
      ? await openElasticsearchStore({ client: newTestClient(env.ELASTICSEARCH_URL!), namespace: env.ELASTICSEARCH_NAMESPACE!, retentionDays: 400, ownsClient: true })
      : await openSqliteStore({ dataDir: env.DATA_DIR! });
  opened.push(store);
  return store;
}

const evaluatorOn = (store: Store) =>
  createEvaluator({ store, incidents: createIncidentLookup(store), log: silentLog, metrics: createMetrics(), clock: Date.now });

describe.each(scenarioBackends())('certificate expiry through the evaluator on $name', (backend) => {
  it('two engines tell each threshold once per contact; a restart resends nothing; a renewal starts over', async () => {
    const b = await backend.open();
    opened.push(b);
    const { store } = b;
    const owner = await store.createUser({ email: 'owner@example.com', password_hash: 'x' });
    const monitor = await store.createMonitor(owner.id, monitorInput({ name: 'Shop', url: 'https://shop.example/', tls_expiry_days: [14, 7, 1] }));
    for (const [type, address] of [['email', 'ops@example.com'], ['webhook', 'https://hooks.example/x']] as const) {
      await store.addContact(owner.id, monitor.id, { type, address });
    }
    let engines = [evaluatorOn(store), evaluatorOn(await secondStore(b))];
    const certOf = (sha256: string, daysLeft: number) => {
      const at = Date.now();
      return makeCheck(monitor, 'up', at, { cert_sha256: sha256, cert_not_after: at + daysLeft * DAY, cert_issuer: 'Test CA', tls_version: 'TLSv1.3' });
    };
    const certDeliveries = async (): Promise<Delivery[]> => {
      await b.refresh();
      return ((await allDeliveries(store, owner.id, monitor.id)) ?? []).filter((d) => d.kind === 'cert');
    };
    /** Races both engines until `count` cert deliveries exist, then a few passes more (nothing else may come). */
    const raceUntil = async (count: number) => {
      const deadline = Date.now() + 60_000;
      while ((await certDeliveries()).length < count && Date.now() < deadline) {
        await Promise.all(engines.map((e) => e.evaluateOnce()));
      }
      for (let i = 0; i < 3; i++) {
        await b.refresh();
        await Promise.all(engines.map((e) => e.evaluateOnce()));
      }
      return certDeliveries();
    };
    const told = (ds: Delivery[]) => ds.map((d) => `${d.channel}:${d.cert?.sha256 === OLD ? 'old' : 'new'}:${d.cert?.threshold_days}`).sort();

    // First seen with 3 days left: one message per contact, for 7 (not 14 as well).
    await store.appendChecks([certOf(OLD, 3)]);
    const first = await raceUntil(2);
    expect(told(first)).toEqual(['email:old:7', 'webhook:old:7']);
    expect(first.every((d) => d.incident_id === null && d.status === 'pending' && d.cert?.issuer === 'Test CA')).toBe(true);

    // The same certificate, still above 1 day: nothing; then below 1 day: one more each, for 1.
    await store.appendChecks([certOf(OLD, 2)]);
    expect(told(await raceUntil(2))).toEqual(['email:old:7', 'webhook:old:7']);
    await store.appendChecks([certOf(OLD, 0.5)]);
    expect(told(await raceUntil(4))).toEqual(['email:old:1', 'email:old:7', 'webhook:old:1', 'webhook:old:7']);

    // A restart of both engines, reading every check again from the start: nothing is resent.
    await store.setEvaluatorCursor(null);
    engines = [evaluatorOn(store), evaluatorOn(await secondStore(b))];
    expect(await raceUntil(4)).toHaveLength(4);

    // Renewed with 10 days left: starts over, told for 14.
    await store.appendChecks([certOf(NEW, 10)]);
    const renewed = await raceUntil(6);
    expect(told(renewed)).toEqual(['email:new:14', 'email:old:1', 'email:old:7', 'webhook:new:14', 'webhook:old:1', 'webhook:old:7']);
    expect((await store.getAlertState(monitor.id))?.state).toMatchObject({ cert_sha256: NEW, cert_told_days: 14 });
  });

  it('tells nothing for a paused monitor or one with tls_expiry_days []', async () => {
    const b = await backend.open();
    opened.push(b);
    const { store } = b;
    const owner = await store.createUser({ email: 'owner@example.com', password_hash: 'x' });
    const monitors: Monitor[] = await store.createMonitors(owner.id, [
      monitorInput({ name: 'paused', paused: true }),
      monitorInput({ name: 'off', tls_expiry_days: [] }),
      monitorInput({ name: 'on' }),
    ]);
    for (const m of monitors) await store.addContact(owner.id, m.id, { type: 'email', address: 'ops@example.com' });
    const at = Date.now();
    await store.appendChecks(monitors.map((m) => makeCheck(m, 'up', at, { cert_sha256: OLD, cert_not_after: at + 2 * DAY, cert_issuer: 'Test CA' })));
    const engine = evaluatorOn(store);
    const kinds = async (m: Monitor) => ((await allDeliveries(store, owner.id, m.id)) ?? []).map((d) => d.kind);
    const deadline = Date.now() + 60_000;
    while ((await kinds(monitors[2]!)).length === 0 && Date.now() < deadline) {
      await b.refresh();
      await engine.evaluateOnce();
      await b.refresh();
    }
    expect(await kinds(monitors[2]!)).toEqual(['cert']);
    expect(await kinds(monitors[0]!)).toEqual([]);
    expect(await kinds(monitors[1]!)).toEqual([]);
  });
});
