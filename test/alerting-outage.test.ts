// An outage end to end: the real collector probes a local target, the real alerting role turns
// its checks into notifications, and the API lists the incident and the six deliveries; on each
// store the run has (test/support/backends.ts); and an outage of several causes, named in the UP email.

import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDuration } from '../alerting/channels/text.ts';
import { eventually, startSystem, type System } from '../alerting/testing/system.ts';
import { scenarioBackends } from './support/backends.ts';
import { startTarget, type Target } from './support/target.ts';

type IncidentJson = { id: string; started_at: string; resolved_at: string | null; duration_seconds: number; cause: { type: string | null } };
type NotificationJson = { kind: string; channel: string; address: string; status: string; attempts: number; check_at: string; sent_at: string | null };

describe.each(scenarioBackends())('on $name', (backend) => {
  let system: System;
  let target: Target;

  beforeEach(async () => {
    system = await startSystem({ storage: await backend.open() });
    target = await startTarget();
  });
  afterEach(async () => {
    await system.stop();
    await target.down();
  });

  async function monitorWithContacts(
    url: string,
    contacts: Array<[string, string]> = [
      ['email', 'alice@example.test'],
      ['email', 'bob@example.test'],
      ['sms', '+33612345678'],
    ],
  ): Promise<string> {
    const created = await system.api<{ id: string }>('POST', '/api/monitors', {
      name: 'Shop',
      url,
      interval_seconds: 1,
      timeout_ms: 500,
      confirm_failures: 2,
      confirm_recoveries: 1,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    for (const [type, address] of contacts) {
      expect((await system.api('POST', `/api/monitors/${id}/contacts`, { type, address })).status).toBe(201);
    }
    return id;
  }

  const notifications = async (id: string) => (await system.api<{ items: NotificationJson[] }>('GET', `/api/monitors/${id}/notifications`)).body.items;
  const checksOf = async (id: string) =>
    (await system.api<{ items: { 'monitor.status': string }[] }>('GET', `/api/monitors/${id}/checks?limit=20`)).body.items;

  describe('an outage seen through the real collector', () => {
    it('notifies each contact once on down and once on up, lists the incident and six sent deliveries', { timeout: 40_000 }, async () => {
      const id = await monitorWithContacts(target.url);
      system.startCollector();
      system.startAlerting();
      await eventually('first good checks', async () => (await checksOf(id)).length >= 2);

      const downAt = Date.now();
      await target.down();
      const downs = await eventually('three DOWN messages', async () => {
        const n = await notifications(id);
        return n.filter((d) => d.kind === 'down' && d.status === 'sent').length === 3 && n;
      });
      // Each contact is told once, within 5 s of the check that confirmed the outage.
      for (const d of downs) expect(Date.parse(d.sent_at ?? '') - Date.parse(d.check_at)).toBeLessThan(5_000);
      expect(system.smtp.mails.map((m) => m.to[0]).sort()).toEqual(['alice@example.test', 'bob@example.test']);
      expect(system.smtp.mails.every((m) => m.subject === `[DOWN] Shop (${target.url})`)).toBe(true);
      expect(system.smtp.mails[0]?.text).toMatch(/Cause: connect/);
      expect(system.twilio.messages.map((m) => [m.to, m.body.slice(0, 10)])).toEqual([['+33612345678', 'DOWN: Shop']]);

      await new Promise((r) => setTimeout(r, 2_500)); // the outage lasts a few seconds more
      await target.up();
      const upAt = Date.now();
      await eventually('three UP messages', async () => (await notifications(id)).filter((d) => d.kind === 'up' && d.status === 'sent').length === 3);

      const incidents = (await system.api<{ items: IncidentJson[] }>('GET', `/api/monitors/${id}/incidents`)).body.items;
      expect(incidents).toHaveLength(1);
      const incident = incidents[0]!;
      expect(incident.resolved_at).not.toBeNull();
      expect(incident.cause.type).toBe('connect');
      const outageSeconds = (upAt - downAt) / 1000;
      expect(incident.duration_seconds).toBeGreaterThanOrEqual(outageSeconds - 2);
      expect(incident.duration_seconds).toBeLessThanOrEqual(outageSeconds + 2);
      const downtime = formatDuration(Date.parse(incident.resolved_at ?? '') - Date.parse(incident.started_at));
      const ups = system.smtp.mails.filter((m) => m.subject.startsWith('[UP]'));
      expect(ups.map((m) => m.subject)).toEqual([`[UP] Shop (${target.url}) is back after ${downtime}`, `[UP] Shop (${target.url}) is back after ${downtime}`]);
      expect(system.twilio.messages.at(-1)?.body).toContain(`is back after ${downtime}`);

      await new Promise((r) => setTimeout(r, 1_500)); // nothing more arrives
      const all = await notifications(id);
      expect(all).toHaveLength(6);
      expect(all.every((d) => d.status === 'sent' && d.attempts === 1)).toBe(true);
      expect(system.smtp.mails).toHaveLength(4);
      expect(system.twilio.messages).toHaveLength(2);
    });

    it('holds the DOWN messages while the SMTP server is down and delivers each once when it is back', { timeout: 40_000 }, async () => {
      const id = await monitorWithContacts(target.url);
      await system.smtp.stop();
      system.startCollector();
      system.startAlerting({ backoff: { baseMs: 500, maxMs: 1_000, giveUpAfterMs: 3_600_000 } });
      await eventually('first good checks', async () => (await checksOf(id)).length >= 2);
      await target.down();
      await eventually('SMS sent, emails failing', async () => {
        const n = await notifications(id);
        const emails = n.filter((d) => d.channel === 'email');
        return n.some((d) => d.channel === 'sms' && d.status === 'sent') && emails.length === 2 && emails.every((d) => d.attempts >= 1 && d.status === 'pending');
      });
      await system.smtp.start();
      await eventually('emails sent', async () => (await notifications(id)).every((d) => d.status === 'sent'));
      await new Promise((r) => setTimeout(r, 1_500));
      expect(system.smtp.mails.map((m) => m.to[0]).sort()).toEqual(['alice@example.test', 'bob@example.test']);
      expect(system.twilio.messages).toHaveLength(1);
    });

    it('a flapping target with confirm_failures=2 causes no alert storm', { timeout: 30_000 }, async () => {
      let requests = 0;
      const flapping = createServer((_req, res) => {
        requests++;
        res.writeHead(requests % 2 ? 503 : 200).end();
      });
      flapping.listen(0, '127.0.0.1');
      await once(flapping, 'listening');
      try {
        const id = await monitorWithContacts(`http://127.0.0.1:${(flapping.address() as AddressInfo).port}/`);
        system.startCollector();
        system.startAlerting();
        await eventually('seven flapping checks', async () => requests >= 7, 20_000);
        await new Promise((r) => setTimeout(r, 1_000));
        const statuses = (await checksOf(id)).map((c) => c['monitor.status']);
        expect(new Set(statuses)).toEqual(new Set(['up', 'down'])); // it really flapped
        expect(await notifications(id)).toEqual([]);
        expect(system.smtp.mails).toHaveLength(0);
      } finally {
        flapping.closeAllConnections();
        await new Promise((r) => flapping.close(r));
      }
    });
  });

  // An outage that changes its face: the UP email names the monitor's URL, every cause in the
  // order it appeared, and the length the incident table shows.
  describe('an outage of several causes', () => {
    const errorTypes = async (id: string) =>
      (await system.api<{ items: { 'error.type': string | null }[] }>('GET', `/api/monitors/${id}/checks?limit=50`)).body.items.map((c) => c['error.type']);

    it('an outage of 500s, then timeouts, then refused connections: the UP email names all three causes', { timeout: 60_000 }, async () => {
      const id = await monitorWithContacts(target.url, [['email', 'alice@example.test']]);
      system.startCollector();
      system.startAlerting();
      await eventually('first good checks', async () => (await errorTypes(id)).length >= 2);

      target.set('error');
      await eventually('the DOWN email', async () => system.smtp.mails.some((m) => m.subject.startsWith('[DOWN]')), 15_000);
      target.set('hang');
      await eventually('a timed-out check', async () => (await errorTypes(id)).includes('timeout'), 15_000);
      await target.down();
      await eventually('a refused check', async () => (await errorTypes(id)).includes('connect'), 15_000);
      await target.up();
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
});
