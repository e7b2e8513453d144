// Outbox: idempotent enqueue, claims that never overlap, lease expiry, and lease checks on
// complete and fail.

import { describe, expect } from 'vitest';
import { LeaseLostError } from '../contract.ts';
import { type ConformanceOptions, makeDelivery, monitorInput, newUser, useStore } from './harness.ts';

const NOW = Date.UTC(2026, 5, 1, 12);

export function outboxCases(options: ConformanceOptions): void {
  describe('outbox', () => {
    const { store, refresh, test } = useStore(options);

    const setup = async () => {
      const owner = await newUser(store());
      const monitor = await store().createMonitor(owner.id, monitorInput());
      return { owner, monitor };
    };

    test('enqueues idempotently by id and lists newest first', async () => {
      const { owner, monitor } = await setup();
      const first = makeDelivery(monitor, { created_at: NOW });
      const second = makeDelivery(monitor, { created_at: NOW + 1000, kind: 'up' });
      await store().enqueueDeliveries([first]);
      await store().enqueueDeliveries([{ ...first, address: 'changed@example.com' }, second]);
      await store().enqueueDeliveries([second]);
      await refresh();
      expect(await store().listDeliveries(owner.id, monitor.id)).toEqual([second, first]);
    });

    test('claims only due deliveries, up to the limit', async () => {
      const { monitor } = await setup();
      const due = [1, 2, 3].map((i) => makeDelivery(monitor, { next_attempt_at: NOW - i * 1000 }));
      const later = makeDelivery(monitor, { next_attempt_at: NOW + 60_000 });
      await store().enqueueDeliveries([...due, later]);
      await refresh();
      const claimed = await store().claimDueDeliveries('w1', NOW, 120_000, 2);
      expect(claimed).toHaveLength(2);
      expect(claimed.every((d) => d.lease_owner === 'w1' && d.lease_expires_at === NOW + 120_000)).toBe(true);
      const rest = await store().claimDueDeliveries('w2', NOW, 120_000, 10);
      expect([...claimed, ...rest].map((d) => d.id).sort()).toEqual(due.map((d) => d.id).sort());
      expect(await store().claimDueDeliveries('w3', NOW + 60_000 - 1, 30_000, 10)).toEqual([]);
    });

    test('two concurrent claimers never receive the same delivery', async () => {
      const { monitor } = await setup();
      const deliveries = Array.from({ length: 30 }, (_, i) => makeDelivery(monitor, { next_attempt_at: NOW - i }));
      await store().enqueueDeliveries(deliveries);
      await refresh();
      const [a, b] = await Promise.all([
        store().claimDueDeliveries('a', NOW, 60_000, 20),
        store().claimDueDeliveries('b', NOW, 60_000, 20),
      ]);
      const ids = [...a, ...b].map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.sort()).toEqual(deliveries.map((d) => d.id).sort());
    });

    test('an expired lease lets another worker claim, and the first one then loses', async () => {
      const { owner, monitor } = await setup();
      const delivery = makeDelivery(monitor, { next_attempt_at: NOW });
      await store().enqueueDeliveries([delivery]);
      await refresh();
      expect(await store().claimDueDeliveries('w1', NOW, 10_000, 5)).toHaveLength(1);
      expect(await store().claimDueDeliveries('w2', NOW + 9_999, 10_000, 5)).toEqual([]);
      const reclaimed = await store().claimDueDeliveries('w2', NOW + 10_000, 10_000, 5);
      expect(reclaimed.map((d) => d.lease_owner)).toEqual(['w2']);
      await expect(store().completeDelivery(delivery.id, 'w1', NOW + 10_001)).rejects.toBeInstanceOf(LeaseLostError);
      await expect(store().failDelivery(delivery.id, 'w1', 'boom', NOW + 60_000)).rejects.toBeInstanceOf(LeaseLostError);
      await store().completeDelivery(delivery.id, 'w2', NOW + 10_002);
      await refresh();
      const [sent] = (await store().listDeliveries(owner.id, monitor.id))!;
      expect(sent).toMatchObject({ status: 'sent', sent_at: NOW + 10_002, attempts: 1, lease_owner: null });
      await expect(store().completeDelivery(delivery.id, 'w2', NOW + 10_003)).rejects.toBeInstanceOf(LeaseLostError);
      expect(await store().claimDueDeliveries('w3', NOW + 100_000, 10_000, 5)).toEqual([]);
    });

    test('a failed attempt is retried at the given time; null marks it dead', async () => {
      const { owner, monitor } = await setup();
      const delivery = makeDelivery(monitor, { next_attempt_at: NOW });
      await store().enqueueDeliveries([delivery]);
      await refresh();
      await store().claimDueDeliveries('w1', NOW, 10_000, 5);
      await store().failDelivery(delivery.id, 'w1', 'SMTP 451 try later', NOW + 60_000);
      await refresh();
      expect((await store().listDeliveries(owner.id, monitor.id))![0]).toMatchObject({
        status: 'pending',
        attempts: 1,
        last_error: 'SMTP 451 try later',
        next_attempt_at: NOW + 60_000,
        lease_owner: null,
      });
      expect(await store().claimDueDeliveries('w1', NOW + 59_999, 10_000, 5)).toEqual([]);
      expect(await store().claimDueDeliveries('w2', NOW + 60_000, 10_000, 5)).toHaveLength(1);
      await store().failDelivery(delivery.id, 'w2', 'SMTP 550 no such user', null);
      await refresh();
      expect((await store().listDeliveries(owner.id, monitor.id))![0]).toMatchObject({
        status: 'dead',
        attempts: 2,
        last_error: 'SMTP 550 no such user',
      });
      expect(await store().claimDueDeliveries('w3', NOW + 10 * 86_400_000, 10_000, 5)).toEqual([]);
    });
  });
}
