import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sampleCertMessage, sampleDelivery, sampleMessage } from '../testing/fixtures.ts';
import { describeProviderErrors } from '../testing/provider-error-suite.ts';
import { startProviderFake, type ProviderFake } from '../testing/provider-fakes.ts';
import { PermanentError } from './channel.ts';
import { ntfyChannel, parseNtfyAddress, renderNtfy } from './ntfy.ts';

const signal = new AbortController().signal;

describe('parseNtfyAddress', () => {
  it.each([
    { address: 'https://ntfy.sh/acme-alerts', target: { publishUrl: 'https://ntfy.sh/', topic: 'acme-alerts', authorization: null } },
    { address: 'https://ntfy.example.com/ntfy/ops_1', target: { publishUrl: 'https://ntfy.example.com/ntfy/', topic: 'ops_1', authorization: null } },
    { address: 'https://:tk_abc@ntfy.example.com/ops', target: { publishUrl: 'https://ntfy.example.com/', topic: 'ops', authorization: 'Bearer tk_abc' } },
    { address: 'https://ann:s%3Acret@ntfy.example.com/ops', target: { publishUrl: 'https://ntfy.example.com/', topic: 'ops', authorization: `Basic ${Buffer.from('ann:s:cret').toString('base64')}` } },
    { address: 'https://ntfy.sh/', target: null },
    { address: 'https://ntfy.sh/bad.topic', target: null },
    { address: `https://ntfy.sh/${'t'.repeat(65)}`, target: null },
    { address: 'ftp://ntfy.sh/ops', target: null },
    { address: 'ntfy.sh/ops', target: null },
  ])('$address → $target', ({ address, target }) => {
    expect(parseNtfyAddress(address)).toEqual(target);
  });
});

describe('renderNtfy', () => {
  it.each([
    { kind: 'down' as const, title: 'DOWN: Shop', priority: 4, tags: ['rotating_light'], first: 'https://shop.example/health is down: HTTP 503.' },
    { kind: 'up' as const, title: 'UP: Shop', priority: 3, tags: ['white_check_mark'], first: 'https://shop.example/health is back after 12 min.' },
    { kind: 'reminder' as const, title: 'STILL DOWN: Shop', priority: 4, tags: ['warning'], first: 'https://shop.example/health has been down for 1 h 35 min: HTTP 503.' },
  ])('$kind: title, priority $priority, tags and a click to the monitor', ({ kind, title, priority, tags, first }) => {
    const body = renderNtfy('ops', sampleMessage(kind));
    expect(body).toMatchObject({ topic: 'ops', title, priority, tags, click: 'https://uptime.example/monitors/mon_1' });
    expect(body.message.split('\n')[0]).toBe(first);
  });
});

describe('ntfyChannel against a local ntfy server', () => {
  let ntfy: ProviderFake;
  beforeAll(async () => {
    ntfy = await startProviderFake('ntfy');
  });
  afterAll(async () => {
    await ntfy.close();
  });
  afterEach(() => {
    ntfy.token = null;
  });
  const send = async (address: string) => {
    const channel = ntfyChannel({ allowPrivate: true });
    try {
      await channel.send(sampleDelivery({ channel: 'ntfy', address }), sampleMessage('down'), { signal });
    } finally {
      await channel.close();
    }
  };

  it('publishes to the topic as JSON, at the server’s root', async () => {
    await send(`${ntfy.url}/acme-alerts`);
    expect(ntfy.received.at(-1)).toMatchObject({ path: '/', json: { topic: 'acme-alerts', title: 'DOWN: Shop' } });
    expect(ntfy.received.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('sends the token in the URL as a bearer token, and never dials the URL with it', async () => {
    ntfy.token = 'tk_secret';
    await send(ntfy.url.replace('http://', 'http://:tk_secret@') + '/private');
    expect(ntfy.received.at(-1)).toMatchObject({ json: { topic: 'private' }, headers: { authorization: 'Bearer tk_secret' } });
  });

  it.each([
    { case: 'no token', address: (u: string) => `${u}/private`, status: 401 },
    { case: 'a wrong token', address: (u: string) => u.replace('http://', 'http://:tk_wrong@') + '/private', status: 403 },
  ])('a protected topic with $case is permanent (HTTP $status), the token not repeated', async ({ address, status }) => {
    ntfy.token = 'tk_secret';
    const error = await send(address(ntfy.url)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toContain(`ntfy answered HTTP ${status}`);
    expect((error as Error).message).not.toContain('tk_');
  });

  it('refuses an address that is not a topic URL without dialling', async () => {
    const before = ntfy.requests;
    await expect(send(`${ntfy.url}/`)).rejects.toBeInstanceOf(PermanentError);
    expect(ntfy.requests).toBe(before);
  });
});

describeProviderErrors('ntfy', {
  channel: (o) => ntfyChannel({ allowPrivate: true, ...o }),
  delivery: (url) => sampleDelivery({ channel: 'ntfy', address: `${url}/acme-alerts` }),
});

describe('renderNtfy for a certificate', () => {
  it('publishes a default-priority CERT message with a lock', () => {
    expect(renderNtfy('ops', sampleCertMessage())).toEqual({
      topic: 'ops',
      title: 'CERT: Shop',
      message: "Certificate for shop.example expires in 12 days (2025-03-13).\nIssued by Let's Encrypt R11.",
      priority: 3,
      tags: ['lock'],
      click: 'https://uptime.example/monitors/mon_1',
    });
  });
});
