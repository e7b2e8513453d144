// Outbox: idempotent enqueue, claims that never overlap, lease expiry, lease checks on complete,
// fail and cancel, deliveries of a deleted contact cancelled, the dispatcher's bounded lookup,
// and newest-first pages.

import { describe, expect } from 'vitest';
import { CONTACT_DELETED, InvalidCursorError, LeaseLostError } from '../contract.ts';
import type { Delivery } from '../types.ts';
import { type ConformanceOptions, makeDelivery, monitorInput, newUser, useStore } from './harness.ts';
import { allDeliveries } from '../testing/deliveries.ts';

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
      expect(await allDeliveries(store(), owner.id, monitor.id)).toEqual([second, first]);
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
      const [sent] = (await allDeliveries(store(), owner.id, monitor.id))!;
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
      expect((await allDeliveries(store(), owner.id, monitor.id))![0]).toMatchObject({
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
      expect((await allDeliveries(store(), owner.id, monitor.id))![0]).toMatchObject({
        status: 'dead',
        attempts: 2,
        last_error: 'SMTP 550 no such user',
      });
      expect(await store().claimDueDeliveries('w3', NOW + 10 * 86_400_000, 10_000, 5)).toEqual([]);
    });

    test('cancels a leased delivery unsent; without the lease it is LeaseLostError', async () => {
      const { owner, monitor } = await setup();
      const delivery = makeDelivery(monitor, { next_attempt_at: NOW });
      await store().enqueueDeliveries([delivery]);
      await refresh();
      await store().claimDueDeliveries('w1', NOW, 10_000, 5);
      await expect(store().cancelDelivery(delivery.id, 'w2', CONTACT_DELETED)).rejects.toBeInstanceOf(LeaseLostError);
      await store().cancelDelivery(delivery.id, 'w1', CONTACT_DELETED);
      await refresh();
      expect((await allDeliveries(store(), owner.id, monitor.id))![0]).toMatchObject({
        status: 'cancelled',
        attempts: 0,
        last_error: CONTACT_DELETED,
        sent_at: null,
        lease_owner: null,
      });
      await expect(store().cancelDelivery(delivery.id, 'w1', CONTACT_DELETED)).rejects.toBeInstanceOf(LeaseLostError);
      expect(await store().claimDueDeliveries('w3', NOW + 86_400_000, 10_000, 5)).toEqual([]);
    });

    test("deleting a contact cancels its unleased pending deliveries and nobody else's", async () => {
      const { owner, monitor } = await setup();
      const gone = (await store().addContact(owner.id, monitor.id, { type: 'email', address: 'gone@example.com' }))!;
      const kept = (await store().addContact(owner.id, monitor.id, { type: 'email', address: 'kept@example.com' }))!;
      const to = (contact: typeof gone, overrides: Partial<Delivery>) =>
        makeDelivery(monitor, { contact_id: contact.id, address: contact.address, ...overrides });
      const now = Date.now();
      const later = to(gone, { kind: 'reminder', next_attempt_at: now + 3_600_000 });
      const retrying = to(gone, { kind: 'up', attempts: 2, last_error: 'SMTP 451', next_attempt_at: now + 3_600_000 });
      const sent = to(gone, { status: 'sent', attempts: 1, sent_at: NOW });
      const leased = to(gone, { kind: 'down', next_attempt_at: now - 1_000 });
      const other = to(kept, { next_attempt_at: now + 3_600_000 });
      await store().enqueueDeliveries([later, retrying, sent, leased, other]);
      await refresh();
      // A dispatcher is sending this one right now: it is left to that dispatcher.
      expect((await store().claimDueDeliveries('w1', now, 3 * 3_600_000, 10)).map((d) => d.id)).toEqual([leased.id]);

      expect(await store().deleteContact(owner.id, monitor.id, gone.id)).toBe(true);
      await refresh();
      const byId = new Map((await allDeliveries(store(), owner.id, monitor.id))!.map((d) => [d.id, d]));
      expect(byId.get(later.id)).toMatchObject({ status: 'cancelled', last_error: CONTACT_DELETED, attempts: 0 });
      expect(byId.get(retrying.id)).toMatchObject({ status: 'cancelled', last_error: CONTACT_DELETED, attempts: 2 });
      expect(byId.get(sent.id)).toEqual(sent);
      expect(byId.get(leased.id)).toMatchObject({ status: 'pending', lease_owner: 'w1' });
      expect(byId.get(other.id)).toEqual(other);
      expect(await store().claimDueDeliveries('w2', now + 7_200_000, 10_000, 10)).toEqual([
        expect.objectContaining({ id: other.id }),
      ]);
    });

    test("lists one contact's pending deliveries of one incident, oldest check first, at most the limit", async () => {
      const { monitor } = await setup();
      const of = (incident: string, contact: string, overrides: Partial<Delivery>) =>
        makeDelivery(monitor, { incident_id: incident, contact_id: contact, ...overrides });
      const down = of('i1', 'c1', { kind: 'down', check_at: NOW });
      const reminder = of('i1', 'c1', { kind: 'reminder', check_at: NOW + 60_000 });
      const up = of('i1', 'c1', { kind: 'up', check_at: NOW + 120_000 });
      const sent = of('i1', 'c1', { kind: 'reminder', check_at: NOW + 30_000, status: 'sent' });
      await store().enqueueDeliveries([up, reminder, down, sent, of('i1', 'c2', {}), of('i2', 'c1', {})]);
      await refresh();
      expect(await store().listPendingDeliveries('i1', 'c1', 10)).toEqual([down, reminder, up]);
      expect(await store().listPendingDeliveries('i1', 'c1', 2)).toEqual([down, reminder]);
      expect(await store().listPendingDeliveries('i9', 'c1', 10)).toEqual([]);
    });

    test("pages a monitor's deliveries newest first with an opaque cursor", async () => {
      const { owner, monitor } = await setup();
      const other = await store().createMonitor(owner.id, monitorInput());
      // Two share a creation time: the id breaks the tie, so no page skips or repeats one.
      const deliveries = [0, 1, 2, 2, 3].map((i) => makeDelivery(monitor, { created_at: NOW + i * 1000 }));
      await store().enqueueDeliveries([...deliveries, makeDelivery(other, { created_at: NOW + 500 })]);
      await refresh();
      const expected = [...deliveries].sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1));
      const pages: Delivery[][] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = (await store().listDeliveriesPage(owner.id, monitor.id, { limit: 2, ...(cursor ? { cursor } : {}) }))!;
        pages.push(page.items);
        if (page.next_cursor === null) break;
        cursor = page.next_cursor;
      }
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual(expected);
      expect((await store().listDeliveriesPage(owner.id, monitor.id, { limit: 5 }))!.next_cursor).toBeNull();
      await expect(store().listDeliveriesPage(owner.id, monitor.id, { limit: 2, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
      const stranger = await newUser(store());
      expect(await store().listDeliveriesPage(stranger.id, monitor.id, { limit: 2 })).toBeNull();
    });
  });
}
