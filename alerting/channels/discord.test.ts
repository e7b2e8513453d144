import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCertMessage, sampleDelivery, sampleMessage } from '../testing/fixtures.ts';
import { describeProviderErrors } from '../testing/provider-error-suite.ts';
import { startProviderFake, type ProviderFake } from '../testing/provider-fakes.ts';
import { discordChannel, renderDiscord } from './discord.ts';

const signal = new AbortController().signal;

describe('renderDiscord', () => {
  it.each([
    { kind: 'down' as const, title: '[DOWN] Shop (https://shop.example/health)', color: 0xd93025, first: { name: 'Status', value: 'DOWN' }, timestamp: '2025-03-01T14:04:07.000Z' },
    { kind: 'up' as const, title: '[UP] Shop (https://shop.example/health) is back after 12 min', color: 0x188038, first: { name: 'Status', value: 'UP again after 12 min of downtime' }, timestamp: '2025-03-01T14:15:07.000Z' },
    { kind: 'reminder' as const, title: '[STILL DOWN] Shop (https://shop.example/health) for 1 h 35 min', color: 0xf29900, first: { name: 'Status', value: 'still DOWN, for 1 h 35 min' }, timestamp: '2025-03-01T15:38:07.000Z' },
  ])('$kind: one embed with title, colour, facts and time', ({ kind, title, color, first, timestamp }) => {
    const payload = renderDiscord(sampleMessage(kind));
    expect(payload.allowed_mentions).toEqual({ parse: [] });
    expect(payload.embeds).toHaveLength(1);
    expect(payload.embeds[0]).toMatchObject({ title, color, url: 'https://uptime.example/monitors/mon_1', timestamp });
    expect(payload.embeds[0]?.fields[0]).toEqual({ ...first, inline: false });
  });

  it('keeps the title within Discord’s 256 characters', () => {
    const payload = renderDiscord(sampleMessage('down', { monitor: { id: 'mon_1', name: 'n'.repeat(400), url: 'https://x.example/', timezone: null } }));
    expect(payload.embeds[0]?.title.length).toBe(256);
  });
});

describe('discordChannel against a local Discord server', () => {
  let discord: ProviderFake;
  beforeAll(async () => {
    discord = await startProviderFake('discord');
  });
  afterAll(async () => {
    await discord.close();
  });

  it('posts the embed to the webhook URL, which Discord accepts (204)', async () => {
    const channel = discordChannel({ allowPrivate: true });
    await channel.send(sampleDelivery({ channel: 'discord', address: `${discord.url}/api/webhooks/123/tok` }), sampleMessage('up'), { signal });
    await channel.close();
    expect(discord.received.at(-1)).toMatchObject({ path: '/api/webhooks/123/tok', json: { embeds: [{ title: expect.stringContaining('[UP] Shop') }] } });
  });

  it('Discord’s own rate limit (fractional Retry-After) asks for that wait, rounded up', async () => {
    discord.rateLimit('1.5');
    const channel = discordChannel({ allowPrivate: true });
    await expect(channel.send(sampleDelivery({ channel: 'discord', address: `${discord.url}/api/webhooks/1/t` }), sampleMessage('down'), { signal })).rejects.toMatchObject({
      name: 'TransientError',
      retryAfterMs: 1_500,
    });
    await channel.close();
  });
});

describeProviderErrors('discord', {
  channel: (o) => discordChannel({ allowPrivate: true, ...o }),
  delivery: (url) => sampleDelivery({ channel: 'discord', address: `${url}/api/webhooks/123/tok` }),
});

describe('renderDiscord for a certificate', () => {
  it('titles the embed with the [CERT] line, amber, stamped at render time', () => {
    const message = sampleCertMessage();
    const [embed] = renderDiscord(message).embeds;
    expect(embed).toMatchObject({ title: "[CERT] Shop: certificate for shop.example expires in 12 days (2025-03-13), issued by Let's Encrypt R11", color: 0xf29900, timestamp: new Date(message.now).toISOString() });
    expect(embed!.fields.map((f) => f.name)).toEqual(['Status', 'Expires', 'Issuer', 'SHA-256', 'Threshold', 'URL']);
  });
});
