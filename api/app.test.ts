// Behaviour shared by every route: problem+json errors, body cap (also over a real connection:
// the 413 arrives whole and the connection does what its header says), unknown routes, tenancy,
// request metrics.

import { connect, type Socket } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONITOR_MAX_BODY_BYTES as MAX_BODY_BYTES } from './app.ts';
import { serveApp, type RunningServer } from './serve.ts';
import { checkOf, startTestApi, useSignedInApi } from './testing.ts';

describe('errors', () => {
  const api = useSignedInApi();

  it('answers malformed JSON with a 400 problem that says so', async () => {
    const res = await api.call('POST', '/api/monitors', { token: api.token, body: '{"name": "x",', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 400, detail: expect.stringMatching(/Malformed JSON/) });
  });

  // A monitor's create or patch has the larger cap of the two (its probe body may be 64 KiB).
  it('answers a body over the cap with 413 before parsing it', async () => {
    const huge = JSON.stringify({ name: 'x', url: 'https://example.com/', keyword: 'k'.repeat(MAX_BODY_BYTES) });
    const res = await api.call('POST', '/api/monitors', { token: api.token, body: huge, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ status: 413, detail: `request body exceeds ${MAX_BODY_BYTES} bytes` });
  });

  it('answers a body that is not JSON with 415', async () => {
    const res = await api.call('POST', '/api/monitors', { token: api.token, body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
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
    const res = await api.call('GET', '/api/monitors', { token: api.token });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.detail).toBe('an unexpected error occurred; it has been logged');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts|sqlite|Error:/i);
  });

  it('counts requests per route pattern, not per raw path', async () => {
    await api.call('GET', '/api/monitors/abc', { token: api.token });
    await api.call('GET', '/api/monitors/def', { token: api.token });
    const text = await api.metrics.prometheusText();
    expect(text).toMatch(/uptime_http_requests_total\{method="GET",route="\/api\/monitors\/:id",status="404"\} 2/);
    expect(text).not.toMatch(/abc|def/);
  });
});

/** One HTTP/1.1 response parsed off a raw socket's bytes, or undefined while it is incomplete. */
function parseResponse(bytes: Buffer): { status: number; headers: Map<string, string>; body: string; size: number } | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  const length = Number(headers.get('content-length'));
  if (bytes.length < end + 4 + length) return undefined;
  const body = bytes.subarray(end + 4, end + 4 + length).toString('utf8');
  return { status: Number(statusLine.split(' ')[1]), headers, body, size: end + 4 + length };
}

describe('body cap over a real connection', () => {
  const api = useSignedInApi({ scope: 'describe' });
  let server: RunningServer;
  beforeAll(async () => {
    server = await serveApp(api.app, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers a whole 413 to a client still sending, then closes as it says or stays usable', async () => {
    // Larger than any amount the HTTP server would read and throw away to save the connection.
    const size = 80 * 1024 * 1024;
    const socket: Socket = connect(server.port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let closed = false;
    const changed: Array<() => void> = [];
    const notify = () => changed.splice(0).forEach((wake) => wake());
    const until = async (condition: () => boolean) => {
      while (!condition()) await new Promise<void>((wake) => changed.push(wake));
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      notify();
    });
    socket.on('drain', notify);
    socket.on('close', () => {
      closed = true;
      notify();
    });
    socket.on('error', () => {}); // writing after the server's end fails: expected, the close is checked below

    socket.write(
      `POST /api/monitors HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${api.token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`,
    );
    // Send the whole body as a client unaware of the cap would, unless told to stop.
    const chunk = Buffer.alloc(256 * 1024, 'k');
    let sent = 0;
    while (sent < size && !closed && parseResponse(received)?.headers.get('connection') !== 'close') {
      const slice = chunk.subarray(0, Math.min(chunk.length, size - sent));
      sent += slice.length;
      if (!socket.write(slice)) await until(() => closed || socket.writableLength === 0 || parseResponse(received) !== undefined);
    }

    await until(() => closed || parseResponse(received) !== undefined);
    const first = parseResponse(received);
    expect(first, `incomplete response: ${JSON.stringify(received.toString('latin1'))}`).toBeDefined();
    expect(first!.status).toBe(413);
    expect(JSON.parse(first!.body)).toMatchObject({ status: 413, detail: `request body exceeds ${MAX_BODY_BYTES} bytes` });

    if (first!.headers.get('connection') === 'close') {
      await until(() => closed);
      expect(received.length, 'nothing after the response').toBe(first!.size);
    } else {
      // Keep-alive was promised: once the body is through, the connection takes the next request.
      expect(sent).toBe(size);
      socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await until(() => closed || parseResponse(received.subarray(first!.size)) !== undefined);
      expect(parseResponse(received.subarray(first!.size))?.status, 'the kept-alive connection answers').toBe(200);
      socket.destroy();
    }
  });

  it('lets a keep-alive client go on after a 413', async () => {
    const agent = new Agent({ connections: 1, keepAliveTimeout: 30_000 });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      const refused = await request(`${url}/api/monitors`, {
        dispatcher: agent,
        method: 'POST',
        headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
        body: Buffer.alloc(1024 * 1024, 'k'),
      });
      expect(refused.statusCode).toBe(413);
      expect(await refused.body.json()).toMatchObject({ status: 413 });
      const next = await request(`${url}/healthz`, { dispatcher: agent });
      expect(next.statusCode).toBe(200);
      expect(await next.body.json()).toEqual({ status: 'ok' });
    } finally {
      await agent.close();
    }
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
