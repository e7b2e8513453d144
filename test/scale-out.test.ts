// Scale-out on one store: one API process, two collector processes (COLLECTOR_SHARD 0/2 and 1/2)
// and two alerting processes, as separate `node main.ts --role …` processes. Every check must be
// stored once, each monitor probed by exactly one shard, and each contact told exactly once per
// transition — on SQLite and on the search engine.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../alerting/testing/smtp-sink.ts';
import { eventually, newUser } from './support/api-client.ts';
import { scenarioBackends, type OpenedBackend } from './support/backends.ts';
import { startProduct, type RunningProduct } from './support/product.ts';
import { startTarget, type Target } from './support/target.ts';

type CheckJson = { 'event.id': string; 'monitor.status': string; 'observer.name': string };

describe.each(scenarioBackends())('two collectors and two alerting engines on $name', (backend) => {
  let storage: OpenedBackend;
  let smtp: SmtpSink;
  let target: Target;
  const processes: RunningProduct[] = [];

  beforeEach(async () => {
    storage = await backend.open();
    smtp = await startSmtpSink();
    target = await startTarget();
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await target.down();
    await smtp.stop();
    await storage.close();
  });

  const start = async (env: Record<string, string>, roles: string[]) => {
    const running = await startProduct(
      {
        ...storage.env,
        JWT_SECRET: 'scale-out-scenario-secret-'.repeat(2),
        ALLOW_PRIVATE_TARGETS: 'true',
        MIN_INTERVAL_SECONDS: '1',
        DEFAULT_INTERVAL_SECONDS: '1',
        SMTP_URL: smtp.url,
        MAIL_FROM: 'uptime@example.test',
        ...env,
      },
      roles.flatMap((role) => ['--role', role]),
    );
    processes.push(running);
    return running;
  };

  it('stores every check once and sends one message per contact per transition', { timeout: 180_000 }, async () => {
    const api = await start({}, ['api']);
    const user = await newUser(api.url, 'ops@example.test');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const created = await user.post('/api/monitors', { name: `site ${i}`, url: `${target.url}site/${i}`, interval_seconds: 1, timeout_ms: 500 });
      expect(created.status).toBe(201);
      ids.push(created.body.id);
      expect((await user.post(`/api/monitors/${created.body.id}/contacts`, { type: 'email', address: `site${i}@example.test` })).status).toBe(201);
    }
    await Promise.all([
      start({ COLLECTOR_SHARD: '0/2', OBSERVER_NAME: 'shard-0' }, ['collector']),
      start({ COLLECTOR_SHARD: '1/2', OBSERVER_NAME: 'shard-1' }, ['collector']),
      start({}, ['alerting']),
      start({}, ['alerting']),
    ]);
    const checks = async (id: string): Promise<CheckJson[]> => (await user.get(`/api/monitors/${id}/checks?limit=1000`)).body.items;
    await eventually(async () => ((await Promise.all(ids.map(checks))).every((c) => c.length >= 2) ? true : null), 60_000, 'checks of every monitor');

    // Five node processes and the search engine share two cores: generous bounds, and on a
    // timeout the processes' warnings and transitions, to tell a slow machine from a lost message.
    const mails = (kind: string) => smtp.mails.filter((m) => m.subject.startsWith(kind)).length;
    const told = async (kind: string) => {
      try {
        await eventually(async () => (mails(kind) >= 6 ? true : null), 60_000, `six ${kind} mails`);
      } catch (error) {
        const notes = processes.flatMap((p) => p.logs.filter((l) => Number(l.level) >= 40 || l.msg === 'alert transition'));
        throw new Error(`${String(error)}; ${mails(kind)} sent; process notes: ${JSON.stringify(notes.slice(-40))}`);
      }
    };
    await target.down();
    await told('[DOWN]');
    await target.up();
    await told('[UP]');
    // Quiesce: a sentinel monitor going down shows that the engines evaluated after everything
    // above; then the collectors and engines stop gracefully (sends in flight finish). Nothing can
    // come after. The API process (started first) stays up for the reads below.
    const sentinel = await user.post('/api/monitors', { name: 'sentinel', url: 'http://127.0.0.1:1/', interval_seconds: 1, timeout_ms: 500 });
    expect((await user.post(`/api/monitors/${sentinel.body.id}/contacts`, { type: 'email', address: 'sentinel@example.test' })).status).toBe(201);
    await eventually(async () => (smtp.mails.some((m) => m.to[0] === 'sentinel@example.test') ? true : null), 60_000, 'the sentinel DOWN');
    await Promise.all(processes.splice(1).map((p) => p.stop()));
    expect(smtp.mails.filter((m) => m.to[0] === 'sentinel@example.test')).toHaveLength(1);

    const received = smtp.mails
      .filter((m) => m.to[0] !== 'sentinel@example.test')
      .map((m) => `${m.to[0]} ${m.subject.split(' ')[0]}`)
      .sort();
    expect(received).toEqual(ids.flatMap((_, i) => [`site${i}@example.test [DOWN]`, `site${i}@example.test [UP]`]).sort());
    for (const id of ids) {
      const stored = await checks(id);
      expect(new Set(stored.map((c) => c['event.id'])).size, `${id}: no check stored twice`).toBe(stored.length);
      expect(new Set(stored.map((c) => c['observer.name'])).size, `${id}: probed by one shard`).toBe(1);
      const incidents = (await user.get(`/api/monitors/${id}/incidents`)).body.items;
      expect(incidents).toHaveLength(1);
    }
  });
});
