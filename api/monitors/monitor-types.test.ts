// Monitor types through the API: one union on `type`, old clients get http, each type's fields and
// rules, a type that cannot change on PATCH, the ?type= filter, and the OpenAPI examples per type.

import { z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { useSignedInApi } from '../testing.ts';
import type { Problem } from '../problem.ts';
import type { MonitorSchema } from './schemas.ts';

type MonitorJson = z.infer<typeof MonitorSchema>;
type Page = { items: MonitorJson[]; next_cursor: string | null };

describe('monitor types', () => {
  const api = useSignedInApi();

  const post = <T = MonitorJson>(json: unknown) => api.call<T>('POST', '/api/monitors', { token: api.token, json });
  const patch = <T = MonitorJson>(id: string, json: unknown) => api.call<T>('PATCH', `/api/monitors/${id}`, { token: api.token, json });

  it('creates tcp, tls and dns monitors; a monitor without type is http, shown with the HTTP additions', async () => {
    const web = await post({ name: 'Web', url: 'https://example.com/' });
    expect(web.status).toBe(201);
    expect(web.body).toMatchObject({ type: 'http', body: null, keyword_absent: false, json_assertions: [], max_response_ms: null });

    const db = await post({ type: 'tcp', name: 'DB', url: 'TCP://DB.Example.com:5432/' });
    expect(db.status).toBe(201);
    expect(db.body).toMatchObject({ type: 'tcp', url: 'tcp://db.example.com:5432', name: 'DB' });
    expect(db.body).not.toHaveProperty('method');
    expect(db.body).not.toHaveProperty('headers');

    const tls = await post({ type: 'tcp', name: 'IMAP', url: 'tls://mail.example.com:993' });
    expect(tls.body).toMatchObject({ type: 'tcp', url: 'tls://mail.example.com:993' });

    const mx = await post({ type: 'dns', name: 'MX', dns: { name: 'Example.COM.', record_type: 'MX', resolver: '1.1.1.1', expect: '10 mx.example.com' } });
    expect(mx.status).toBe(201);
    expect(mx.body).toMatchObject({
      type: 'dns',
      url: 'dns://1.1.1.1/example.com?type=MX',
      dns: { name: 'example.com', record_type: 'MX', resolver: '1.1.1.1', expect: '10 mx.example.com' },
    });
    const a = await post({ type: 'dns', name: 'A', dns: { name: 'example.com', record_type: 'A' } });
    expect(a.body).toMatchObject({ url: 'dns:example.com?type=A', dns: { resolver: null, expect: null } });

    const read = await api.call<MonitorJson>('GET', `/api/monitors/${mx.body.id}`, { token: api.token });
    expect(read.body).toEqual(mx.body);
  });

  it('creates http monitors with the HTTP additions', async () => {
    const created = await post({
      name: 'Orders',
      url: 'https://api.example.com/orders',
      method: 'PUT',
      body: '{"probe":true}',
      headers: { 'Content-Type': 'application/json' },
      keyword: 'degraded',
      keyword_absent: true,
      json_assertions: [{ path: '$.checks[0].ok', op: '==', value: true }, { path: '$.status', op: 'exists' }],
      max_response_ms: 800,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      method: 'PUT',
      body: '{"probe":true}',
      keyword_absent: true,
      json_assertions: [{ path: '$.checks[0].ok', op: '==', value: true }, { path: '$.status', op: 'exists', value: null }],
      max_response_ms: 800,
    });
  });

  it.each([
    ['an unknown type', { type: 'ftp', name: 'x', url: 'ftp://example.com/' }, 'type', /must be one of http, tcp, dns/],
    ['a tcp URL without the tcp type', { name: 'x', url: 'tcp://db.example.com:5432' }, 'url', /not tcp \(for a port, create a monitor with "type": "tcp"\)/],
    ['an unknown type', { type: 'smtp', name: 'x' }, 'type', /must be one of http, tcp, dns, push/],
    ['a tcp monitor without a port', { type: 'tcp', name: 'x', url: 'tcp://db.example.com' }, 'url', /port/],
    ['a tcp monitor with an http URL', { type: 'tcp', name: 'x', url: 'https://example.com/' }, 'url', /must use tcp .* or tls/],
    ['a tcp monitor with a path', { type: 'tcp', name: 'x', url: 'tcp://db.example.com:5432/x' }, 'url', /only scheme:\/\/host:port/],
    ['an http field on a tcp monitor', { type: 'tcp', name: 'x', url: 'tcp://db.example.com:1', method: 'GET' }, 'method', /unknown field/],
    ['a dns monitor without its question', { type: 'dns', name: 'x' }, 'dns', /is required/],
    ['a dns record type not supported', { type: 'dns', name: 'x', dns: { name: 'example.com', record_type: 'SRV' } }, 'dns.record_type', /A, AAAA, CNAME, MX, TXT, NS/],
    ['a dns resolver that is a name', { type: 'dns', name: 'x', dns: { name: 'example.com', record_type: 'A', resolver: 'dns.google' } }, 'dns.resolver', /IP address/],
    ['a dns resolver on loopback', { type: 'dns', name: 'x', dns: { name: 'example.com', record_type: 'A', resolver: '127.0.0.1:5353' } }, 'dns.resolver', /loopback.*ALLOW_PRIVATE_TARGETS/],
    ['a dns name with spaces', { type: 'dns', name: 'x', dns: { name: 'exa mple.com', record_type: 'A' } }, 'dns.name', /host name/],
    ['a body on GET', { name: 'x', url: 'https://example.com/', body: 'x' }, 'body', /GET request carries no body/],
    ['a body over 64 KiB', { name: 'x', url: 'https://example.com/', method: 'POST', body: 'é'.repeat(33_000) }, 'body', /64 KiB/],
    ['keyword_absent without keyword', { name: 'x', url: 'https://example.com/', keyword_absent: true }, 'keyword_absent', /needs a keyword/],
    ['max_response_ms beyond the timeout', { name: 'x', url: 'https://example.com/', timeout_ms: 1000, max_response_ms: 1000 }, 'max_response_ms', /less than timeout_ms/],
    ['a JSON path with a filter', { name: 'x', url: 'https://example.com/', json_assertions: [{ path: '$.items[?(@.a)]', op: 'exists' }] }, 'json_assertions.0.path', /unsupported syntax/],
    ['a JSON path without $', { name: 'x', url: 'https://example.com/', json_assertions: [{ path: 'status', op: '==', value: 'ok' }] }, 'json_assertions.0.path', /must start with \$/],
    ['a number op with a string', { name: 'x', url: 'https://example.com/', json_assertions: [{ path: '$.n', op: '<', value: '5' }] }, 'json_assertions.0.value', /must be a number for </],
    ['an unknown op', { name: 'x', url: 'https://example.com/', json_assertions: [{ path: '$.n', op: '=~', value: 'a' }] }, 'json_assertions.0.op', /== != < <= > >= contains exists/],
  ])('refuses %s with a 400 naming the field', async (_what, json, path, message) => {
    const res = await post<Problem>(json);
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('refuses a loopback tcp target', async () => {
    const res = await post<Problem>({ type: 'tcp', name: 'x', url: 'tcp://127.0.0.1:6379' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toEqual({ path: 'url', message: expect.stringMatching(/loopback/) });
  });

  it('patches within a type: never the type, never a field of another type, the whole validated again', async () => {
    const db = await post({ type: 'tcp', name: 'DB', url: 'tcp://db.example.com:5432' });
    const id = db.body.id;
    const retyped = await patch<Problem>(id, { type: 'http', url: 'https://example.com/' });
    expect(retyped.status).toBe(400);
    expect(retyped.body.errors).toEqual([{ path: 'type', message: expect.stringMatching(/cannot change \(this is a tcp monitor\)/) }]);
    const foreign = await patch<Problem>(id, { keyword: 'x' });
    expect(foreign.body.errors).toEqual([{ path: 'keyword', message: 'is not a field of tcp monitors' }]);
    const badUrl = await patch<Problem>(id, { url: 'https://example.com/' });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.errors[0]?.path).toBe('url');
    const moved = await patch(id, { type: 'tcp', url: 'tls://db2.example.com:6432', name: 'DB 2' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ type: 'tcp', url: 'tls://db2.example.com:6432', name: 'DB 2' });

    const mx = await post({ type: 'dns', name: 'MX', dns: { name: 'example.com', record_type: 'MX' } });
    const asked = await patch(mx.body.id, { dns: { name: 'example.org', record_type: 'TXT', expect: 'v=spf1 -all' } });
    expect(asked.body).toMatchObject({ url: 'dns:example.org?type=TXT', dns: { name: 'example.org', record_type: 'TXT', resolver: null, expect: 'v=spf1 -all' } });

    const web = await post({ name: 'Web', url: 'https://example.com/', method: 'POST', body: 'ping' });
    const toGet = await patch<Problem>(web.body.id, { method: 'GET' });
    expect(toGet.body.errors).toEqual([{ path: 'body', message: expect.stringMatching(/GET request carries no body/) }]);
    const cleared = await patch(web.body.id, { method: 'GET', body: null });
    expect(cleared.body).toMatchObject({ method: 'GET', body: null });
  });

  it('lists monitors of one type with ?type=', async () => {
    const web = await post({ name: 'Web', url: 'https://example.com/' });
    const db = await post({ type: 'tcp', name: 'DB', url: 'tcp://db.example.com:5432' });
    const mx = await post({ type: 'dns', name: 'MX', dns: { name: 'example.com', record_type: 'MX' } });
    const ids = async (query: string) => (await api.call<Page>('GET', `/api/monitors?${query}`, { token: api.token })).body.items.map((m) => m.id);
    expect(await ids('type=tcp')).toEqual([db.body.id]);
    expect(await ids('type=dns')).toEqual([mx.body.id]);
    expect(await ids('type=http')).toEqual([web.body.id]);
    expect(await ids('type=dns&q=mx')).toEqual([mx.body.id]);
    const bad = await api.call<Problem>('GET', '/api/monitors?type=smtp', { token: api.token });
    expect(bad.body.errors).toEqual([{ path: 'type', message: 'must be one of http, tcp, dns, push' }]);
  });

  it('documents one example per type in the OpenAPI document', async () => {
    const doc = (await api.call<{ components: { schemas: Record<string, { example?: { type?: string } }> } }>('GET', '/openapi.json')).body;
    const schemas = doc.components.schemas;
    expect(schemas.HttpMonitorCreate?.example?.type).toBe('http');
    expect(schemas.TcpMonitorCreate?.example?.type).toBe('tcp');
    expect(schemas.DnsMonitorCreate?.example?.type).toBe('dns');
    expect(JSON.stringify(schemas.MonitorCreate)).toMatch(/HttpMonitorCreate.*TcpMonitorCreate.*DnsMonitorCreate/);
  });
});

describe('monitor types with private targets allowed', () => {
  const api = useSignedInApi({ config: { allowPrivateTargets: true } });
  const post = (json: unknown) => api.call('POST', '/api/monitors', { token: api.token, json });

  it('allows a loopback resolver and tcp target', async () => {
    expect((await post({ type: 'dns', name: 'x', dns: { name: 'example.com', record_type: 'A', resolver: '[::1]:5353' } })).status).toBe(201);
    expect((await post({ type: 'tcp', name: 'x', url: 'tcp://127.0.0.1:6379' })).status).toBe(201);
  });
});
