import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCertMessage, sampleDelivery, sampleMessage } from '../testing/fixtures.ts';
import { describeProviderErrors } from '../testing/provider-error-suite.ts';
import { startProviderFake, type ProviderFake } from '../testing/provider-fakes.ts';
import { PermanentError } from './channel.ts';
import { pagerdutyChannel, renderPagerDuty } from './pagerduty.ts';

const signal = new AbortController().signal;
const KEY = 'R0123456789ABCDEF0123456789ABCDE';
const delivery = (overrides = {}) => sampleDelivery({ channel: 'pagerduty', address: KEY, ...overrides });

describe('renderPagerDuty', () => {
  it.each([
    { kind: 'down' as const, action: 'trigger', summary: '[DOWN] Shop (https://shop.example/health)', timestamp: '2025-03-01T14:04:07.000Z' },
    { kind: 'reminder' as const, action: 'trigger', summary: '[STILL DOWN] Shop (https://shop.example/health) for 1 h 35 min', timestamp: '2025-03-01T15:38:07.000Z' },
  ])('$kind → $action with dedup_key = incident id', ({ kind, action, summary, timestamp }) => {
    expect(renderPagerDuty(delivery(), sampleMessage(kind))).toMatchObject({
      routing_key: KEY,
      event_action: action,
      dedup_key: 'inc_1',
      client_url: 'https://uptime.example/monitors/mon_1',
      payload: { summary, source: 'https://shop.example/health', severity: 'critical', component: 'Shop', timestamp, custom_details: { incident_id: 'inc_1', cause: 'HTTP 503' } },
    });
  });

  it('up → resolve of the same dedup_key, nothing else', () => {
    expect(renderPagerDuty(delivery(), sampleMessage('up'))).toEqual({ routing_key: KEY, dedup_key: 'inc_1', event_action: 'resolve' });
  });

  it('keeps the summary within PagerDuty’s 1024 characters', () => {
    const long = sampleMessage('down', { monitor: { id: 'mon_1', name: 'n'.repeat(2000), url: 'https://x.example/', timezone: null } });
    const rendered = renderPagerDuty(delivery(), long);
    expect('payload' in rendered && rendered.payload.summary.length).toBe(1024);
  });
});

describe('pagerdutyChannel against a local Events API v2', () => {
  let pd: ProviderFake;
  beforeAll(async () => {
    pd = await startProviderFake('pagerduty');
  });
  afterAll(async () => {
    await pd.close();
  });

  it('triggers on DOWN and resolves on UP, both on /v2/enqueue with the incident as dedup_key', async () => {
    const channel = pagerdutyChannel({ apiUrl: pd.url });
    await channel.send(delivery(), sampleMessage('down'), { signal });
    await channel.send(delivery({ kind: 'up' }), sampleMessage('up'), { signal });
    await channel.close();
    expect(pd.received.slice(-2).map((r) => [r.path, r.json.event_action, r.json.dedup_key])).toEqual([
      ['/v2/enqueue', 'trigger', 'inc_1'],
      ['/v2/enqueue', 'resolve', 'inc_1'],
    ]);
  });

  it('a routing key PagerDuty refuses is permanent, naming PagerDuty’s reason but not the key', async () => {
    const channel = pagerdutyChannel({ apiUrl: pd.url });
    const error = await channel.send(delivery({ address: 'short-key' }), sampleMessage('down'), { signal }).catch((e: unknown) => e);
    await channel.close();
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(/PagerDuty answered HTTP 400: .*routing_key' is incorrect/);
    expect((error as Error).message).not.toContain('short-key');
  });

  it('is dialled even on a loopback address: the endpoint is the operator’s, not a user’s', async () => {
    const channel = pagerdutyChannel({ apiUrl: `${pd.url}/` });
    await expect(channel.send(delivery(), sampleMessage('down'), { signal })).resolves.toBeUndefined();
    await channel.close();
  });
});

describeProviderErrors('pagerduty', {
  channel: (o, url) => pagerdutyChannel({ apiUrl: url, ...o }),
  delivery: () => delivery(),
});

describe('renderPagerDuty for a certificate', () => {
  it('triggers a warning of its own, keyed by monitor and certificate (not by an incident)', () => {
    const event = renderPagerDuty({ address: 'R'.repeat(32) }, sampleCertMessage());
    expect(event).toMatchObject({
      routing_key: 'R'.repeat(32),
      dedup_key: 'cert:mon_1:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef',
      event_action: 'trigger',
      payload: { summary: "[CERT] Shop: certificate for shop.example expires in 12 days (2025-03-13), issued by Let's Encrypt R11", severity: 'warning', class: 'certificate-expiry', custom_details: { days_left: 12, threshold_days: 14 } },
    });
    const sooner = sampleCertMessage({ cert: { ...sampleCertMessage().cert, threshold_days: 7 } });
    expect(renderPagerDuty({ address: 'R'.repeat(32) }, sooner).dedup_key).toBe(event.dedup_key);
  });
});
