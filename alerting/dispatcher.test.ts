import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTACT_DELETED } from '../store/contract.ts';
import { openSqliteStore } from '../store/sqlite/open.ts';
import { allDeliveries } from '../store/testing/deliveries.ts';
import type { ContactType, Delivery, Monitor } from '../store/types.ts';
import { createMetrics } from '../telemetry/metrics.ts';
import type { Channel } from './channels/channel.ts';
import { discordChannel } from './channels/discord.ts';
import { emailChannel } from './channels/email.ts';
import { ntfyChannel } from './channels/ntfy.ts';
import { pagerdutyChannel } from './channels/pagerduty.ts';
import { slackChannel } from './channels/slack.ts';
import { smsChannel } from './channels/sms.ts';
import { teamsChannel } from './channels/teams.ts';
import { verifyWebhookSignature, webhookChannel, webhookSigningSecret } from './channels/webhook.ts';
import { startDispatcher, type DispatcherDeps } from './dispatcher.ts';
import { createEvaluator } from './evaluator.ts';
import { createIncidentLookup } from './lookups.ts';
import { startProviderFake, type Provider, type ProviderFake } from './testing/provider-fakes.ts';
import { startSmtpSink, type SmtpSink } from './testing/smtp-sink.ts';
import { startTwilioFake, type TwilioFake } from './testing/twilio-fake.ts';
import { startWebhookSink, type WebhookSink } from './testing/webhook-sink.ts';
import { createWorld, silentLog, type World } from './testing/world.ts';

const KEY = 's'.repeat(40);
let world: World;
let smtp: SmtpSink;
let twilio: TwilioFake;
let hooks: WebhookSink;
let channels: Map<ContactType, Channel>;

beforeEach(async () => {
  world = await createWorld();
  [smtp, twilio, hooks] = await Promise.all([startSmtpSink(), startTwilioFake(), startWebhookSink()]);
  channels = new Map<ContactType, Channel>([
    ['email', emailChannel({ smtpUrl: smtp.url, from: 'uptime@example.com', messageIdDomain: 'test', timeoutMs: 2_000 })],
    ['sms', smsChannel({ accountSid: twilio.accountSid, authToken: twilio.authToken, from: '+15550001111', apiUrl: twilio.url })],
    ['webhook', webhookChannel({ signingKey: KEY, allowPrivate: true })],
  ]);
});
afterEach(async () => {
  await Promise.all([...channels.values()].map((c) => c.close()));
  await Promise.all([smtp.stop(), twilio.close(), hooks.close()]);
  await world.close();
});

/** A monitor that went down through the real evaluator, leaving one delivery per contact. */
async function outage(contacts: [ContactType, string][]): Promise<Monitor> {
  const monitor = await world.addMonitor({ name: 'Shop' });
  for (const [type, address] of contacts) await world.addContact(monitor, type, address);
  await world.writeCheck(monitor, 'down', Date.now() - 2_000);
  await world.writeCheck(monitor, 'down', Date.now() - 1_000);
  await createEvaluator({ store: world.store, incidents: createIncidentLookup(world.store), log: silentLog, metrics: createMetrics(), clock: Date.now }).evaluateOnce();
  return monitor;
}

