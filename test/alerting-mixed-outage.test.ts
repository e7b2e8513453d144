// An outage that changes its face (HTTP 500, then timeouts, then refused connections) through the
// real collector and alerting role, on each store: the UP email names the monitor's URL, every
// cause in the order it appeared, and the length the incident table shows.

import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDuration } from '../alerting/channels/text.ts';
import { eventually, startSystem, type System } from '../alerting/testing/system.ts';
import { scenarioBackends } from './support/backends.ts';

type Mode = 'ok' | 'error' | 'hang';

/** A target whose answer the test switches: 200, 500, no answer at all, or nobody listening. */
async function startSwitchableTarget() {
  let mode: Mode = 'ok';
  let server: Server | null = null;
  let port = 0;
  const listen = async () => {
    server = createServer((_req, res) => {
      if (mode === 'hang') return; // the probe times out; closeAllConnections ends it
      res.writeHead(mode === 'ok' ? 200 : 500).end(mode);
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  };
  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}/`;
    },
    set(next: Mode) {
      mode = next;
    },
    async refuse() {
      const s = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async back() {
      mode = 'ok';
      if (!server) await listen();
    },
  };
}

describe.each(scenarioBackends())('on $name', (backend) => {
  let system: System;
  let target: Awaited<ReturnType<typeof startSwitchableTarget>>;

  beforeEach(async () => {
    system = await startSystem({ storage: await backend.open() });
    target = await startSwitchableTarget();
  });
  afterEach(async () => {
    await system.stop();
    await target.refuse();
  });

  const errorTypes = async (id: string) =>
    (await system.api<{ items: { 'error.type': string | null }[] }>('GET', `/api/monitors/${id}/checks?limit=50`)).body.items.map((c) => c['error.type']);

  it('an outage of 500s, then timeouts, then refused connections: the UP email names all three causes', { timeout: 60_000 }, async () => {
    const created = await system.api<{ id: string }>('POST', '/api/monitors', {
      name: 'Shop',
      url: target.url,
      interval_seconds: 1,
      timeout_ms: 500,
      confirm_failures: 2,
      confirm_recoveries: 1,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await system.api('POST', `/api/monitors/${id}/contacts`, { type: 'email', address: 'alice@example.test' })).status).toBe(201);
    system.startCollector();
    system.startAlerting();
    await eventually('first good checks', async () => (await errorTypes(id)).length >= 2);

    target.set('error');
    await eventually('the DOWN email', async () => system.smtp.mails.some((m) => m.subject.startsWith('[DOWN]')), 15_000);
    target.set('hang');
    await eventually('a timed-out check', async () => (await errorTypes(id)).includes('timeout'), 15_000);
    await target.refuse();
    await eventually('a refused check', async () => (await errorTypes(id)).includes('connect'), 15_000);
    await target.back();
    const up = await eventually('the UP email', async () => system.smtp.mails.find((m) => m.subject.startsWith('[UP]')), 15_000);

    type IncidentJson = { started_at: string; resolved_at: string | null; cause: { type: string } };
    // The search engine shows the resolved incident within a refresh.
    const incidents = await eventually('the resolved incident', async () => {
      const items = (await system.api<{ items: IncidentJson[] }>('GET', `/api/monitors/${id}/incidents`)).body.items;
      return items.every((i) => i.resolved_at !== null) && items;
    });
    expect(incidents).toHaveLength(1);
    const incident = incidents[0]!;
    expect(incident.cause.type).toBe('status');
    const downtime = formatDuration(Date.parse(incident.resolved_at ?? '') - Date.parse(incident.started_at));
    expect(up.subject).toBe(`[UP] Shop (${target.url}) is back after ${downtime}`);
    // Each kind once, worded by its first check (closing the hung connection may be that one: ECONNRESET).
    expect(up.text).toMatch(/Causes were: HTTP 500, then timeout: [^\n]+, then connect: [^\n]+\n/);
  });
});
