import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../testing.ts';

type OpenApiDoc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { security?: Array<Record<string, string[]>>; responses: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }>; schemas: Record<string, unknown> };
};

describe('API documentation', () => {
  let api: TestApi;
  let doc: OpenApiDoc;
  beforeAll(async () => {
    api = await startTestApi();
    doc = (await api.call<OpenApiDoc>('GET', '/openapi.json')).body;
  });
  afterAll(async () => {
    await api.close();
  });

  it('is an OpenAPI 3.1 document with a bearer security scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('downtime-monitor API');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Problem', 'Monitor', 'MonitorCreate', 'Check', 'History']));
  });

  it('lists every route the app serves, each /api route requiring the bearer token', () => {
    // Every route registered on the app except the docs themselves, in OpenAPI path form.
    const served = new Set(
      api.app.routes
        .filter((r) => r.method !== 'ALL' && !/^\/(docs|openapi\.json)/.test(r.path))
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
    expect([...documented].sort()).toEqual([...served].sort());
    // And DESIGN.md's list is all there.
    expect([...documented]).toEqual(
      expect.arrayContaining([
        'post /auth/signup', 'post /auth/token', 'get /auth/me',
        'post /api/monitors', 'get /api/monitors', 'get /api/monitors/{id}', 'patch /api/monitors/{id}', 'delete /api/monitors/{id}',
        'post /api/monitors/{id}/contacts', 'get /api/monitors/{id}/contacts', 'delete /api/monitors/{id}/contacts/{contactId}',
        'get /api/monitors/{id}/checks', 'get /api/monitors/{id}/history', 'get /api/monitors/{id}/incidents',
        'get /api/monitors/{id}/notifications', 'get /api/summary',
        'get /healthz', 'get /readyz', 'get /metrics',
      ]),
    );
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (path.startsWith('/api/')) expect(op.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
        if (path.startsWith('/api/')) expect(op.responses, `${method} ${path}`).toHaveProperty('401');
      }
    }
  });

  it('serves interactive docs whose scripts and styles all come from this app', async () => {
    const page = await api.app.request('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await page.text();
    expect(html).toContain('<div id="swagger-ui">');
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset, 'no external asset').toMatch(/^\/docs\//);
      const res = await api.app.request(asset);
      expect(res.status, asset).toBe(200);
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
    const bundle = await (await api.app.request('/docs/assets/swagger-ui-bundle.js')).text();
    expect(bundle).toContain('SwaggerUIBundle');
    const init = await (await api.app.request('/docs/init.js')).text();
    expect(init).toContain("url: '/openapi.json'");
  });

  it('serves only the known docs assets', async () => {
    expect((await api.app.request('/docs/assets/package.json')).status).toBe(404);
    expect((await api.app.request('/docs/assets/..%2F..%2Fpackage.json')).status).toBe(404);
  });
});
