// GET /api/monitors/{id}/notifications: newest first in pages with an opaque cursor, bad paging
// parameters named, and the deliveries of a contact deleted before they went out shown as
// cancelled. Real app over a real SQLite store; deliveries enqueued through the store as the
// alerting would.

import { beforeEach, describe, expect, it } from 'vitest';
import { makeDelivery } from '../../store/conformance/harness.ts';
import type { Monitor } from '../../store/types.ts';
import { useSignedInApi } from '../testing.ts';

type NotificationJson = { id: string; status: string; created_at: string; last_error: string | null; next_attempt_at: string | null };
type Page = { items: NotificationJson[]; next_cursor: string | null };

describe('notifications', () => {
  const api = useSignedInApi();
  let monitor: Monitor;
  beforeEach(async () => {
    const created = await api.call<{ id: string }>('POST', '/api/monitors', { token: api.token, json: { name: 'Shop', url: 'https://example.com/' } });
    const found = await api.store.getMonitor(api.userId, created.body.id);
    if (!found) throw new Error('monitor not created');
    monitor = found;
  });

  const list = (query = '') => api.call<Page>('GET', `/api/monitors/${monitor.id}/notifications${query}`, { token: api.token });

  it('pages newest first with an opaque cursor until next_cursor is null', async () => {
    const base = Date.UTC(2026, 5, 1);
    const deliveries = Array.from({ length: 7 }, (_, i) => makeDelivery(monitor, { created_at: base + i * 60_000 }));
    await api.store.enqueueDeliveries(deliveries);
    const seen: string[] = [];
    let query = '?limit=3';
    for (let page = 0; page < 10; page++) {
      const res = await list(query);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((n) => n.id));
      if (res.body.next_cursor === null) break;
      query = `?limit=3&cursor=${encodeURIComponent(res.body.next_cursor)}`;
    }
    expect(seen).toEqual(deliveries.map((d) => d.id).reverse());
    const whole = await list();
    expect(whole.body.items).toHaveLength(7);
    expect(whole.body.next_cursor).toBeNull();
  });

  it('names the parameter at fault', async () => {
    const cursor = await list('?cursor=not-ours');
    expect(cursor.status).toBe(400);
    expect(cursor.body).toMatchObject({ errors: [{ path: 'cursor', message: 'is not a cursor from a previous page of this list' }] });
    const limit = await list('?limit=5000');
    expect(limit.status).toBe(400);
    expect(limit.body).toMatchObject({ errors: [{ path: 'limit', message: 'must be at most 1000' }] });
  });

  it("shows a deleted contact's unsent deliveries as cancelled, with the reason", async () => {
    const contact = await api.call<{ id: string }>('POST', `/api/monitors/${monitor.id}/contacts`, {
      token: api.token,
      json: { type: 'email', address: 'gone@example.com' },
    });
    const pending = makeDelivery(monitor, { contact_id: contact.body.id, address: 'gone@example.com', next_attempt_at: Date.now() + 60_000 });
    await api.store.enqueueDeliveries([pending]);
    expect((await list()).body.items.map((n) => n.status)).toEqual(['pending']);

    expect((await api.call('DELETE', `/api/monitors/${monitor.id}/contacts/${contact.body.id}`, { token: api.token })).status).toBe(204);
    const [shown] = (await list()).body.items;
    expect(shown).toMatchObject({ id: pending.id, status: 'cancelled', last_error: 'not sent: the contact was deleted', next_attempt_at: null });
  });
});
