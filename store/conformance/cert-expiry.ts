// Certificate expiry (alerting/cert-expiry.ts): a monitor's thresholds round-trip ([] included),
// a check's certificate fingerprint is stored and read back (raw checks and the evaluator's
// feed), the alert state keeps what was told for which certificate, and a `cert` delivery (no
// incident, the certificate it tells about) goes through the compare-and-set and the outbox whole.

import { describe, expect } from 'vitest';
import { alertState, type ConformanceOptions, makeCheck, makeDelivery, monitorInput, newUser, useStore } from './harness.ts';

const T0 = Date.UTC(2026, 4, 5, 10, 0, 0);
const SHA = 'a3f1c0de'.repeat(8);

export function certExpiryCases(options: ConformanceOptions): void {
  describe('certificate expiry', () => {
    const { store, refresh, test } = useStore(options);

    test('round-trips tls_expiry_days: given, default, patched to none', async () => {
      const owner = await newUser(store());
      const [custom, defaults] = await store().createMonitors(owner.id, [monitorInput({ tls_expiry_days: [30, 3] }), monitorInput()]);
      expect(custom?.tls_expiry_days).toEqual([30, 3]);
      expect((await store().getMonitor(owner.id, defaults!.id))?.tls_expiry_days).toEqual([14, 7, 1]);
      const off = await store().updateMonitor(owner.id, custom!.id, { tls_expiry_days: [] });
      expect(off?.tls_expiry_days).toEqual([]);
      expect((await store().listAllMonitors()).find((m) => m.id === custom!.id)?.tls_expiry_days).toEqual([]);
      const renamed = await store().updateMonitor(owner.id, defaults!.id, { name: 'renamed' });
      expect(renamed?.tls_expiry_days).toEqual([14, 7, 1]);
    });

    test('stores the certificate fingerprint of a check and reads it back', async () => {
      const owner = await newUser(store());
      const monitor = await store().createMonitor(owner.id, monitorInput());
      const cursor = await store().getEvaluatorCursor();
      const withCert = makeCheck(monitor, T0, { cert_sha256: SHA, cert_not_after: T0 + 5 * 86_400_000, cert_issuer: 'Test CA' });
      const renewed = makeCheck(monitor, T0 + 60_000, { cert_sha256: 'b'.repeat(64), cert_not_after: T0 + 90 * 86_400_000 });
      const plain = makeCheck(monitor, T0 + 120_000, { cert_sha256: null, cert_not_after: null, cert_issuer: null, tls_version: null });
      await store().appendChecks([withCert, renewed, plain]);
      await refresh();
      const page = await store().listChecks(owner.id, monitor.id, { limit: 10 });
      expect(page!.items).toEqual([plain, renewed, withCert]);
      const fed = new Map<string, unknown>();
      let at = cursor;
      for (let i = 0; i < 20 && fed.size < 3; i++) {
        const read = await store().readChecksAfter(at, 1000);
        for (const check of read.checks) if (check.monitor_id === monitor.id) fed.set(check.id, check.cert_sha256);
        at = read.cursor;
        if (fed.size < 3) await refresh();
      }
      expect(fed.get(withCert.id)).toBe(SHA);
      expect(fed.get(plain.id)).toBeNull();
    });

    test('keeps the certificate told about in the alert state, and writes a cert delivery with its state', async () => {
      const owner = await newUser(store());
      const monitor = await store().createMonitor(owner.id, monitorInput());
      const cert = { sha256: SHA, not_after: T0 + 5 * 86_400_000, issuer: 'Test CA', threshold_days: 7 };
      const delivery = makeDelivery(monitor, { id: `dlv-cert-${monitor.id}`, kind: 'cert', incident_id: null, cert, check_at: T0, next_attempt_at: T0, created_at: T0 });
      const state = alertState(monitor, { status: 'up', cert_sha256: SHA, cert_told_days: 7 });
      const version = await store().compareAndSetAlertState(monitor.id, null, state, { deliveries: [delivery] });
      expect((await store().getAlertState(monitor.id))?.state).toEqual(state);
      // The same change again (another engine, a retry): the delivery exists already, once.
      await store().enqueueDeliveries([{ ...delivery, address: 'someone-else@example.com' }]);
      await refresh();
      const page = await store().listDeliveriesPage(owner.id, monitor.id, { limit: 10 });
      expect(page!.items).toEqual([delivery]);
      const claimed = await store().claimDueDeliveries('w1', T0 + 1_000, 30_000, 100);
      expect(claimed.filter((d) => d.monitor_id === monitor.id)).toEqual([{ ...delivery, lease_owner: 'w1', lease_expires_at: T0 + 31_000 }]);
      await store().completeDelivery(delivery.id, 'w1', T0 + 2_000);
      const renewed = { ...state, cert_sha256: 'c'.repeat(64), cert_told_days: null };
      await store().compareAndSetAlertState(monitor.id, version, renewed, {});
      expect((await store().getAlertState(monitor.id))?.state).toEqual(renewed);
    });
  });
}
