import { beforeAll, describe, expect, it } from 'vitest';
import type { Monitor } from '../../store/types.ts';
import { checkOf, useSignedInApi } from '../testing.ts';
import type { CheckJson } from './check-json.ts';

type Page = { items: CheckJson[]; next_cursor: string | null };

const MINUTE = 60_000;

describe('checks', () => {
  const api = useSignedInApi({ scope: 'describe' });
  let monitor: Monitor;
  const start = Date.UTC(2025, 2, 1, 12, 0);

  beforeAll(async () => {
    const created = await api.call<{ id: string }>('POST', '/api/monitors', {
      token: api.token,
      json: { name: 'Site', url: 'https://example.com:8443/health' },
    });
    monitor = (await api.store.getMonitor(api.userId, created.body.id))!;
    // 25 checks a minute apart; every fifth one is down.
    const checks = Array.from({ length: 25 }, (_, i) =>
      checkOf(monitor, start + i * MINUTE, i % 5 === 4 ? { status: 'down', error_type: 'status', error_message: 'status 503' } : {}),
    );
    await api.store.appendChecks(checks);
  });

  const page = (query: string) => api.call<Page>('GET', `/api/monitors/${monitor.id}/checks${query}`, { token: api.token });

  it('pages through every check newest first with the cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Awaited<ReturnType<typeof page>> = await page(`?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((c) => c['@timestamp']));
      cursor = res.body.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(seen[0]).toBe(new Date(start + 24 * MINUTE).toISOString());
    expect(seen.at(-1)).toBe(new Date(start).toISOString());
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('shows each check as flattened ECS fields with ISO times', async () => {
    const res = await page('?limit=1&status=down');
    const check = res.body.items[0]!;
    expect(check).toMatchObject({
      '@timestamp': new Date(start + 24 * MINUTE).toISOString(),
      'monitor.id': monitor.id,
      'monitor.status': 'down',
      'monitor.type': 'http',
      'url.full': 'https://example.com:8443/health',
      'url.domain': 'example.com',
      'url.port': 8443,
      'http.response.status_code': 503,
      'error.type': 'status',
      'error.message': 'status 503',
      'tls.version': '1.3',
      'tls.server.x509.not_after': '2027-01-01T00:00:00.000Z',
      'tls.server.hash.sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'summary.down': 1,
    });
    expect(check).not.toHaveProperty('owner.id');
    const up = (await page('?limit=1&status=up')).body.items[0]!;
    expect(up['error.type']).toBeNull();
    expect(up['error.message']).toBeNull();
  });

  it('filters by status and time range', async () => {
    const down = await page('?status=down&limit=100');
    expect(down.body.items).toHaveLength(5);
    expect(down.body.items.every((c) => c['monitor.status'] === 'down')).toBe(true);
    const from = new Date(start + 10 * MINUTE).toISOString();
    const to = new Date(start + 15 * MINUTE).toISOString();
    const ranged = await page(`?from=${from}&to=${to}`);
    expect(ranged.body.items.map((c) => c['@timestamp'])).toEqual(
      [14, 13, 12, 11, 10].map((i) => new Date(start + i * MINUTE).toISOString()),
    );
  });

  it.each([
    ['?limit=0', 'limit', /at least 1/],
    ['?limit=1001', 'limit', /at most 1000/],
    ['?limit=ten', 'limit', /number/],
    ['?status=sideways', 'status', /up or down/],
    ['?from=yesterday', 'from', /ISO 8601/],
    ['?from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z', 'from', /earlier than to/],
    ['?cursor=bm90LWEtY3Vyc29y', 'cursor', /previous page/],
  ])('refuses %s naming the parameter', async (query, path, message) => {
    const res = await page(query);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ errors: [{ path, message: expect.stringMatching(message) }] });
  });
});
