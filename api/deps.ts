// What the API needs from the rest of the process, injected by main.ts (or a test) into
// createApp. Nothing in api/ reads the environment or opens a store itself.

import type { HttpBindings } from '@hono/node-server';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Store } from '../store/contract.ts';
import type { ContactType } from '../store/types.ts';
import type { Metrics } from '../telemetry/metrics.ts';

export type ApiConfig = {
  /** HS256 key for access tokens; a string is used as its UTF-8 bytes. */
  jwtSecret: Uint8Array | string;
  allowPrivateTargets: boolean;
  minIntervalSeconds: number;
  defaultIntervalSeconds: number;
  publicUrl: string;
};

export type ApiDeps = {
  store: Store;
  config: ApiConfig;
  /** Channels this server can deliver on; contacts of other types are refused. */
  channels: ReadonlySet<ContactType>;
  log: Logger;
  metrics: Metrics;
  /** When set, each request is an `api.request` span. */
  tracer?: Tracer;
  /** Epoch milliseconds; injected so tests can move time. */
  clock?: () => number;
  /** Called after the API's own routes are registered: the place for web pages and status pages. */
  extraRoutes?: (app: ApiApp) => void;
};

/** ApiDeps with defaults filled in, as the route modules receive them. */
export type RouteDeps = Omit<ApiDeps, 'clock' | 'extraRoutes' | 'tracer'> & { clock: () => number };

export type AppEnv = {
  // Present when served by @hono/node-server; absent under app.request() in tests.
  Bindings: Partial<HttpBindings>;
  Variables: {
    /** Set by requireAuth on /api/* and /auth/me. */
    userId: string;
    /** Set by requireAuth when the caller authenticated with an API key (not an access token). */
    apiKeyId?: string;
  };
};

export type ApiApp = OpenAPIHono<AppEnv>;
