// tls_expiry_days through the API: the default, a caller's own thresholds, [] to turn the
// certificate messages off, and a clear 400 naming the field for anything else.

import { describe, expect, it } from 'vitest';
import type { Problem } from '../problem.ts';
import { useSignedInApi } from '../testing.ts';

type Json = { id: string; tls_expiry_days: number[] };

describe('tls_expiry_days', () => {
  const api = useSignedInApi();

  it('defaults to [14, 7, 1], takes the caller’s own, and [] turns it off', async () => {
    const plain = await api.call<Json>('POST', '/api/monitors', { token: api.token, json: { name: 'Shop', url: 'https://shop.example.com/' } });
    expect(plain.body.tls_expiry_days).toEqual([14, 7, 1]);
    const tcp = await api.call<Json>('POST', '/api/monitors', { token: api.token, json: { type: 'tcp', name: 'DB', url: 'tls://db.example.com:5432', tls_expiry_days: [30, 2] } });
    expect(tcp.status).toBe(201);
    expect(tcp.body.tls_expiry_days).toEqual([30, 2]);
    const off = await api.call<Json>('PATCH', `/api/monitors/${plain.body.id}`, { token: api.token, json: { tls_expiry_days: [] } });
    expect(off.status).toBe(200);
    expect((await api.call<Json>('GET', `/api/monitors/${plain.body.id}`, { token: api.token })).body.tls_expiry_days).toEqual([]);
  });

  it.each([
    { given: [0], path: 'tls_expiry_days.0', message: 'must be at least 1 day' },
    { given: [366], path: 'tls_expiry_days.0', message: 'must be at most 365 days' },
    { given: [7.5], path: 'tls_expiry_days.0', message: 'must be a whole number' },
    { given: [14, 7, 14], path: 'tls_expiry_days', message: 'must not list a threshold twice' },
    { given: [60, 30, 14, 7, 3, 1], path: 'tls_expiry_days', message: 'must list at most 5 thresholds' },
    { given: '14', path: 'tls_expiry_days', message: '' },
  ])('refuses $given with a 400 naming $path', async ({ given, path, message }) => {
    const refused = await api.call<Problem>('POST', '/api/monitors', { token: api.token, json: { name: 'Shop', url: 'https://shop.example.com/', tls_expiry_days: given } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]).toMatchObject({ path, message: expect.stringContaining(message) });
  });
});
