// dashboards:import against a node:http server standing in for Kibana's saved objects API.

import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importOptionsFromEnv, importSavedObjects } from './import.ts';

type Seen = { method: string; path: string; query: URLSearchParams; headers: IncomingHttpHeaders; file: string; filename: string };
type Reply = { status: number; body: unknown } | 'hang';

const ndjson = readFileSync(new URL('./uptime.ndjson', import.meta.url), 'utf8');
let server: Server;
let kibanaUrl: string;
let seen: Seen[];
let replies: Reply[];

beforeEach(async () => {
  seen = [];
  replies = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://kibana');
      // Parse the multipart body the way a server would, not by searching the bytes.
      const form = await new Response(Buffer.concat(chunks), {
        headers: { 'content-type': req.headers['content-type'] ?? '' },
      }).formData();
      const file = form.get('file') as File;
      seen.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, file: await file.text(), filename: file.name });
      const reply = replies.shift() ?? { status: 200, body: { success: true, successCount: 9, successResults: [] } };
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  kibanaUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('importSavedObjects', () => {
  it('posts the NDJSON as a multipart file to _import with overwrite, kbn-xsrf and basic auth', async () => {
    const result = await importSavedObjects(ndjson, { kibanaUrl, auth: { username: 'elastic', password: 'pä55:word' } });
    expect(result).toEqual({ successCount: 9 });
    const [request] = seen;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/saved_objects/_import');
    expect(request?.query.get('overwrite')).toBe('true');
    expect(request?.headers['kbn-xsrf']).toBe('true');
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from('elastic:pä55:word').toString('base64')}`);
    expect(request?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(request?.file).toBe(ndjson);
    expect(request?.filename).toMatch(/\.ndjson$/);
  });

  it('sends an API key as ApiKey authorization, and keeps a base path of KIBANA_URL', async () => {
    await importSavedObjects(ndjson, { kibanaUrl: `${kibanaUrl}/kibana/`, auth: { apiKey: 'a2V5OnNlY3JldA==' } });
    expect(seen[0]?.headers.authorization).toBe('ApiKey a2V5OnNlY3JldA==');
    expect(seen[0]?.path).toBe('/kibana/api/saved_objects/_import');
  });

  it('is idempotent: a second import overwrites the same objects', async () => {
    await importSavedObjects(ndjson, { kibanaUrl });
    await importSavedObjects(ndjson, { kibanaUrl });
    expect(seen.map((s) => [s.query.get('overwrite'), s.file === ndjson])).toEqual([
      ['true', true],
      ['true', true],
    ]);
  });

  it('reports a 401 with Kibana’s message and what to check, without retrying', async () => {
    replies.push({ status: 401, body: { statusCode: 401, error: 'Unauthorized', message: '[security_exception] unable to authenticate user' } });
    await expect(importSavedObjects(ndjson, { kibanaUrl, attempts: 3, retryDelayMs: 10 })).rejects.toThrow(
      'Kibana import failed: HTTP 401: [security_exception] unable to authenticate user (check KIBANA_USERNAME/KIBANA_PASSWORD or KIBANA_API_KEY)',
    );
    expect(seen).toHaveLength(1);
  });

  it('reports a 400 with Kibana’s message', async () => {
    replies.push({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'Invalid file extension .json' } });
    await expect(importSavedObjects(ndjson, { kibanaUrl })).rejects.toThrow('Kibana import failed: HTTP 400: Invalid file extension .json');
  });

  it('reports objects Kibana refused inside a 200 answer', async () => {
    replies.push({
      status: 200,
      body: {
        success: false,
        successCount: 8,
        errors: [{ id: 'uptime-overview', type: 'dashboard', title: 'Uptime overview', error: { type: 'missing_references' } }],
      },
    });
    await expect(importSavedObjects(ndjson, { kibanaUrl })).rejects.toThrow(
      'Kibana import failed for 1 object(s): dashboard uptime-overview "Uptime overview": missing_references',
    );
  });

  it('retries a Kibana that is still starting (503) with backoff, then succeeds', async () => {
    replies.push({ status: 503, body: { message: 'Kibana server is not ready yet' } }, { status: 503, body: {} });
    const started = Date.now();
    await expect(importSavedObjects(ndjson, { kibanaUrl, attempts: 3, retryDelayMs: 50 })).resolves.toEqual({ successCount: 9 });
    expect(seen).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150); // 50 ms, then 100 ms
  });

  it('gives up after its tries on a Kibana that does not answer in time', async () => {
    replies.push('hang', 'hang');
    await expect(importSavedObjects(ndjson, { kibanaUrl, timeoutMs: 200, attempts: 2, retryDelayMs: 10 })).rejects.toThrow(
      /unreachable: no answer within 200 ms \(after 2 tries\)/,
    );
  });

  it('names the address when nothing listens there', async () => {
    const closed = kibanaUrl;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = createServer().listen(0, '127.0.0.1');
    await expect(importSavedObjects(ndjson, { kibanaUrl: closed, timeoutMs: 2_000 })).rejects.toThrow(`${closed} unreachable`);
  });
});

describe('importOptionsFromEnv', () => {
  it.each([
    [{}, 'missing KIBANA_URL'],
    [{ KIBANA_URL: 'kibana:5601' }, 'invalid KIBANA_URL="kibana:5601": expected a URL starting with http:// or https://'],
    [{ KIBANA_URL: 'http://kibana:5601', KIBANA_USERNAME: 'elastic' }, 'missing KIBANA_PASSWORD: required with KIBANA_USERNAME'],
  ])('refuses %o', (env, message) => {
    expect(() => importOptionsFromEnv(env)).toThrow(message);
  });

  it('prefers an API key over a username and password', () => {
    const options = importOptionsFromEnv({ KIBANA_URL: 'https://k:5601', KIBANA_API_KEY: 'k', KIBANA_USERNAME: 'u', KIBANA_PASSWORD: 'p' });
    expect(options.auth).toEqual({ apiKey: 'k' });
  });
});
