// GET /api/export: the caller's monitors, contacts and windows as YAML, nobody else's.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestApi, type TestApi } from '../testing.ts';

let api: TestApi;
beforeEach(async () => {
  api = await startTestApi();
});
afterEach(async () => {
  await api.close();
});

describe('GET /api/export', () => {
  it("gives the caller's monitors, contacts and windows as YAML, and nothing of another user's", async () => {
    const alice = await api.user('alice@example.com');
    const bob = await api.user('bob@example.com');
    const shop = await api.call<{ id: string }>('POST', '/api/monitors', {
      token: alice.token,
      json: { name: 'Shop', url: 'https://shop.example.com/health', interval_seconds: 30, tags: ['prod'] },
    });
    await api.call('POST', `/api/monitors/${shop.body.id}/contacts`, { token: alice.token, json: { type: 'email', address: 'ops@example.com' } });
    await api.call('POST', '/api/maintenance', {
      token: alice.token,
      json: { name: 'Upgrade', monitor_ids: [shop.body.id], start: '2026-06-01T22:00:00Z', end: '2026-06-02T00:00:00Z' },
    });
    await api.call('POST', '/api/monitors', { token: bob.token, json: { name: 'Secret', url: 'https://bob.example.com/' } });

    const reply = await api.call<string>('GET', '/api/export', { token: alice.token });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
    expect(parse(reply.body)).toEqual({
      owner: 'alice@example.com',
      monitors: [
        {
          name: 'Shop',
          url: 'https://shop.example.com/health',
          interval_seconds: 30,
          tags: ['prod'],
          contacts: [{ type: 'email', address: 'ops@example.com' }],
        },
      ],
      maintenance: [{ name: 'Upgrade', monitors: ['Shop'], start: '2026-06-01T22:00:00.000Z', end: '2026-06-02T00:00:00.000Z' }],
    });
    expect(reply.body).not.toContain('Secret');
  });

  it('needs a token, and is in the OpenAPI document as application/yaml', async () => {
    expect((await api.call('GET', '/api/export')).status).toBe(401);
    const doc = await api.call<{ paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, unknown> }> } }> }>('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths['/api/export']?.get?.responses['200']?.content ?? {})).toEqual(['application/yaml']);
  });
});
