import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCertMessage, sampleDelivery, sampleMessage } from '../testing/fixtures.ts';
import { startTwilioFake, type TwilioFake } from '../testing/twilio-fake.ts';
import { PermanentError, TransientError } from './channel.ts';
import { renderSms, SMS_MAX, smsChannel } from './sms.ts';

const signal = new AbortController().signal;

describe('renderSms', () => {
  it.each([
    { kind: 'down', text: 'DOWN: Shop (shop.example/health) - HTTP 503 since 14:03 UTC. https://uptime.example/monitors/mon_1' },
    { kind: 'up', text: 'UP: Shop (shop.example/health) is back after 12 min. https://uptime.example/monitors/mon_1' },
    { kind: 'reminder', text: 'STILL DOWN: Shop (shop.example/health) for 1 h 35 min - HTTP 503. https://uptime.example/monitors/mon_1' },
  ] as const)('$kind', ({ kind, text }) => {
    expect(renderSms(sampleMessage(kind))).toBe(text);
  });

  it('stays under 160 characters with a long name, URL and error message', () => {
    const base = sampleMessage('down');
    const long = {
      ...base,
      monitor: { ...base.monitor, name: 'N'.repeat(120), url: `https://${'a'.repeat(100)}.example/` },
      incident: { ...base.incident, cause_type: 'connect' as const, cause_message: 'x'.repeat(300), cause_status_code: null },
    };
    for (const kind of ['down', 'up', 'reminder'] as const) {
      const text = renderSms({ ...long, kind });
      expect(text.length).toBeLessThanOrEqual(SMS_MAX);
      expect(text).toContain('NNNN');
    }
  });

  it('drops the link before dropping the cause', () => {
    const base = sampleMessage('down');
    const text = renderSms({ ...base, link: `https://uptime.example/${'x'.repeat(100)}` });
    expect(text).toBe('DOWN: Shop (shop.example/health) - HTTP 503 since 14:03 UTC');
  });
});

describe('smsChannel against a local server speaking Twilio’s API', () => {
  let fake: TwilioFake;
  beforeAll(async () => {
    fake = await startTwilioFake();
  });
  afterAll(async () => {
    await fake.close();
  });

  const channel = (overrides: { authToken?: string } = {}) =>
    smsChannel({ accountSid: fake.accountSid, authToken: overrides.authToken ?? fake.authToken, from: '+15550001111', apiUrl: fake.url });

  it('sends To, From and Body with basic auth', async () => {
    await channel().send(sampleDelivery({ channel: 'sms', address: '+33612345678' }), sampleMessage('down'), { signal });
    const sent = fake.messages.at(-1);
    expect(sent).toMatchObject({ to: '+33612345678', from: '+15550001111' });
    expect(sent?.body).toMatch(/^DOWN: Shop/);
  });

  it.each([
    { what: 'an invalid number (21211)', address: '12345', error: PermanentError },
    { what: 'a number that cannot receive SMS (21614)', address: '+15005550009', error: PermanentError },
  ])('$what is a permanent error', async ({ address, error }) => {
    fake.notMobile.add('+15005550009');
    const sending = channel().send(sampleDelivery({ channel: 'sms', address }), sampleMessage('down'), { signal });
    await expect(sending).rejects.toBeInstanceOf(error);
  });

  it('rate limiting (429 / 20429) is transient, and the next attempt goes through', async () => {
    fake.rateLimitNext(1);
    const before = fake.messages.length;
    const delivery = sampleDelivery({ channel: 'sms', address: '+33612345679' });
    await expect(channel().send(delivery, sampleMessage('up'), { signal })).rejects.toBeInstanceOf(TransientError);
    expect(fake.messages.length).toBe(before);
    await channel().send(delivery, sampleMessage('up'), { signal });
    expect(fake.messages.length).toBe(before + 1);
  });

  it('wrong credentials are transient (the operator can fix them) and name the Twilio code', async () => {
    const sending = channel({ authToken: 'wrong' }).send(sampleDelivery({ channel: 'sms', address: '+33612345678' }), sampleMessage('down'), { signal });
    await expect(sending).rejects.toThrow(/401.*20003/);
    await expect(sending).rejects.toBeInstanceOf(TransientError);
  });

  it('an unreachable API is transient', async () => {
    const sms = smsChannel({ accountSid: 'AC1', authToken: 't', from: '+1555', apiUrl: 'http://127.0.0.1:9', timeoutMs: 1000 });
    await expect(sms.send(sampleDelivery({ channel: 'sms', address: '+33612345678' }), sampleMessage('down'), { signal })).rejects.toBeInstanceOf(TransientError);
  });
});

describe('renderSms for a certificate', () => {
  it.each([
    { name: 'Shop', says: 'CERT: Shop - certificate for shop.example expires in 12 days (2025-03-13). https://uptime.example/monitors/mon_1' },
    { name: 'S'.repeat(60), says: `CERT: ${'S'.repeat(60)} - certificate for shop.example expires in 12 days (2025-03-13)` },
  ])('fits one segment: $says', ({ name, says }) => {
    const base = sampleCertMessage();
    const text = renderSms(sampleCertMessage({ monitor: { ...base.monitor, name } }));
    expect(text).toBe(says);
    expect(text.length).toBeLessThanOrEqual(SMS_MAX);
  });
});
