import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApp, type RunningServer } from './serve.ts';
import { PASSWORD, startTestApi, type TestApi } from './testing.ts';

describe('serveApp', () => {
  let api: TestApi;
  let server: RunningServer;
  let base: string;
  beforeAll(async () => {
    api = await startTestApi();
    server = await serveApp(api.app, { port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.close();
    await api.close();
  });

  it('serves the app over HTTP on the port it reports', async () => {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    const docs = await fetch(`${base}/docs/assets/swagger-ui.css`, { signal: AbortSignal.timeout(5000) });
    expect(docs.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('rate limits login by the socket address, ignoring X-Forwarded-For', async () => {
    await api.user('ada@example.com');
    const attempt = (forwardedFor: string) =>
      fetch(`${base}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ email: 'ada@example.com', password: `${PASSWORD}!` }),
        signal: AbortSignal.timeout(5000),
      });
    // Five attempts per (email, address): a spoofed header per request does not reset it.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt(`203.0.113.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('stops listening on close', async () => {
    const other = await serveApp(api.app, { port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${other.port}/healthz`;
    expect((await fetch(url)).status).toBe(200);
    await other.close();
    await expect(fetch(url, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });

  it('refuses to start on a port in use', async () => {
    await expect(serveApp(api.app, { port: server.port, host: '127.0.0.1' })).rejects.toThrow(/EADDRINUSE/);
  });
});
