import { beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../problem.ts';
import { JWT_SECRET, startTestApi, useSignedInApi } from '../testing.ts';
import { webhookSigningSecret } from '../../alerting/channels/webhook.ts';

type ContactJson = { id: string; monitor_id: string; type: string; address: string; created_at: string };

describe('contacts', () => {
  // SMS is not configured on this server.
  const api = useSignedInApi({ scope: 'describe', channels: ['email', 'webhook', 'slack', 'discord', 'teams', 'pagerduty', 'ntfy'] });
  let monitorId: string;
  beforeAll(async () => {
    const monitor = await api.call<{ id: string }>('POST', '/api/monitors', { token: api.token, json: { name: 'Site', url: 'https://example.com/' } });
    monitorId = monitor.body.id;
  });

  const add = <T = ContactJson>(json: unknown, id = monitorId) => api.call<T>('POST', `/api/monitors/${id}/contacts`, { token: api.token, json });

  it('adds, lists and removes contacts', async () => {
    const email = await add({ type: 'email', address: 'ops@example.com' });
    expect(email.status).toBe(201);
    expect(email.body).toEqual({ id: expect.any(String), monitor_id: monitorId, type: 'email', address: 'ops@example.com', created_at: expect.any(String) });
    const hook = await add<ContactJson & { signing_secret?: string }>({ type: 'webhook', address: 'https://hooks.example.com/uptime' });
    expect(hook.status).toBe(201);
    // The owner sees the key that signs this webhook's requests: the one the dispatcher uses.
    expect(hook.body.signing_secret).toBe(webhookSigningSecret(JWT_SECRET, hook.body.id));
    expect(email.body).not.toHaveProperty('signing_secret');

    const list = await api.call<{ items: ContactJson[] }>('GET', `/api/monitors/${monitorId}/contacts`, { token: api.token });
    expect(list.body.items.map((c) => c.address).sort()).toEqual(['https://hooks.example.com/uptime', 'ops@example.com']);

    expect((await api.call('DELETE', `/api/monitors/${monitorId}/contacts/${email.body.id}`, { token: api.token })).status).toBe(204);
    expect((await api.call('DELETE', `/api/monitors/${monitorId}/contacts/${email.body.id}`, { token: api.token })).status).toBe(404);
    const after = await api.call<{ items: ContactJson[] }>('GET', `/api/monitors/${monitorId}/contacts`, { token: api.token });
    expect(after.body.items.map((c) => c.type)).toEqual(['webhook']);
  });

  it('refuses a channel the server has not configured, saying what to set', async () => {
    const res = await add<Problem>({ type: 'sms', address: '+14155550123' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'type', message: 'channel sms is not configured on this server (set TWILIO_*)' }]);
  });

  it.each([
    [{ type: 'email', address: 'not-an-email' }, 'address', /email address/],
    [{ type: 'webhook', address: 'ftp://example.com/' }, 'address', /http or https/],
    [{ type: 'webhook', address: 'http://10.0.0.5/hook' }, 'address', /private address.*ALLOW_PRIVATE_TARGETS/],
    [{ type: 'webhook', address: 'http://[::127.0.0.1]/hook' }, 'address', /IPv4-compatible address ::7f00:1 .*loopback.*ALLOW_PRIVATE_TARGETS/],
    [{ type: 'webhook', address: 'http://[64:ff9b::a00:1]/hook' }, 'address', /NAT64 .*private address 10\.0\.0\.1/],
    [{ type: 'webhook', address: 'https://hooks.example.com/up\ntime' }, 'address', /must not contain control characters \(U\+000A\)/],
    [{ type: 'webhook', address: 'https://hooks.exa\r\nmple.com/' }, 'address', /control characters \(U\+000D\)/],
    [{ type: 'webhook', address: 'https://hooks.example.com/\u0000' }, 'address', /control characters \(U\+0000\)/],
    [{ type: 'webhook', address: 'https://hooks.example.com/\u202e' }, 'address', /bidirectional formatting characters \(U\+202E\)/],
    [{ type: 'email', address: 'ops@example.com\r\nBcc: all@example.com' }, 'address', /control characters \(U\+000D\)/],
    [{ type: 'email', address: 'ops\u0000@example.com' }, 'address', /control characters \(U\+0000\)/],
    [{ type: 'pager', address: 'x' }, 'type', /one of email, sms, webhook, slack, discord, teams, pagerduty, ntfy/],
    [{ type: 'slack', address: 'hooks.slack.com/services/x' }, 'address', /absolute http\(s\) URL for type slack/],
    [{ type: 'slack', address: 'http://10.0.0.5/services/x' }, 'address', /private address.*ALLOW_PRIVATE_TARGETS/],
    [{ type: 'discord', address: 'ftp://discord.com/api/webhooks/1/t' }, 'address', /http or https for type discord/],
    [{ type: 'teams', address: 'http://localhost/workflows/x' }, 'address', /loopback name.*ALLOW_PRIVATE_TARGETS/],
    [{ type: 'pagerduty', address: 'abc' }, 'address', /PagerDuty Events API v2 routing key \(32 letters and digits\)/],
    [{ type: 'pagerduty', address: 'R0123456789ABCDEF0123456789ABCD!' }, 'address', /routing key/],
    [{ type: 'ntfy', address: 'https://ntfy.sh/' }, 'address', /ntfy topic URL for type ntfy/],
    [{ type: 'ntfy', address: 'https://ntfy.sh/has.dot' }, 'address', /ntfy topic URL/],
    [{ type: 'ntfy', address: 'http://192.168.1.10/alerts' }, 'address', /private address.*ALLOW_PRIVATE_TARGETS/],
    [{ type: 'email', address: 'a@example.com', label: 'x' }, 'label', /unknown field/],
  ])('refuses %j naming the field', async (json, path, message) => {
    const res = await add<Problem>(json);
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('adds the chat and paging contacts, each address as given', async () => {
    const withAll = await startTestApi();
    try {
      const t = (await withAll.user('cy@example.com')).token;
      const m = await withAll.call<{ id: string }>('POST', '/api/monitors', { token: t, json: { name: 'C', url: 'https://example.com/' } });
      const contacts = [
        { type: 'slack', address: 'https://hooks.slack.com/services/T0000/B0000/XXXX' },
        { type: 'discord', address: 'https://discord.com/api/webhooks/123/abc' },
        { type: 'teams', address: 'https://prod-00.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=xyz' },
        { type: 'pagerduty', address: 'R0123456789ABCDEF0123456789ABCDE' },
        { type: 'ntfy', address: 'https://ntfy.sh/acme-alerts' },
        { type: 'ntfy', address: 'https://:tk_abc@ntfy.example.com/ops' },
      ];
      for (const json of contacts) {
        const res = await withAll.call<ContactJson>('POST', `/api/monitors/${m.body.id}/contacts`, { token: t, json });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        expect(res.body).toMatchObject(json);
        expect(res.body).not.toHaveProperty('signing_secret');
      }
      const list = await withAll.call<{ items: ContactJson[] }>('GET', `/api/monitors/${m.body.id}/contacts`, { token: t });
      expect(list.body.items.map((c) => ({ type: c.type, address: c.address }))).toEqual(contacts);
    } finally {
      await withAll.close();
    }
  });

  it('documents an example contact of each chat and paging type, each one the API accepts', async () => {
    const doc = await api.call<{ components: { schemas: Record<string, { examples?: { type: string; address: string }[] }> } }>('GET', '/openapi.json');
    const examples = doc.body.components.schemas.ContactCreate?.examples ?? [];
    expect(examples.map((e) => e.type)).toEqual(['email', 'slack', 'discord', 'teams', 'pagerduty', 'ntfy']);
    const monitor = await api.call<{ id: string }>('POST', '/api/monitors', { token: api.token, json: { name: 'Examples', url: 'https://examples.example.com/' } });
    for (const example of examples) expect((await add(example, monitor.body.id)).status).toBe(201);
  });

  it('checks SMS numbers are E.164 when SMS is configured', async () => {
    const withSms = await startTestApi({ channels: ['sms'] });
    try {
      const t = (await withSms.user('bob@example.com')).token;
      const m = await withSms.call<{ id: string }>('POST', '/api/monitors', { token: t, json: { name: 'S', url: 'https://example.com/' } });
      const bad = await withSms.call('POST', `/api/monitors/${m.body.id}/contacts`, { token: t, json: { type: 'sms', address: '0612345678' } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toEqual({ path: 'address', message: expect.stringMatching(/E\.164/) });
      const good = await withSms.call('POST', `/api/monitors/${m.body.id}/contacts`, { token: t, json: { type: 'sms', address: '+33612345678' } });
      expect(good.status).toBe(201);
    } finally {
      await withSms.close();
    }
  });

  it('keeps at most 50 contacts on a monitor, saying so', async () => {
    const monitor = await api.call<{ id: string }>('POST', '/api/monitors', { token: api.token, json: { name: 'Crowded', url: 'https://crowded.example.com/' } });
    for (let i = 0; i < 50; i++) expect((await add({ type: 'email', address: `p${i}@example.com` }, monitor.body.id)).status).toBe(201);
    const refused = await add<Problem>({ type: 'email', address: 'one-more@example.com' }, monitor.body.id);
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.message).toMatch(/at most 50 contacts/);
    const list = await api.call<{ items: ContactJson[] }>('GET', `/api/monitors/${monitor.body.id}/contacts`, { token: api.token });
    expect(list.body.items).toHaveLength(50);
    const first = list.body.items[0]!;
    expect((await api.call('DELETE', `/api/monitors/${monitor.body.id}/contacts/${first.id}`, { token: api.token })).status).toBe(204);
    expect((await add({ type: 'email', address: 'one-more@example.com' }, monitor.body.id)).status).toBe(201);
  });

  it('answers 404 for a monitor that does not exist', async () => {
    expect((await add({ type: 'email', address: 'ops@example.com' }, 'missing')).status).toBe(404);
    expect((await api.call('GET', '/api/monitors/missing/contacts', { token: api.token })).status).toBe(404);
  });
});
