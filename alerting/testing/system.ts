// Test support for cross-part scenarios: the real store (SQLite, or storage opened by the caller), the real collector, the real
// alerting role and the real API (called in-process through app.request), wired like main.ts,
// with an SMTP sink and a Twilio-speaking server standing in for the providers.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../api/app.ts';
import { startCollector } from '../../collector/index.ts';
import { loadConfig, type Config } from '../../config.ts';
import type { Store } from '../../store/contract.ts';
import { openSqliteStore } from '../../store/sqlite/open.ts';
import { createMetrics } from '../../telemetry/metrics.ts';
import type { BackoffPolicy } from '../backoff.ts';
import { configuredChannels } from '../channels/index.ts';
import { startAlerting, type Alerting } from '../index.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';
import { startTwilioFake, type TwilioFake } from './twilio-fake.ts';
import { silentLog, type WorldStorage } from './world.ts';

const JWT_SECRET = 'scenario-secret-'.repeat(3);

/** `T` is what the test expects the body to be; the status tells whether it is. */
export type ApiCall = <T = unknown>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;

export type System = {
  dir: string;
  config: Config;
  store: Store;
  smtp: SmtpSink;
  twilio: TwilioFake;
  api: ApiCall;
  startCollector(): void;
  startAlerting(opts?: { backoff?: BackoffPolicy }): Alerting;
  stop(): Promise<void>;
};

/** The environment that points a product or alerting process at the test's mail and SMS servers. */
export function providerEnv(smtp: SmtpSink, twilio: TwilioFake): Record<string, string> {
  return {
    SMTP_URL: smtp.url,
    MAIL_FROM: 'uptime@example.test',
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_FROM: '+15550001111',
    TWILIO_API_URL: twilio.url,
  };
}

/** `env`: more settings for the product (e.g. PAGERDUTY_API_URL pointing at a local fake). */
export async function startSystem(opts: { storage?: WorldStorage; env?: Record<string, string> } = {}): Promise<System> {
  const dir = mkdtempSync(join(tmpdir(), 'alerting-scenario-'));
  const [smtp, twilio] = await Promise.all([startSmtpSink(), startTwilioFake()]);
  const config = loadConfig({
    DATA_DIR: dir,
    ...providerEnv(smtp, twilio),
    PUBLIC_URL: 'http://uptime.test',
    ALLOW_PRIVATE_TARGETS: 'true',
    JWT_SECRET,
    ...opts.env,
  });
  const store = opts.storage?.store ?? (await openSqliteStore({ dataDir: dir }));
  const metrics = createMetrics();
  const app = createApp({
    store,
    config: { jwtSecret: JWT_SECRET, allowPrivateTargets: true, minIntervalSeconds: 1, defaultIntervalSeconds: 1, publicUrl: config.PUBLIC_URL },
    channels: configuredChannels(config),
    log: silentLog,
    metrics,
  });
  let token = '';
  const api: ApiCall = async <T,>(method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const credentials = { email: 'owner@example.test', password: 'correct horse battery' };
  await api('POST', '/auth/signup', credentials);
  token = (await api<{ access_token: string }>('POST', '/auth/token', credentials)).body.access_token;

  const stoppers: (() => Promise<void>)[] = [];
  return {
    dir,
    config,
    store,
    smtp,
    twilio,
    api,
    startCollector() {
      const collector = startCollector({
        store,
        config: { allowPrivate: true, observer: 'scenario', shard: { index: 0, count: 1 }, dataDir: dir, reloadEveryMs: 200, writeFlushEveryMs: 200 },
        log: silentLog,
        metrics,
      });
      stoppers.push(() => collector.stop());
    },
    startAlerting(opts = {}) {
      const alerting = startAlerting({ store, config, log: silentLog, metrics, signingKey: JWT_SECRET, dispatcher: { pollMs: 250, ...(opts.backoff ? { backoff: opts.backoff } : {}) } });
      stoppers.push(() => alerting.stop());
      return alerting;
    },
    async stop() {
      for (const stop of stoppers.reverse()) await stop();
      if (opts.storage) await opts.storage.close();
      else await store.close();
      await Promise.all([smtp.stop(), twilio.close()]);
      await metrics.shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
