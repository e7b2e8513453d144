// The chat and paging channels end to end, on SQLite: contacts added through the API, the real
// collector probing a local target, the real alerting role built from the configuration (its
// PAGERDUTY_API_URL pointing at a local Events API), and local Slack, Discord, Teams and ntfy
// servers. One outage: each provider hears DOWN then UP once; PagerDuty triggers and resolves
// the incident's dedup_key; a Slack rate limit is waited out without a second message.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, startSystem, type System } from '../alerting/testing/system.ts';
import { startProviderFake, type Provider, type ProviderFake } from '../alerting/testing/provider-fakes.ts';
import { startTarget, type Target } from './support/target.ts';

type NotificationJson = { kind: string; channel: string; status: string; attempts: number; last_error: string | null };
const PD_KEY = 'R0123456789ABCDEF0123456789ABCDE';

describe('an outage told through Slack, Discord, Teams, PagerDuty and ntfy', () => {
  let system: System;
  let target: Target;
  let fakes: Record<Provider, ProviderFake>;

  beforeEach(async () => {
    const started = await Promise.all((['slack', 'discord', 'teams', 'pagerduty', 'ntfy'] as const).map(startProviderFake));
    fakes = { slack: started[0]!, discord: started[1]!, teams: started[2]!, pagerduty: started[3]!, ntfy: started[4]! };
    system = await startSystem({ env: { PAGERDUTY_API_URL: fakes.pagerduty.url } });
    target = await startTarget();
  });
  afterEach(async () => {
    await system.stop();
    await target.down();
    await Promise.all(Object.values(fakes).map((f) => f.close()));
  });

  it('tells each provider DOWN then UP once, PagerDuty on one dedup_key, a 429 waited out', { timeout: 60_000 }, async () => {
    const created = await system.api<{ id: string }>('POST', '/api/monitors', {
      name: 'Shop',
      url: target.url,
      interval_seconds: 1,
      timeout_ms: 500,
      confirm_failures: 2,
      confirm_recoveries: 1,
    });
    const id = created.body.id;
    const contacts = [
      { type: 'slack', address: `${fakes.slack.url}/services/T1/B2/x` },
      { type: 'discord', address: `${fakes.discord.url}/api/webhooks/1/t` },
      { type: 'teams', address: `${fakes.teams.url}/workflows/w/triggers/manual/paths/invoke?sig=s` },
      { type: 'pagerduty', address: PD_KEY },
      { type: 'ntfy', address: `${fakes.ntfy.url}/acme-alerts` },
    ];
    for (const contact of contacts) expect((await system.api('POST', `/api/monitors/${id}/contacts`, contact)).status).toBe(201);
    fakes.slack.rateLimit(2);
    system.startCollector();
    system.startAlerting({ backoff: { baseMs: 200, maxMs: 400, giveUpAfterMs: 24 * 3_600_000 } });
    const notifications = async () => (await system.api<{ items: NotificationJson[] }>('GET', `/api/monitors/${id}/notifications`)).body.items;
    const sent = (kind: string) => async () => (await notifications()).filter((n) => n.kind === kind && n.status === 'sent').length === 5;

    await eventually('first good checks', async () => (await system.api<{ items: unknown[] }>('GET', `/api/monitors/${id}/checks?limit=5`)).body.items.length >= 2);
    await target.down();
    await eventually('five DOWN messages', sent('down'), 20_000);
    await target.up();
    await eventually('five UP messages', sent('up'), 20_000);
    await new Promise((r) => setTimeout(r, 1_500)); // nothing more arrives

    for (const fake of Object.values(fakes)) expect(fake.received).toHaveLength(2);
    const incidents = (await system.api<{ items: { id: string }[] }>('GET', `/api/monitors/${id}/incidents`)).body.items;
    expect(incidents).toHaveLength(1);
    expect(fakes.pagerduty.received.map((r) => [r.json.event_action, r.json.dedup_key, r.json.routing_key])).toEqual([
      ['trigger', incidents[0]?.id, PD_KEY],
      ['resolve', incidents[0]?.id, PD_KEY],
    ]);
    expect(fakes.discord.received.map((r) => r.json.embeds[0].title.split(' ')[0])).toEqual(['[DOWN]', '[UP]']);
    expect(fakes.teams.received.map((r) => r.json.attachments[0].content.body[0].color)).toEqual(['Attention', 'Good']);
    expect(fakes.ntfy.received.map((r) => r.json.title)).toEqual(['DOWN: Shop', 'UP: Shop']);
    const all = await notifications();
    expect(all).toHaveLength(10);
    const slackDown = all.find((n) => n.channel === 'slack' && n.kind === 'down');
    expect(slackDown).toMatchObject({ status: 'sent', attempts: 2 });
    expect(all.filter((n) => n !== slackDown).every((n) => n.status === 'sent' && n.attempts === 1)).toBe(true);
  });
});
