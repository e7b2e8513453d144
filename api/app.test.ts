// Behaviour shared by every route: problem+json errors, body cap, unknown routes, tenancy,
// request metrics.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from './app.ts';
import { checkOf, startTestApi, type TestApi } from './testing.ts';

describe('errors', () => {
  let api: TestApi;
  let token: string;
  beforeEach(async () => {
    api = await startTestApi();
    token = (await api.user('ada@example.com')).token;
  });
  afterEach(async () => {
    await api.close();
  });

  it('answers malformed JSON with a 400 problem that says so', async () => {
    const res = await api.call('POST', '/api/monitors', { token, body: '{"name": "x",', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 400, detail: expect.stringMatching(/Malformed JSON/) });
  });

  it('answers a body over the cap with 413 before parsing it', async () => {
    const huge = JSON.stringify({ name: 'x', url: 'https://example.com/', keyword: 'k'.repeat(MAX_BODY_BYTES) });
    const res = await api.call('POST', '/api/monitors', { token, body: huge, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ status: 413, detail: `request body exceeds ${MAX_BODY_BYTES} bytes` });
  });

  it('answers a body that is not JSON with 415', async () => {
    const res = await api.call('POST', '/api/monitors', { token, body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await api.call('GET', '/nowhere', {});
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ type: 'about:blank', title: 'Not found', status: 404, detail: 'no route for GET /nowhere', errors: [] });
  });

  it('answers an unexpected failure with a 500 problem and no stack trace', async () => {
    await api.store.close(); // every store call now throws
    const res = await api.call('GET', '/api/monitors', { token });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.detail).toBe('an unexpected error occurred; it has been logged');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts|sqlite|Error:/i);
  });

  it('counts requests per route pattern, not per raw path', async () => {
    await api.call('GET', '/api/monitors/abc', { token });
    await api.call('GET', '/api/monitors/def', { token });
    const text = await api.metrics.prometheusText();
    expect(text).toMatch(/uptime_http_requests_total\{method="GET",route="\/api\/monitors\/:id",status="404"\} 2/);
    expect(text).not.toMatch(/abc|def/);
  });
});

describe('tenancy', () => {
  it("answers 404 to another user on every route of the first user's monitor", async () => {
    const api = await startTestApi();
    try {
      const ada = await api.user('ada@example.com');
      const bob = await api.user('bob@example.com');
      const created = await api.call<{ id: string }>('POST', '/api/monitors', { token: ada.token, json: { name: 'Ada', url: 'https://example.com/' } });
      const id = created.body.id;
      const contact = await api.call<{ id: string }>('POST', `/api/monitors/${id}/contacts`, {
        token: ada.token,
        json: { type: 'email', address: 'ada@example.com' },
      });
      const monitor = (await api.store.getMonitor(ada.id, id))!;
      await api.store.appendChecks([checkOf(monitor, Date.now() - 60_000)]);

      const attempts: Array<[string, string, unknown?]> = [
        ['GET', `/api/monitors/${id}`],
        ['PATCH', `/api/monitors/${id}`, { name: 'mine now' }],
        ['DELETE', `/api/monitors/${id}`],
        ['GET', `/api/monitors/${id}/contacts`],
        ['POST', `/api/monitors/${id}/contacts`, { type: 'email', address: 'bob@example.com' }],
        ['DELETE', `/api/monitors/${id}/contacts/${contact.body.id}`],
        ['GET', `/api/monitors/${id}/checks`],
        ['GET', `/api/monitors/${id}/history`],
        ['GET', `/api/monitors/${id}/incidents`],
        ['GET', `/api/monitors/${id}/notifications`],
      ];
      for (const [method, path, json] of attempts) {
        const res = await api.call(method, path, { token: bob.token, ...(json ? { json } : {}) });
        expect(res.status, `${method} ${path}`).toBe(404);
      }
      const bobs = await api.call<{ items: unknown[] }>('GET', '/api/monitors', { token: bob.token });
      expect(bobs.body.items).toEqual([]);
      const bobSummary = await api.call<{ items: unknown[] }>('GET', '/api/summary', { token: bob.token });
      expect(bobSummary.body, JSON.stringify(bobSummary.body)).toEqual({ items: [] });

      // Ada's things are untouched.
      expect((await api.call<{ name: string }>('GET', `/api/monitors/${id}`, { token: ada.token })).body.name).toBe('Ada');
      const contacts = await api.call<{ items: unknown[] }>('GET', `/api/monitors/${id}/contacts`, { token: ada.token });
      expect(contacts.body.items).toHaveLength(1);
      const checks = await api.call<{ items: unknown[] }>('GET', `/api/monitors/${id}/checks`, { token: ada.token });
      expect(checks.body.items).toHaveLength(1);
    } finally {
      await api.close();
    }
  });
});
