// The HTTP additions against real servers on 127.0.0.1: every method with a body and its content
// type, a redirect that turns POST into GET, keyword_absent, JSON assertions on nested values,
// arrays and missing paths, a body that is not JSON, and max_response_ms.

import type { IncomingMessage } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import type { Monitor } from '../../store/types.ts';
import { probe, type ProbeOptions } from '../probe.ts';
import { testMonitor } from '../testing/monitor.ts';
import { httpTarget, type Handler, type Target } from '../testing/servers.ts';

const targets: Target[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.close()));
});

async function serve(handler: Handler): Promise<Target> {
  const target = await httpTarget(handler);
  targets.push(target);
  return target;
}

/** Every request's method, content type and body, as the server saw them. */
type Seen = { method: string; path: string; contentType: string | undefined; body: string };

async function recordingServer(reply: Handler = (_req, res) => res.end('ok')): Promise<{ target: Target; seen: Seen[] }> {
  const seen: Seen[] = [];
  const target = await serve((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString() });
      reply(req, res);
    });
  });
  return { target, seen };
}

const base: ProbeOptions = { allowPrivate: true, observer: 'test-observer' };
const json = (value: unknown): Handler => (_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(value));
};
const check = (target: Target, overrides: Partial<Monitor>) => probe(testMonitor({ url: `${target.url}/`, ...overrides }), base);

describe('http probe: methods and body', () => {
  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const)('sends %s with the body and its content type', async (method) => {
    const { target, seen } = await recordingServer();
    const result = await check(target, { method, body: '{"probe":true}', headers: { 'Content-Type': 'application/json' } });
    expect(result).toMatchObject({ status: 'up', method, status_code: 200 });
    expect(seen).toEqual([{ method, path: '/', contentType: 'application/json', body: '{"probe":true}' }]);
  });

  it('drops the body when a 303 turns the request into a GET, and keeps it through a 307', async () => {
    const { target, seen } = await recordingServer((req, res) => {
      if (req.url === '/see-other') res.writeHead(303, { location: '/done' }).end();
      else if (req.url === '/temporary') res.writeHead(307, { location: '/done' }).end();
      else res.end('ok');
    });
    await probe(testMonitor({ url: `${target.url}/see-other`, method: 'POST', body: 'a=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), base);
    expect(seen.slice(-2)).toEqual([
      { method: 'POST', path: '/see-other', contentType: 'application/x-www-form-urlencoded', body: 'a=1' },
      { method: 'GET', path: '/done', contentType: undefined, body: '' },
    ]);
    await probe(testMonitor({ url: `${target.url}/temporary`, method: 'PUT', body: 'b=2' }), base);
    expect(seen.slice(-2).map((s) => [s.method, s.path, s.body])).toEqual([
      ['PUT', '/temporary', 'b=2'],
      ['PUT', '/done', 'b=2'],
    ]);
  });
});

describe('http probe: keyword_absent', () => {
  it('is down with error.type keyword when the text is found, up when it is not', async () => {
    const target = await serve((_req, res) => res.end('<p>Service under maintenance</p>'));
    const found = await check(target, { keyword: 'maintenance', keyword_absent: true });
    expect(found).toMatchObject({ status: 'down', error_type: 'keyword' });
    expect(found.error_message).toBe('keyword "maintenance" found in the body, and must be absent (keyword_absent)');
    expect(await check(target, { keyword: 'Fatal error', keyword_absent: true })).toMatchObject({ status: 'up', error_type: null });
  });
});

describe('http probe: json_assertions', () => {
  const health = { status: 'ok', version: '3.1.0', checks: [{ name: 'db', ok: true, latency_ms: 12 }, { name: 'cache', ok: false, latency_ms: 3 }], meta: { region: 'eu' } };

  it('is up when every assertion holds on nested values and arrays', async () => {
    const target = await serve(json(health));
    const result = await check(target, {
      json_assertions: [
        { path: '$.status', op: '==', value: 'ok' },
        { path: '$.checks[0].ok', op: '==', value: true },
        { path: '$.checks[0].latency_ms', op: '<', value: 100 },
        { path: '$.checks[1].name', op: '!=', value: 'db' },
        { path: '$.meta.region', op: 'exists', value: null },
        { path: '$.version', op: 'contains', value: '3.' },
      ],
    });
    expect(result).toMatchObject({ status: 'up', error_type: null });
  });

  it('is down with error.type assertion naming path, expected and actual', async () => {
    const target = await serve(json(health));
    const result = await check(target, {
      json_assertions: [
        { path: '$.status', op: '==', value: 'ok' },
        { path: '$.checks[1].ok', op: '==', value: true },
        { path: '$.checks[1].latency_ms', op: '>', value: 10 },
      ],
    });
    expect(result).toMatchObject({ status: 'down', error_type: 'assertion', status_code: 200 });
    expect(result.error_message).toBe('$.checks[1].ok: expected == true, got false (and 1 more assertion failed)');
  });

  it('is down on a missing path, naming where the document ends', async () => {
    const target = await serve(json(health));
    const result = await check(target, { json_assertions: [{ path: '$.checks[2].ok', op: '==', value: true }] });
    expect(result).toMatchObject({ status: 'down', error_type: 'assertion' });
    expect(result.error_message).toBe('$.checks[2].ok: expected == true, but it is missing (nothing at $.checks[2])');
  });

  it('is down when the body is not JSON, showing how it starts', async () => {
    const target = await serve((_req, res) => res.end('<html>Bad gateway</html>'));
    const result = await check(target, { json_assertions: [{ path: '$.status', op: '==', value: 'ok' }] });
    expect(result).toMatchObject({ status: 'down', error_type: 'assertion' });
    expect(result.error_message).toMatch(/^the body is not JSON \(.*\); it starts with "<html>Bad gateway<\/html>"$/);
  });

  it('is down when the body is larger than the cap: an assertion needs all of it', async () => {
    const target = await serve(json({ pad: 'x'.repeat(5000), status: 'ok' }));
    const result = await probe(testMonitor({ url: `${target.url}/`, json_assertions: [{ path: '$.status', op: '==', value: 'ok' }] }), {
      ...base,
      bodyCapBytes: 1000,
    });
    expect(result).toMatchObject({ status: 'down', error_type: 'assertion', body_bytes: 1000 });
    expect(result.error_message).toBe('the body is larger than 1000 bytes: JSON assertions need all of it');
  });

  it('reports a wrong status before the assertions', async () => {
    const target = await serve((_req, res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"down"}'));
    const result = await check(target, { json_assertions: [{ path: '$.status', op: '==', value: 'ok' }] });
    expect(result).toMatchObject({ status: 'down', error_type: 'status', status_code: 503 });
  });
});

describe('http probe: max_response_ms', () => {
  it('is down with error.type slow when the response takes longer, up when it does not', async () => {
    const target = await serve((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('late'), 300);
      else res.end('quick');
    });
    const slow = await probe(testMonitor({ url: `${target.url}/slow`, max_response_ms: 100 }), base);
    expect(slow).toMatchObject({ status: 'down', error_type: 'slow', status_code: 200 });
    expect(slow.error_message).toMatch(/^the response took \d+ ms, more than max_response_ms 100 ms$/);
    expect(slow.total_us).toBeGreaterThan(100_000);
    expect(await probe(testMonitor({ url: `${target.url}/quick`, max_response_ms: 2000 }), base)).toMatchObject({ status: 'up' });
  });
});