function dispatcher(overrides: Partial<DispatcherDeps> = {}) {
  return startDispatcher({
    store: world.store,
    channels,
    incidents: createIncidentLookup(world.store),
    log: silentLog,
    metrics: createMetrics(),
    clock: Date.now,
    workerId: 'w1',
    publicUrl: 'http://uptime.test',
    pollMs: 50,
    backoff: { baseMs: 200, maxMs: 400, giveUpAfterMs: 24 * 3_600_000 },
    ...overrides,
  });
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const listed = async (m: Monitor): Promise<Delivery[]> => (await allDeliveries(world.store, world.user.id, m.id)) ?? [];
const allFinal = (m: Monitor) => async () => (await listed(m)).every((d) => d.status !== 'pending');

describe('dispatcher', () => {
  it('sends each delivery once through its channel and marks it sent', async () => {
    const monitor = await outage([
      ['email', 'ops@example.com'],
      ['sms', '+33612345678'],
      ['webhook', `${hooks.url}/hook`],
    ]);
    const d = dispatcher();
    await until('all sent', allFinal(monitor));
    await d.stop();
    expect((await listed(monitor)).map((x) => [x.channel, x.status, x.attempts]).sort()).toEqual([
      ['email', 'sent', 1],
      ['sms', 'sent', 1],
      ['webhook', 'sent', 1],
    ]);
    expect(smtp.mails.map((m) => m.subject)).toEqual(['[DOWN] Shop (https://site1.example/)']);
    expect(smtp.mails[0]?.text).toContain(`Details: http://uptime.test/monitors/${monitor.id}`);
    expect(twilio.messages.map((m) => m.body)).toEqual([expect.stringMatching(/^DOWN: Shop \(site1\.example\) - HTTP 503/)]);
    const hook = hooks.hooks[0];
    const contact = (await world.store.listContacts(world.user.id, monitor.id)).find((c) => c.type === 'webhook');
    expect(verifyWebhookSignature(webhookSigningSecret(KEY, contact?.id ?? ''), String(hook?.headers['x-uptime-signature']), hook?.body ?? '', Date.now())).toBe(true);
    expect(JSON.parse(hook?.body ?? '{}').check).toMatchObject({ status: 'down', status_code: 503 });
  });

  it('retries a transient failure with backoff and delivers once the SMTP server is back', async () => {
    await smtp.stop();
    const monitor = await outage([['email', 'ops@example.com']]);
    const d = dispatcher();
    await until('a failed attempt', async () => (await listed(monitor))[0]?.attempts === 1);
    const failed = (await listed(monitor))[0];
    expect(failed).toMatchObject({ status: 'pending', last_error: expect.stringMatching(/SMTP/) });
    expect(failed?.next_attempt_at).toBeGreaterThan(Date.now() - 50);
    await smtp.start();
    await until('sent', allFinal(monitor));
    await new Promise((r) => setTimeout(r, 300));
    await d.stop();
    expect((await listed(monitor))[0]).toMatchObject({ status: 'sent' });
    expect(smtp.mails).toHaveLength(1);
  });

  it('retries a delivery whose incident is not visible yet (a search engine shows indices in either order), sending it once', async () => {
    const monitor = await outage([['email', 'ops@example.com']]);
    const real = createIncidentLookup(world.store);
    let lookups = 0;
    const lagging = { remember: real.remember, find: (...args: Parameters<typeof real.find>) => (++lookups === 1 ? Promise.resolve(null) : real.find(...args)) };
    const d = dispatcher({ incidents: lagging });
    await until('sent', allFinal(monitor));
    await d.stop();
    expect((await listed(monitor))[0]).toMatchObject({ status: 'sent', attempts: 2 });
    expect(smtp.mails).toHaveLength(1);
  });

  it('marks a permanently refused delivery dead at once', async () => {
    smtp.rejected.add('nobody@example.com');
    const monitor = await outage([
      ['email', 'nobody@example.com'],
      ['sms', '+1'],
    ]);
    const d = dispatcher();
    await until('final', allFinal(monitor));
    await d.stop();
    const rows = await listed(monitor);
    expect(rows.map((r) => [r.channel, r.status, r.attempts]).sort()).toEqual([
      ['email', 'dead', 1],
      ['sms', 'dead', 1],
    ]);
    expect(rows.find((r) => r.channel === 'sms')?.last_error).toMatch(/21211/);
  });

  it('gives up (dead) on a delivery still failing 24 h after it was created', async () => {
    await smtp.stop();
    const monitor = await outage([['email', 'ops@example.com']]);
    const d = dispatcher({ clock: () => Date.now() + 24 * 3_600_000 });
    await until('dead', allFinal(monitor));
    await d.stop();
    expect((await listed(monitor))[0]).toMatchObject({ status: 'dead', attempts: 1 });
  });

  it('sends DOWN before UP to each contact even when a dead worker still holds the DOWN', async () => {
    const monitor = await outage([
      ['email', 'ops@example.com'],
      ['sms', '+33612345678'],
    ]);
    await world.writeCheck(monitor, 'up', Date.now());
    // The UP is enqueued due 50 ms from now, so that the ghost below claims the DOWNs even when
    // both evaluations fall in the same millisecond (due times tie, and ids then order at random).
    const later = () => Date.now() + 50;
    await createEvaluator({ store: world.store, incidents: createIncidentLookup(world.store), log: silentLog, metrics: createMetrics(), clock: later }).evaluateOnce();
    // A worker that crashed after claiming the DOWN messages: its lease runs out in 800 ms.
    const ghost = await world.store.claimDueDeliveries('ghost', Date.now(), 800, 2);
    expect(ghost.map((g) => g.kind)).toEqual(['down', 'down']);
    const d = dispatcher();
    await until('all sent', allFinal(monitor));
    await d.stop();
    expect(smtp.mails.map((m) => m.subject.split(' ')[0])).toEqual(['[DOWN]', '[UP]']);
    expect(twilio.messages.map((m) => m.body.split(':')[0])).toEqual(['DOWN', 'UP']);
  });

  it('cancels, unsent, a delivery whose contact was deleted while another worker held it', async () => {
    const monitor = await outage([
      ['email', 'ops@example.com'],
      ['email', 'gone@example.com'],
    ]);
    // A worker that crashed after claiming both DOWN messages: its lease runs out in 800 ms. The
    // contact deleted meanwhile keeps its delivery pending (the store leaves a leased one alone).
    expect(await world.store.claimDueDeliveries('ghost', Date.now(), 800, 2)).toHaveLength(2);
    const gone = (await world.store.listContacts(world.user.id, monitor.id)).find((c) => c.address === 'gone@example.com');
    expect(await world.store.deleteContact(world.user.id, monitor.id, gone?.id ?? '')).toBe(true);
    expect((await listed(monitor)).map((d) => d.status)).toEqual(['pending', 'pending']);

    const d = dispatcher();
    await until('all final', allFinal(monitor));
    await d.stop();
    expect(smtp.mails.map((m) => m.to)).toEqual([['ops@example.com']]);
    const byAddress = Object.fromEntries((await listed(monitor)).map((x) => [x.address, x]));
    expect(byAddress['ops@example.com']).toMatchObject({ status: 'sent', attempts: 1 });
    expect(byAddress['gone@example.com']).toMatchObject({ status: 'cancelled', attempts: 0, sent_at: null, last_error: CONTACT_DELETED });
  });

  it('never sends to a contact deleted after the transition was evaluated', async () => {
    const monitor = await outage([['sms', '+33612345678']]);
    const [contact] = await world.store.listContacts(world.user.id, monitor.id);
    await world.store.deleteContact(world.user.id, monitor.id, contact?.id ?? '');
    // An evaluator that listed the contact just before the delete enqueues its delivery just after.
    const [delivery] = await listed(monitor);
    const late = { ...delivery!, id: `${delivery!.id}-late`, status: 'pending' as const, last_error: null };
    await world.store.enqueueDeliveries([late]);
    const d = dispatcher();
    await until('final', allFinal(monitor));
    await d.stop();
    expect(twilio.messages).toEqual([]);
    expect((await listed(monitor)).map((x) => x.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('sends once a message whose send outlasts its lease (claimed again by the same dispatcher meanwhile)', async () => {
    // A slow SMTP server: the send takes longer than the lease, well within the channel's timeout.
    await channels.get('email')?.close();
    channels.set('email', emailChannel({ smtpUrl: smtp.url, from: 'uptime@example.com', messageIdDomain: 'test', timeoutMs: 30_000 }));
    smtp.hold = true;
    const monitor = await outage([['email', 'ops@example.com']]);
    const d = dispatcher({ leaseMs: 300, sendTimeoutMs: 30_000 });
    await until('the send in flight', async () => smtp.held() === 1);
    const [first] = await listed(monitor);
    // The lease ran out during the send and the dispatcher claimed the delivery again.
    await until('a renewed lease', async () => ((await listed(monitor))[0]?.lease_expires_at ?? 0) > (first?.lease_expires_at ?? 0));
    smtp.release(true);
    smtp.hold = false;
    await until('sent', allFinal(monitor));
    await d.stop();
    expect(smtp.mails).toHaveLength(1);
    expect((await listed(monitor))[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('two dispatchers on separate connections send each message exactly once', async () => {
    const contacts: [ContactType, string][] = Array.from({ length: 12 }, (_, i) => ['email', `ops${i}@example.com`]);
    const monitor = await outage(contacts);
    const other = await openSqliteStore({ dataDir: world.dir });
    const a = dispatcher({ workerId: 'a', concurrency: 3 });
    const b = dispatcher({ workerId: 'b', concurrency: 3, store: other });
    try {
      await until('all sent', allFinal(monitor));
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await other.close();
    }
    expect(smtp.mails).toHaveLength(12);
    expect(new Set(smtp.mails.map((m) => m.to[0])).size).toBe(12);
  });
});

describe('dispatcher with the chat and paging channels', () => {
  const PD_KEY = 'R0123456789ABCDEF0123456789ABCDE';
  let fakes: Record<Provider, ProviderFake>;
  beforeEach(async () => {
    const [slack, discord, teams, pagerduty, ntfy] = await Promise.all((['slack', 'discord', 'teams', 'pagerduty', 'ntfy'] as const).map(startProviderFake));
    fakes = { slack: slack!, discord: discord!, teams: teams!, pagerduty: pagerduty!, ntfy: ntfy! };
    channels.set('slack', slackChannel({ allowPrivate: true }));
    channels.set('discord', discordChannel({ allowPrivate: true }));
    channels.set('teams', teamsChannel({ allowPrivate: true }));
    channels.set('pagerduty', pagerdutyChannel({ apiUrl: fakes.pagerduty.url }));
    channels.set('ntfy', ntfyChannel({ allowPrivate: true }));
  });
  afterEach(async () => {
    await Promise.all(Object.values(fakes).map((f) => f.close()));
  });
  const contacts = (): [ContactType, string][] => [
    ['slack', `${fakes.slack.url}/services/T1/B2/x`],
    ['discord', `${fakes.discord.url}/api/webhooks/1/t`],
    ['teams', `${fakes.teams.url}/workflows/w/triggers/manual/paths/invoke?sig=s`],
    ['pagerduty', PD_KEY],
    ['ntfy', `${fakes.ntfy.url}/acme-alerts`],
  ];

  it('tells each provider of DOWN then UP exactly once; PagerDuty triggers and resolves the incident’s dedup_key', async () => {
    const monitor = await outage(contacts());
    const d = dispatcher();
    await until('DOWN sent', allFinal(monitor));
    await world.writeCheck(monitor, 'up', Date.now());
    await createEvaluator({ store: world.store, incidents: createIncidentLookup(world.store), log: silentLog, metrics: createMetrics(), clock: Date.now }).evaluateOnce();
    await until('UP sent', async () => (await listed(monitor)).length === 10 && (await allFinal(monitor)()));
    await new Promise((r) => setTimeout(r, 300));
    await d.stop();
    const rows = await listed(monitor);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    for (const fake of Object.values(fakes)) expect(fake.received).toHaveLength(2);
    const incidentId = rows[0]?.incident_id;
    expect(fakes.pagerduty.received.map((r) => [r.json.event_action, r.json.dedup_key])).toEqual([
      ['trigger', incidentId],
      ['resolve', incidentId],
    ]);
    expect(fakes.slack.received.map((r) => r.json.text.split(' ')[1])).toEqual(['[DOWN]', '[UP]']);
    expect(fakes.ntfy.received.map((r) => r.json.title)).toEqual(['DOWN: Shop', 'UP: Shop']);
  });

  it('waits out a provider’s 429 Retry-After, longer than its own backoff, then sends once', async () => {
    fakes.slack.rateLimit(2);
    const monitor = await outage([contacts()[0]!]);
    const d = dispatcher();
    await until('the rate-limited attempt', async () => (await listed(monitor))[0]?.attempts === 1);
    const limitedAt = Date.now();
    const pending = (await listed(monitor))[0];
    expect(pending).toMatchObject({ status: 'pending', last_error: expect.stringMatching(/Slack answered HTTP 429: rate_limited/) });
    // The test's backoff is at most 400 ms: only the provider's 2 s explains a later attempt.
    expect(pending?.next_attempt_at).toBeGreaterThanOrEqual(limitedAt + 1_500);
    await until('sent', allFinal(monitor), 15_000);
    await d.stop();
    expect(fakes.slack.received).toHaveLength(1);
    expect(fakes.slack.received[0]!.at - limitedAt).toBeGreaterThanOrEqual(1_500);
    expect((await listed(monitor))[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('retries a provider’s 500 and marks a provider’s 400 dead at once, with the provider’s words', async () => {
    fakes.discord.respond.push({ status: 500 });
    fakes.teams.respond.push({ status: 400, body: 'the flow was deleted' });
    const monitor = await outage(contacts().filter(([type]) => type === 'discord' || type === 'teams'));
    const d = dispatcher();
    await until('final', allFinal(monitor));
    await d.stop();
    const byChannel = Object.fromEntries((await listed(monitor)).map((r) => [r.channel, r]));
    expect(byChannel.discord).toMatchObject({ status: 'sent', attempts: 2 });
    expect(byChannel.teams).toMatchObject({ status: 'dead', attempts: 1, last_error: 'Teams answered HTTP 400: the flow was deleted' });
    expect(fakes.discord.received).toHaveLength(1);
    expect(fakes.teams.received).toHaveLength(0);
  });
});
