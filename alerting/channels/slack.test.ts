import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCertMessage, sampleDelivery, sampleMessage } from '../testing/fixtures.ts';
import { describeProviderErrors } from '../testing/provider-error-suite.ts';
import { startProviderFake, type ProviderFake } from '../testing/provider-fakes.ts';
import { PermanentError } from './channel.ts';
import { renderSlack, slackChannel, slackEscape } from './slack.ts';

const signal = new AbortController().signal;

describe('renderSlack', () => {
  it.each([
    { kind: 'down' as const, text: ':red_circle: [DOWN] Shop (https://shop.example/health)', facts: ['*Status:* DOWN', '*Cause:* HTTP 503', '*Confirmed:* 2025-03-01 14:04:07 UTC (15:04:07 GMT+1, Europe/Paris) from paris'] },
    { kind: 'up' as const, text: ':large_green_circle: [UP] Shop (https://shop.example/health) is back after 12 min', facts: ['*Status:* UP again after 12 min of downtime', '*Cause was:* HTTP 503'] },
    { kind: 'reminder' as const, text: ':warning: [STILL DOWN] Shop (https://shop.example/health) for 1 h 35 min', facts: ['*Status:* still DOWN, for 1 h 35 min'] },
  ])('$kind: headline as text, the facts and a link to the monitor', ({ kind, text, facts }) => {
    const payload = renderSlack(sampleMessage(kind));
    expect(payload.text).toBe(text);
    const section = payload.blocks[1]?.text?.text ?? '';
    for (const fact of facts) expect(section).toContain(fact);
    expect(payload.blocks[2]).toMatchObject({ elements: [{ text: '<https://uptime.example/monitors/mon_1|Open Shop in downtime-monitor>' }] });
  });

  it('escapes the user’s text so a monitor name cannot mention the channel', () => {
    const message = sampleMessage('down', { monitor: { id: 'mon_1', name: '<!channel> A&B', url: 'https://x.example/', timezone: null } });
    const payload = renderSlack(message);
    expect(payload.text).toContain('&lt;!channel&gt; A&amp;B');
    expect(JSON.stringify(payload.blocks.slice(1))).not.toContain('<!channel>');
    expect(slackEscape('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it('keeps the header within Slack’s 150 characters and the facts within 3000', () => {
    const long = sampleMessage('down', {
      monitor: { id: 'mon_1', name: 'n'.repeat(300), url: 'https://x.example/', timezone: null },
      incident: { ...sampleMessage('down').incident, cause_type: 'body', cause_message: 'm'.repeat(5000), cause_status_code: null },
    });
    const payload = renderSlack(long);
    expect(payload.blocks[0]?.text?.text.length).toBe(150);
    expect(payload.blocks[1]?.text?.text.length).toBe(3000);
    expect(renderSlack(sampleMessage('down')).blocks[0]?.text?.text).toBe('[DOWN] Shop (https://shop.example/health)');
  });
});

describe('slackChannel against a local Slack server', () => {
  let slack: ProviderFake;
  beforeAll(async () => {
    slack = await startProviderFake('slack');
  });
  afterAll(async () => {
    await slack.close();
  });

  it('posts the payload to the webhook URL, which Slack accepts', async () => {
    const channel = slackChannel({ allowPrivate: true });
    await channel.send(sampleDelivery({ channel: 'slack', address: `${slack.url}/services/T1/B2/xyz` }), sampleMessage('down'), { signal });
    await channel.close();
    expect(slack.received.at(-1)).toMatchObject({ path: '/services/T1/B2/xyz', json: { text: expect.stringContaining('[DOWN] Shop') } });
  });

  it('refuses a loopback URL when private targets are not allowed, sending nothing', async () => {
    const channel = slackChannel({ allowPrivate: false });
    const before = slack.requests;
    await expect(channel.send(sampleDelivery({ channel: 'slack', address: `${slack.url}/services/x` }), sampleMessage('down'), { signal })).rejects.toBeInstanceOf(PermanentError);
    await expect(
      channel.send(sampleDelivery({ channel: 'slack', address: `${slack.url.replace('127.0.0.1', 'localhost')}/services/x` }), sampleMessage('down'), { signal }),
    ).rejects.toThrow(/refused.*loopback/);
    await channel.close();
    expect(slack.requests).toBe(before);
  });
});

describeProviderErrors('slack', {
  channel: (o) => slackChannel({ allowPrivate: true, ...o }),
  delivery: (url) => sampleDelivery({ channel: 'slack', address: `${url}/services/T1/B2/xyz` }),
});

describe('renderSlack for a certificate', () => {
  it('heads with the [CERT] line and lists the certificate facts', () => {
    const payload = renderSlack(sampleCertMessage());
    expect(payload.text).toBe(":lock: [CERT] Shop: certificate for shop.example expires in 12 days (2025-03-13), issued by Let's Encrypt R11");
    expect(JSON.stringify(payload.blocks)).toContain('*SHA-256:* 5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef');
  });
});
