import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../testing.ts';

describe('operations endpoints', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(async () => {
    await api.close();
  });

  it('answers liveness and readiness without a token', async () => {
    expect(await api.call('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await api.call('GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('answers readiness with a 503 problem when the store is down', async () => {
    await api.store.close();
    const res = await api.call('GET', '/readyz');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.detail).toMatch(/^store unreachable: /);
  });

  it('serves Prometheus text including the API request counter', async () => {
    await api.call('GET', '/healthz');
    const res = await api.call<string>('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.body).toMatch(/^# HELP uptime_http_requests_total/m);
    expect(res.body).toContain('uptime_http_requests_total{method="GET",route="/healthz",status="200"} 1');
    expect(res.body).toMatch(/uptime_http_request_duration_bucket\{.*route="\/healthz"/);
  });
});
