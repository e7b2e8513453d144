// The guard at connect time, through the two parts that dial on a user's behalf: the probe and the
// webhook channel. A target written as an IPv6 form that embeds 127.0.0.1 (::127.0.0.1, which
// the product used to dial) must be refused before any connection is attempted, while a real
// server listens on 127.0.0.1 behind it. Names resolving to such forms go through the same guard
// (the probe's fake DNS shows it); the API's refusal at creation is in api/monitors/monitors.test.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../alerting/channels/channel.ts';
import { webhookChannel } from '../alerting/channels/webhook.ts';
import { sampleDelivery, sampleMessage } from '../alerting/testing/fixtures.ts';
import { startWebhookSink, type WebhookSink } from '../alerting/testing/webhook-sink.ts';
import type { LookupFn } from '../collector/check/connect.ts';
import { probe } from '../collector/probe.ts';
import { testMonitor } from '../collector/testing/monitor.ts';
import { httpTarget, type Target } from '../collector/testing/servers.ts';

const guarded = { allowPrivate: false, observer: 'test-observer' };

describe('probe: IPv6 forms embedding a private IPv4 address', () => {
  let site: Target;
  beforeAll(async () => {
    site = await httpTarget((_req, res) => res.end('secret'));
  });
  afterAll(async () => {
    await site.close();
  });

  it('refuses http://[::127.0.0.1]/ without dialling', async () => {
    const check = await probe(testMonitor({ url: `http://[::127.0.0.1]:${site.port}/` }), guarded);
    expect(check).toMatchObject({ status: 'down', error_type: 'blocked', resolved_ip: '::7f00:1', connect_us: null });
    expect(check.error_message).toMatch(/IPv4-compatible address ::7f00:1 .*loopback address 127\.0\.0\.1/);
    expect(site.requests).toHaveLength(0);
  });

  // Only loopback-embedding answers: were the guard to let one through, nothing leaves the machine.
  it.each([
    ['::ffff:0:7f00:1', /IPv4-translated/],
    ['64:ff9b::7f00:1', /NAT64/],
    ['2002:7f00:1::1', /6to4 .*127\.0\.0\.1/],
  ])('refuses a name that resolves to %s', async (address, reason) => {
    const lookup: LookupFn = async () => ({ address, family: 6 });
    const check = await probe(testMonitor({ url: `http://status.example:${site.port}/` }), { ...guarded, lookup });
    expect(check).toMatchObject({ status: 'down', error_type: 'blocked', resolved_ip: address, connect_us: null });
    expect(check.error_message).toMatch(reason);
  });
});

describe('webhook channel: IPv6 forms embedding a private IPv4 address', () => {
  let sink: WebhookSink;
  beforeAll(async () => {
    sink = await startWebhookSink();
  });
  afterAll(async () => {
    await sink.close();
  });

  it('refuses http://[::127.0.0.1]/ as permanent, without dialling', async () => {
    const channel = webhookChannel({ signingKey: 'k'.repeat(48), allowPrivate: false, timeoutMs: 2000 });
    const port = new URL(sink.url).port;
    const delivery = sampleDelivery({ channel: 'webhook', address: `http://[::127.0.0.1]:${port}/hook`, contact_id: 'con_1' });
    try {
      const sent = channel.send(delivery, sampleMessage('down'), { signal: new AbortController().signal });
      await expect(sent).rejects.toBeInstanceOf(PermanentError);
      await expect(sent).rejects.toThrow(/refused: IPv4-compatible address ::7f00:1/);
      expect(sink.hooks).toHaveLength(0);
    } finally {
      await channel.close();
    }
  });
});
