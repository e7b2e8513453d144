// Test support for the API's tests: a real app over a real SQLite store in a temp directory, a
// small JSON client on app.request(), and fixtures. Used only by *.test.ts files.
//
// Example (the usual start of a describe whose tests act as one signed-in user):
//   const api = useSignedInApi();
//   it('...', async () => { await api.call('GET', '/api/monitors', { token: api.token }); });

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Store } from '../store/contract.ts';
import { openSqliteStore } from '../store/sqlite/open.ts';
import { CONTACT_TYPES, type ContactType } from '../store/types.ts';
import { createMetrics, type Metrics } from '../telemetry/metrics.ts';
import { createApp } from './app.ts';
import type { ApiApp, ApiConfig } from './deps.ts';
import type { Problem } from './problem.ts';

export const JWT_SECRET = 'test-secret-of-at-least-thirty-two-bytes';
export const PASSWORD = 'a long enough password';

/** `body` is the parsed JSON (or text), typed by the caller as the shape the route documents. */
export type Reply<T = Problem> = { status: number; headers: Headers; body: T };
type CallOptions = { token?: string; json?: unknown; body?: string; headers?: Record<string, string> };

export type TestApi = {
  app: ApiApp;
  store: Store;
  /** The SQLite store's directory: another TestApi opened on it is a second API instance. */
  dataDir: string;
  metrics: Metrics;
  call<T = Problem>(method: string, path: string, opts?: CallOptions): Promise<Reply<T>>;
  /** Signs up and logs in through the API; returns the user's id and token. */
  user(email: string): Promise<{ id: string; token: string }>;
  close(): Promise<void>;
};

export type TestApiOptions = {
  config?: Partial<ApiConfig>;
  channels?: ContactType[];
  clock?: () => number;
  log?: Logger;
  /** Open the store of another TestApi (left in place on close) instead of a fresh one. */
  dataDir?: string;
};

export async function startTestApi(opts: TestApiOptions = {}): Promise<TestApi> {
  const dir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'dm-api-')));
  const store = await openSqliteStore({ dataDir: dir });
  const metrics = createMetrics();
  const app = createApp({
    store,
    metrics,
    log: opts.log ?? pino({ level: 'silent' }),
    channels: new Set(opts.channels ?? CONTACT_TYPES),
    config: {
      jwtSecret: JWT_SECRET,
      allowPrivateTargets: false,
      minIntervalSeconds: 20,
      defaultIntervalSeconds: 60,
      publicUrl: 'http://127.0.0.1:3000',
      ...opts.config,
    },
    ...(opts.clock ? { clock: opts.clock } : {}),
  });

  const call = async <T = Problem>(method: string, path: string, o: CallOptions = {}): Promise<Reply<T>> => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body = o.body;
    if (o.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(o.json);
    }
    const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    if (/json/.test(res.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T };
  };

  return {
    app,
    store,
    dataDir: dir,
    metrics,
    call,
    async user(email) {
      const signup = await call<{ id: string }>('POST', '/auth/signup', { json: { email, password: PASSWORD } });
      if (signup.status !== 201) throw new Error(`signup ${signup.status}: ${JSON.stringify(signup.body)}`);
      const token = await call<{ access_token: string }>('POST', '/auth/token', { json: { email, password: PASSWORD } });
      if (token.status !== 200) throw new Error(`token ${token.status}: ${JSON.stringify(token.body)}`);
      return { id: signup.body.id, token: token.body.access_token };
    },
    async close() {
      await store.close();
      await metrics.shutdown();
      if (!opts.dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A TestApi with a user signed up and signed in through it; closed by the fixture, not the test. */
export type SignedInApi = Omit<TestApi, 'close'> & { token: string; userId: string };

/**
 * Registers hooks in the enclosing describe: a fresh API and a user (`email`, default
 * ada@example.com) signed in through it before each test (`scope: 'describe'`: once for all of
 * them), closed after. Call it first in the describe's body, so that the describe's own hooks run
 * after it starts and before it closes; read the result inside hooks and tests only.
 */
export function useSignedInApi(opts: TestApiOptions & { email?: string; scope?: 'test' | 'describe' } = {}): SignedInApi {
  const { email = 'ada@example.com', scope = 'test', ...apiOptions } = opts;
  let signedIn: { api: TestApi; id: string; token: string } | null = null;
  const [before, after] = scope === 'describe' ? [beforeAll, afterAll] : [beforeEach, afterEach];
  before(async () => {
    const api = await startTestApi(apiOptions);
    signedIn = { api, ...(await api.user(email)) };
  });
  after(async () => {
    await signedIn?.api.close();
    signedIn = null;
  });
  const current = () => {
    if (signedIn === null) throw new Error('useSignedInApi: read it inside a hook or a test of its describe');
    return signedIn;
  };
  return {
    get app() {
      return current().api.app;
    },
    get store() {
      return current().api.store;
    },
    get dataDir() {
      return current().api.dataDir;
    },
    get metrics() {
      return current().api.metrics;
    },
    call: (method, path, callOptions) => current().api.call(method, path, callOptions),
    user: (otherEmail) => current().api.user(otherEmail),
    get token() {
      return current().token;
    },
    get userId() {
      return current().id;
    },
  };
}

/** A probe result of `monitor` at `timestamp`; up with a 200 unless overridden. */
export { makeCheck as checkOf } from '../store/testing/fixtures.ts';
